from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    role = models.CharField(_("ruolo"), max_length=32, choices=Role.choices, default=Role.LETTORE)

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")

    @property
    def effective_role(self) -> str:
        return Role.AMMINISTRATORE if self.is_superuser else self.role

    @property
    def is_amministratore(self) -> bool:
        return self.effective_role == Role.AMMINISTRATORE

    def comune_codes(self) -> frozenset[str] | None:
        """ISTAT codes this user may see records of; None means every comune."""
        if self.effective_role == Role.OPERATORE_COMUNALE:
            return frozenset(self.comune_scopes.values_list("comune_code", flat=True))
        return None


class ComuneScope(models.Model):
    """A comune an operatore comunale works for. Codes, not foreign keys, so scope survives a reload of
    the territory; validity of the code is checked when the scope is granted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comune_scopes")
    comune_code = models.CharField(_("codice ISTAT del comune"), max_length=6)

    class Meta:
        verbose_name = _("comune assegnato")
        verbose_name_plural = _("comuni assegnati")
        constraints = [models.UniqueConstraint(fields=["user", "comune_code"], name="unique_user_comune")]

    def __str__(self) -> str:
        return self.comune_code


class AccessLog(models.Model):
    """A read of a page or API response holding personal data: who, when, what, from where."""

    class Channel(models.TextChoices):
        WEB = "web", _("pagina web")
        API = "api", _("API")
        SERVICE = "servizio", _("esportazione o servizio interno")

    at = models.DateTimeField(_("quando"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    username = models.CharField(_("utente"), max_length=150)
    role = models.CharField(_("ruolo"), max_length=32)
    method = models.CharField(max_length=8)
    channel = models.CharField(_("canale"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    path = models.CharField(_("percorso"), max_length=500)
    view_name = models.CharField(_("vista"), max_length=200, blank=True)
    object_ref = models.CharField(_("oggetto"), max_length=200, blank=True)
    comune_code = models.CharField(_("comune"), max_length=6, blank=True)
    ip_address = models.GenericIPAddressField(_("indirizzo"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("esito HTTP"))

    class Meta:
        verbose_name = _("accesso a dati personali")
        verbose_name_plural = _("accessi a dati personali")
        ordering = ["-at"]
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["comune_code", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.path}"
