from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "osservatorio.indicators"
    label = "indicators"
    verbose_name = _("Indicatori")
    nav_items = [(_("Indicatori"), "indicators:catalogue", None)]

    def load_demo(self, stdout) -> None:
        """Load the catalogue and compute it over whatever sources and records are loaded."""
        from . import services

        stdout.write(f"Indicatori: catalogo {services.load_catalogue()}")
        scope = services.home_scope()
        if scope:
            stdout.write(
                f"Indicatori: calcolo per la regione dell'ente ({', '.join(scope)}) e le aree che contiene"
            )
        try:
            release = services.compute_release(areas=scope)
        except services.ComputeError as exc:
            stdout.write(f"Indicatori: calcolo non eseguito ({exc})")
            return
        total = sum(release.counts.values())
        if getattr(release, "unchanged", False):
            stdout.write(
                f"Indicatori: nessun valore cambiato, resta il rilascio {release.pk} ({total} valori)"
            )
            return
        stdout.write(f"Indicatori: rilascio {release.pk} pubblicato con {total} valori")
        for m in release.messages[:20]:
            stdout.write(f"  - {m}")

    def permission_matrix_samples(self) -> dict[str, dict]:
        from . import services
        from .models import Indicator

        services.load_catalogue()
        code = Indicator.objects.filter(code="quota-75-piu").values_list("code", flat=True).first()
        return {
            "indicators:detail": {"code": code},
            "indicators:area": {"code": code, "area_code": "019036"},
        }
