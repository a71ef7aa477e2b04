import os
import secrets

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

DEMO_LOGIN_FILE = "demo-users-password.txt"


class AccountsConfig(AppConfig):
    name = "osservatorio.accounts"
    label = "accounts"
    verbose_name = _("Utenti e accessi")
    nav_items = [(_("Utenti"), "accounts:users", ["amministratore"])]

    def ready(self):
        from .audit import register_audited
        from .models import ComuneScope, User

        register_audited(User)
        register_audited(ComuneScope)

    def permission_matrix_samples(self) -> dict[str, dict]:
        from .models import User
        from .roles import Role

        subject, _created = User.objects.get_or_create(
            username="matrice.soggetto", defaults={"role": Role.LETTORE}
        )
        return {
            "accounts:user_edit": {"pk": subject.pk},
            "accounts:user_unlock": {"pk": subject.pk},
        }

    def load_demo(self, stdout) -> None:
        """One demo user per role (not the amministratore: the demo command makes it), same password."""
        from django.conf import settings

        from .models import ComuneScope, User
        from .roles import Role

        secret_file = settings.VAR_DIR / DEMO_LOGIN_FILE
        if secret_file.exists():
            password = secret_file.read_text().strip()
        else:
            password = "Demo-" + secrets.token_urlsafe(9)
            secret_file.write_text(password + "\n")
            os.chmod(secret_file, 0o600)
        people = [
            ("analista", Role.ANALISTA, []),
            ("operatore", Role.OPERATORE, []),
            ("lettore", Role.LETTORE, []),
        ]
        home = settings.OSSERVATORIO.get("HOME_COMUNE") or ""
        if home:
            people.append(("operatore.comunale", Role.OPERATORE_COMUNALE, [home]))
        for username, role, comuni in people:
            user, _created = User.objects.get_or_create(username=username, defaults={"role": role})
            user.role = role
            user.set_password(password)
            user.save()
            for code in comuni:
                ComuneScope.objects.get_or_create(user=user, comune_code=code)
        names = ", ".join(p[0] for p in people)
        stdout.write(f"Utenti demo (uno per ruolo): {names}; password «{password}»")
        if not home:
            stdout.write(
                "Nessun operatore comunale demo: imposti OSSERVATORIO_HOME_COMUNE per crearne uno sul suo comune."
            )
