from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "osservatorio.reports"
    label = "reports"
    verbose_name = _("Rapporti")
    nav_items = [(_("Rapporti"), "reports:list", None)]

    def load_demo(self, stdout):
        """The three built-in report definitions (idempotent: an analyst's edits are kept)."""
        from .services import load_builtin_definitions

        created, kept = load_builtin_definitions()
        stdout.write(
            f"Rapporti: {created} definizioni predefinite create, {kept} già presenti (modifiche conservate)"
        )

    def permission_matrix_samples(self) -> dict[str, dict]:
        from .services import sample_objects

        return sample_objects()
