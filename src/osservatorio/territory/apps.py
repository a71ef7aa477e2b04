from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "osservatorio.territory"
    label = "territory"
    verbose_name = _("Territorio")

    def load_demo(self, stdout):
        """All of Italy, the shipped ambiti and quartieri (idempotent: a second run writes only changes)."""
        import time

        from .services import load_territory

        started = time.perf_counter()
        counts = load_territory()
        stdout.write(
            "Territorio: "
            + ", ".join(f"{n} {level}" for level, n in counts.items() if n)
            + f" (in vigore oggi; {time.perf_counter() - started:.1f} s)"
        )

    def permission_matrix_samples(self) -> dict[str, dict]:
        # territory_cremona is loaded: Cremona and its province have boundaries.
        return {
            "territory:area": {"code": "019036"},
            "territory:geojson": {"code": "019"},
        }
