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
