"""Roles of the people who use the Osservatorio (see docs/guida-utente.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AMMINISTRATORE = "amministratore", _("Amministratore")
    ANALISTA = "analista", _("Analista")
    OPERATORE = "operatore", _("Operatore (tutti i comuni)")
    OPERATORE_COMUNALE = "operatore_comunale", _("Operatore comunale")
    LETTORE = "lettore", _("Lettore")


ALL_ROLES = frozenset(Role.values)
# Roles that may see records about people; everyone else sees only released aggregates.
PERSONAL_DATA_ROLES = frozenset({Role.AMMINISTRATORE, Role.ANALISTA, Role.OPERATORE, Role.OPERATORE_COMUNALE})
