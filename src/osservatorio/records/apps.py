from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

DEMO_HOUSEHOLDS = 3000
DEMO_RECORDS = 4000
DEMO_SEED = 2020


class RecordsConfig(AppConfig):
    name = "osservatorio.records"
    label = "records"
    verbose_name = _("Dati dei servizi")

    @property
    def nav_items(self):
        from osservatorio.accounts.roles import Role

        return [
            (_("Dati dei servizi"), "records:index", [Role.ANALISTA, Role.OPERATORE, Role.OPERATORE_COMUNALE])
        ]

    def load_demo(self, stdout) -> None:
        """A few thousand synthetic records for the home ambito (or the first ambito loaded)."""
        from . import places, services

        area = places.default_ambito()
        if area is None:
            stdout.write("Dati dei servizi: nessun ambito caricato, dati sintetici non generati.")
            return
        services.load_synthetic(
            area, households=DEMO_HOUSEHOLDS, seed=DEMO_SEED, records=DEMO_RECORDS, say=stdout.write
        )

    def permission_matrix_samples(self) -> dict[str, dict]:
        from .models import ImportBatch

        batch = ImportBatch.objects.create(source_name="Esempio", file_name="esempio.csv", checksum="0" * 64)
        sample = {"pk": batch.pk}
        return {
            f"records:{name}": sample
            for name in ("status", "progress", "mapping", "report", "error_report", "cancel")
        }
