"""Services' own records, held only as pseudonymised, coarsened fields.

Never stored: name, surname, codice fiscale, full birth date, address or civic number. What identifies a
person across files is the keyed pseudonym (see pseudonym.py); what locates them is the comune and, where a
street table exists, the quartiere.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import KINDS


class RecordKind(models.TextChoices):
    UTENTE = "utente", _("Utenti del servizio")
    PRESTAZIONE = "prestazione", _("Prestazioni e contributi erogati")
    RICHIESTA_AIUTO = "richiesta_aiuto", _("Richieste di aiuto")
    BUONO_SPESA = "buono_spesa", _("Buoni spesa")
    DOMANDA_BANDO = "domanda_bando", _("Domande a bandi")


assert set(RecordKind.values) == set(KINDS), "fields.KINDS and RecordKind must list the same kinds"


class Sex(models.TextChoices):
    M = "M", _("Maschio")
    F = "F", _("Femmina")


class Citizenship(models.TextChoices):
    ITALIANA = "italiana", _("Italiana")
    UE = "ue", _("UE")
    EXTRA_UE = "extra_ue", _("Extra-UE")


class ImportMapping(models.Model):
    """How the files of one source (e.g. «Buoni spesa 2020 - Ufficio casa») map to our fields."""

    name = models.CharField(_("nome della fonte"), max_length=120, unique=True)
    columns = models.JSONField(_("colonne"), default=dict)  # field → header in the file
    fixed = models.JSONField(_("valori fissi"), default=dict)  # field → value for every row
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("aggiornata il"), auto_now=True)

    class Meta:
        verbose_name = _("mappatura delle colonne")
        verbose_name_plural = _("mappature delle colonne")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    CARICATO = "caricato", _("Caricato, da mappare")
    VERIFICATO = "verificato", _("Verificato")
    RIFIUTATO = "rifiutato", _("File rifiutato")
    IN_CODA = "in_coda", _("In coda")
    IN_CORSO = "in_corso", _("Importazione in corso")
    COMPLETATO = "completato", _("Importato")
    FALLITO = "fallito", _("Importazione non riuscita")
    ANNULLATO = "annullato", _("Annullato")


class ImportBatch(models.Model):
    """One uploaded file and its way through mapping, validation and import (the records' lineage)."""

    source_name = models.CharField(_("fonte"), max_length=120)
    mapping = models.ForeignKey(
        ImportMapping, on_delete=models.SET_NULL, null=True, blank=True, related_name="batches"
    )
    # The mapping as applied: later edits to the saved mapping do not rewrite history.
    mapping_snapshot = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    checksum = models.CharField(_("impronta SHA-256"), max_length=64, db_index=True)
    stored_path = models.CharField(
        max_length=500, blank=True
    )  # under MEDIA_ROOT/private, deleted after import
    status = models.CharField(
        _("stato"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.CARICATO
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Scope of the uploader at upload time (None = every comune), so the task applies the same rule.
    comune_scope = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("caricato il"), auto_now_add=True)
    finished_at = models.DateTimeField(_("concluso il"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("righe"), default=0)
    rows_valid = models.PositiveIntegerField(_("righe valide"), default=0)
    rows_error = models.PositiveIntegerField(_("righe con errori"), default=0)
    warnings = models.PositiveIntegerField(_("avvisi"), default=0)
    rows_imported = models.PositiveIntegerField(_("righe importate"), default=0)
    valid_only = models.BooleanField(_("solo righe valide"), default=False)
    synthetic = models.BooleanField(_("dati sintetici"), default=False)
    key_fingerprint = models.CharField(max_length=12, blank=True)
    file_error = models.TextField(_("motivo del rifiuto"), blank=True)
    read_notes = models.CharField(max_length=300, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("importazione")
        verbose_name_plural = _("importazioni")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source_name} · {self.file_name} ({self.get_status_display()})"


class ServiceRecord(models.Model):
    # No index of its own: the (batch, row_number) index below serves lookups by batch.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records", db_index=False)
    row_number = models.PositiveIntegerField(_("riga nel file"))
    pseudonym = models.CharField(_("pseudonimo"), max_length=64, db_index=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=RecordKind.choices)
    record_date = models.DateField(_("data"))
    comune_code = models.CharField(_("comune"), max_length=6)
    quartiere_code = models.CharField(_("quartiere"), max_length=48, null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("età"), null=True, blank=True)
    age_band = models.CharField(_("fascia d'età"), max_length=8, blank=True)
    sex = models.CharField(_("sesso"), max_length=1, choices=Sex.choices, blank=True)
    citizenship = models.CharField(_("cittadinanza"), max_length=10, choices=Citizenship.choices, blank=True)
    household_size = models.PositiveSmallIntegerField(_("componenti del nucleo"), null=True, blank=True)
    amount = models.DecimalField(_("importo"), max_digits=12, decimal_places=2, null=True, blank=True)
    measure = models.CharField(_("prestazione o servizio"), max_length=200, blank=True)
    synthetic = models.BooleanField(_("dato sintetico"), default=False)

    class Meta:
        verbose_name = _("record dei servizi")
        verbose_name_plural = _("record dei servizi")
        indexes = [
            models.Index(fields=["comune_code", "kind", "record_date"]),
            models.Index(fields=["batch", "row_number"]),
        ]


class StreetQuartiere(models.Model):
    """Street table of a comune: a normalised street name belongs to one quartiere."""

    comune_code = models.CharField(_("comune"), max_length=6)
    street_key = models.CharField(_("via (normalizzata)"), max_length=200)
    street_name = models.CharField(_("via"), max_length=200)
    quartiere_code = models.CharField(_("quartiere"), max_length=48)

    class Meta:
        verbose_name = _("via dello stradario")
        verbose_name_plural = _("stradario (via → quartiere)")
        constraints = [
            models.UniqueConstraint(fields=["comune_code", "street_key"], name="records_street_unique")
        ]
