"""Report definitions (configuration an analyst edits) and the files generated from them.

A definition is an ordered list of sections, each a kind plus a JSON configuration and free Markdown text.
A generated report keeps a snapshot of the definition as it was, the parameters, the indicator releases
it read and the file's checksum, so that an old report can be reproduced and one built on superseded data
can say so.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    PROFILE = "profilo", _("Profilo di un comune o di un ambito")
    ANNUAL = "annuale", _("Rapporto annuale dell'osservatorio")
    PDZ = "piano_di_zona", _("Analisi territoriale del Piano di Zona")
    CUSTOM = "personalizzato", _("Rapporto personalizzato")


class ReportDefinition(models.Model):
    slug = models.SlugField(_("identificativo"), max_length=80, unique=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=ReportKind.choices, default=ReportKind.CUSTOM)
    title = models.CharField(_("titolo"), max_length=200)
    subtitle = models.CharField(_("sottotitolo"), max_length=300, blank=True)
    description = models.TextField(_("descrizione"), blank=True)
    area_code = models.CharField(
        _("area"),
        max_length=48,
        blank=True,
        help_text=_("Codice ISTAT o dell'ambito; vuoto se l'area si sceglie a ogni generazione"),
    )
    parameters = models.JSONField(_("parametri"), default=dict, blank=True)
    public = models.BooleanField(
        _("pubblico"), default=False, help_text=_("I PDF generati sono visibili a tutti")
    )
    builtin = models.BooleanField(_("predefinito"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("definizione di rapporto")
        verbose_name_plural = _("definizioni di rapporto")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title

    def snapshot(self) -> dict:
        """The definition as plain data: what a generated report was built from."""
        return {
            "slug": self.slug,
            "kind": self.kind,
            "title": self.title,
            "subtitle": self.subtitle,
            "area_code": self.area_code,
            "parameters": self.parameters,
            "sections": [s.as_dict() for s in self.sections.all()],
        }


class Section(models.Model):
    definition = models.ForeignKey(ReportDefinition, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(_("ordine"), default=0)
    kind = models.CharField(_("tipo di sezione"), max_length=30)
    title = models.CharField(_("titolo"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("livello del titolo"), default=1)
    text = models.TextField(_("testo (Markdown)"), blank=True)
    config = models.JSONField(_("configurazione"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sezione")
        verbose_name_plural = _("sezioni")
        ordering = ["definition", "order", "id"]

    def __str__(self) -> str:
        return self.title or self.kind

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "level": self.level,
            "text": self.text,
            "config": self.config,
        }


class GenerationStatus(models.TextChoices):
    QUEUED = "in_coda", _("In coda")
    RUNNING = "in_corso", _("In corso")
    DONE = "pronto", _("Pronto")
    FAILED = "fallito", _("Non riuscito")


class GeneratedReport(models.Model):
    definition = models.ForeignKey(
        ReportDefinition, null=True, blank=True, on_delete=models.SET_NULL, related_name="generated"
    )
    title = models.CharField(_("titolo"), max_length=300)
    area_code = models.CharField(_("area"), max_length=48)
    snapshot = models.JSONField(_("definizione usata"), default=dict)
    parameters = models.JSONField(_("parametri"), default=dict, blank=True)
    # Indicator code → id of the indicators Release read; kept as plain ids so that the record survives
    # the deletion of an old release and still says what it was built on.
    releases = models.JSONField(_("rilasci degli indicatori"), default=dict, blank=True)
    indicators_release_id = models.PositiveIntegerField(_("rilascio degli indicatori"), null=True, blank=True)
    file_path = models.CharField(_("file"), max_length=500, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("dimensione (byte)"), default=0)
    pages = models.PositiveIntegerField(_("pagine"), default=0)
    status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("avanzamento (%)"), default=0)
    step = models.CharField(_("fase"), max_length=200, blank=True)
    message = models.TextField(_("messaggio"), blank=True)
    public = models.BooleanField(_("pubblico"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(_("durata (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapporto generato")
        verbose_name_plural = _("rapporti generati")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.created_at:%Y-%m-%d})"

    @property
    def ready(self) -> bool:
        return self.status == GenerationStatus.DONE

    @property
    def finished(self) -> bool:
        return self.status in (GenerationStatus.DONE, GenerationStatus.FAILED)
