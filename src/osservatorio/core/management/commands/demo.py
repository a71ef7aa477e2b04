"""`osservatorio demo setup`: everything `make demo` needs, idempotent.

Each app that has demo content defines `load_demo(self, stdout)` on its AppConfig; they run in the order
of INSTALLED_APPS (territory before the apps that use it).
"""

import os
import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from osservatorio.accounts.roles import Role

DEMO_USERNAME = "admin"


class Command(BaseCommand):
    help = "Prepara la demo: territorio, dati di esempio e un amministratore (idempotente)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["setup"])

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            loader = getattr(config, "load_demo", None)
            if loader is not None:
                loader(self.stdout)
        username, password = self.demo_admin()
        self.stdout.write(self.style.SUCCESS(f"Accesso demo: utente «{username}», password «{password}»"))

    def demo_admin(self) -> tuple[str, str]:
        if settings.PRODUCTION:
            raise CommandError("La demo non si prepara in produzione (OSSERVATORIO_ENV=production).")
        # The password is made once per installation and kept under var/, never in the repository.
        secret_file = settings.VAR_DIR / "demo-admin-password.txt"
        if secret_file.exists():
            password = secret_file.read_text().strip()
        else:
            password = "Demo-" + secrets.token_urlsafe(9)
            secret_file.write_text(password + "\n")
            os.chmod(secret_file, 0o600)
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"role": Role.AMMINISTRATORE})
        user.role = Role.AMMINISTRATORE
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        return DEMO_USERNAME, password
