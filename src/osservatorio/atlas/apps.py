from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AtlasConfig(AppConfig):
    name = "osservatorio.atlas"
    label = "atlas"
    verbose_name = _("Atlante")
    nav_items = [(_("Atlante"), "atlas:index", None)]

    def load_demo(self, stdout) -> None:
        """Nothing to load (the atlas reads released DataPoints); warm the map geometry of the home area."""
        from . import selectors

        home = selectors.home_area()
        n = len(selectors.release_of_indicators())
        stdout.write(
            f"Atlante: {n} indicatori pubblicati; area della home: {home.display_name if home else '—'}"
        )

    def permission_matrix_samples(self) -> dict[str, dict]:
        """A published release with one value, so that every atlas URL answers with content (access only:
        the numbers are not checked here)."""
        from datetime import date

        from osservatorio.indicators import catalogue
        from osservatorio.indicators.models import DataPoint, Indicator, Release, ReleaseStatus

        entry = next(e for e in catalogue.read() if e["code"] == "indice-vecchiaia")
        fields = {f.name for f in Indicator._meta.get_fields()}
        ind, _ = Indicator.objects.update_or_create(
            code=entry["code"], defaults={k: v for k, v in entry.items() if k in fields and k != "code"}
        )
        release = Release.objects.create(
            status=ReleaseStatus.PUBLISHED,
            boundary_vintage=date.today(),
            indicators=[ind.code],
            counts={ind.code: 2},
        )
        for code, level in (("019036", "comune"), ("019", "provincia")):
            DataPoint.objects.create(
                release=release,
                indicator=ind,
                area_code=code,
                area_level=level,
                boundary_vintage=date.today(),
                period_start=date(2023, 1, 1),
                period_end=date(2023, 1, 1),
                granularity="data",
                value=None,
                missing=True,
            )
        fmt = {"fmt": "csv"}
        return {
            "atlas:area": {"code": "019036"},
            "atlas:area_data": {"code": "019036", **fmt},
            "atlas:indicator": {"code": ind.code},
            "atlas:indicator_data": {"code": ind.code, **fmt},
            "atlas:indicator_series_data": {"code": ind.code, **fmt},
            "atlas:indicator_geojson": {"code": ind.code},
            "atlas:geometry": {"code": "019", "level": "comune"},
            "atlas:compare_data": fmt,
            "atlas:release_bulk": {"pk": release.pk},
            "atlas:embed_chart": {"code": ind.code},
            "atlas:embed_map": {"code": ind.code},
            "api:area": {"code": "019036"},
            "api:indicator": {"code": ind.code},
        }
