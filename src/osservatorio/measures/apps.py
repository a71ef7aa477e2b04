from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "osservatorio.measures"
    label = "measures"
    verbose_name = _("Misure")

    @property
    def nav_items(self):
        from osservatorio.accounts.roles import Role

        return [
            (_("Misure"), "measures:catalogue", None),
            (_("Screening"), "measures:screening", [Role.OPERATORE, Role.OPERATORE_COMUNALE, Role.ANALISTA]),
            (_("Microsimulazione"), "measures:microsim", [Role.ANALISTA]),
        ]

    def load_demo(self, stdout):
        """The catalogue from measures/data/misure.yaml; existing entries keep the analisti's edits."""
        from .services import load_catalogue

        result = load_catalogue(overwrite=False)
        stdout.write(
            f"Misure: catalogo caricato ({result.created} nuove, {result.unchanged} già presenti e lasciate come sono)"
        )
        self._publish_estimates(stdout)

    def _publish_estimates(self, stdout):
        """The RdC/PdC eligible households of the home ambito as a derived dataset, and the take-up and
        coverage indicators computed from it (released like the others). The indicators app computed the
        whole catalogue before this (INSTALLED_APPS order): a release of these two indicators follows only
        when the estimate is new, otherwise the catalogue release already has them."""
        import time

        from osservatorio.indicators import services as indicators
        from osservatorio.sources.validation import LoadError

        from .coverage import ESTIMATE_INDICATORS, publish_rdc_eligible

        start = time.perf_counter()
        try:
            result = publish_rdc_eligible()
        except LoadError as exc:
            stdout.write(f"Misure: stima RdC/PdC non pubblicata ({exc})")
            return
        if result is None:
            stdout.write(
                "Misure: nessun ambito di riferimento (OSSERVATORIO_HOME_AMBITO): stima RdC/PdC non fatta"
            )
            return
        stdout.write(
            f"Misure: stima nuclei idonei RdC/PdC luglio 2020 — {result.message} "
            f"({time.perf_counter() - start:.1f} s)"
        )
        if not result.created:
            return
        try:
            release = indicators.compute_release(
                codes=list(ESTIMATE_INDICATORS), areas=indicators.home_scope()
            )
        except indicators.ComputeError as exc:
            stdout.write(f"Misure: indicatori di take-up non calcolati ({exc})")
            return
        stdout.write(
            f"Misure: take-up e copertura RdC/PdC nel rilascio {release.pk} "
            f"({sum(release.counts.values())} valori, {time.perf_counter() - start:.1f} s)"
        )

    def permission_matrix_samples(self) -> dict[str, dict]:
        from datetime import date

        from django.contrib.auth import get_user_model

        from .models import Measure, ScreeningCase

        measure, _created = Measure.objects.get_or_create(
            slug="matrice-adi", defaults={"name": "Misura di prova", "level": "stato", "rule_key": "adi"}
        )
        user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create(
            username="matrice.misure"
        )
        other = ScreeningCase.objects.create(
            comune_code="019035", reference_date=date(2024, 6, 1), household={}, results=[], created_by=user
        )
        return {
            "measures:detail": {"slug": measure.slug},
            "measures:edit": {"slug": measure.slug},
            "measures:case": {"pk": other.pk, "_comune": "019035"},
        }
