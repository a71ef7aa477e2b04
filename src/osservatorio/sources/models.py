"""Registry of sources and datasets, and the releases loaded from them (the lineage anchor of every row)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    RESIDENTI = "residenti", _("residenti")
    CONTRIBUENTI = "contribuenti", _("contribuenti")
    FAMIGLIE = "famiglie", _("famiglie (nuclei)")
    BENEFICIARI = "beneficiari", _("beneficiari")
    UTENTI = "utenti", _("utenti dei servizi")
    CASI = "casi", _("casi")
    COMUNI = "comuni", _("comuni")
    PROGETTI = "progetti", _("progetti")


class Source(models.Model):
    """A publisher's dataset family, as described in registry.yaml (synchronised on migrate and on load)."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(_("nome"), max_length=200)
    publisher = models.CharField(_("editore"), max_length=300)
    licence = models.CharField(_("licenza"), max_length=200, blank=True)
    licence_url = models.URLField(_("URL della licenza"), blank=True)
    url = models.URLField(_("pagina ufficiale"), blank=True)
    download_url = models.CharField(_("URL di download"), max_length=500, blank=True)
    unit = models.CharField(_("unità di osservazione"), max_length=20, choices=Unit.choices)
    coverage = models.CharField(_("copertura"), max_length=300, blank=True)
    residence_rule = models.CharField(_("regola di residenza"), max_length=300, blank=True)
    geographic_level = models.CharField(_("livello geografico"), max_length=100, blank=True)
    frequency = models.CharField(_("frequenza"), max_length=200, blank=True)
    release_calendar = models.CharField(_("calendario di rilascio"), max_length=300, blank=True)
    official = models.BooleanField(_("ufficiale"), default=True)
    citation = models.CharField(_("citazione"), max_length=300, blank=True)
    quality_notes = models.JSONField(_("note di qualità"), default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("fonte")
        verbose_name_plural = _("fonti")

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="datasets")
    key = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("titolo"), max_length=300)
    loader = models.CharField(max_length=120)
    default_files = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["source__order", "order", "key"]
        verbose_name = _("dataset")
        verbose_name_plural = _("dataset")

    def __str__(self) -> str:
        return self.key

    @property
    def current_release(self):
        return self.releases.filter(status=Release.Status.IN_FORCE).first()


class Release(models.Model):
    """One load of one dataset: exactly one release per dataset is in force at a time."""

    class Status(models.TextChoices):
        LOADING = "caricamento", _("in caricamento")
        IN_FORCE = "in_vigore", _("in vigore")
        SUPERSEDED = "sostituita", _("sostituita")
        FAILED = "fallita", _("fallita")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="releases")
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, default=Status.LOADING)
    checksum = models.CharField(_("checksum SHA-256"), max_length=64, db_index=True)
    files = models.JSONField(_("file"), default=list)  # [{"name", "sha256", "bytes"}]
    fetched_at = models.DateTimeField(_("acquisito il"))
    loaded_at = models.DateTimeField(_("caricato il"), null=True, blank=True)
    rows = models.BigIntegerField(_("righe"), default=0)
    validation_report = models.JSONField(_("rapporto di validazione"), default=dict)
    loader_version = models.CharField(_("versione del caricatore"), max_length=60)
    parquet_path = models.CharField(max_length=500, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    error = models.TextField(_("errore"), blank=True)
    n_warnings = models.PositiveIntegerField(_("avvisi"), default=0)
    loaded_by = models.CharField(_("caricato da"), max_length=150, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("release")
        verbose_name_plural = _("release")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset"],
                condition=models.Q(status="in_vigore"),
                name="one_release_in_force_per_dataset",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset.key} #{self.pk} ({self.get_status_display()})"

    @property
    def checksum_short(self) -> str:
        return self.checksum[:12]


class LoadJob(models.Model):
    """A file uploaded by an analista and loaded in the background (django-tasks), with its progress."""

    class Status(models.TextChoices):
        QUEUED = "in_coda", _("in coda")
        RUNNING = "in_corso", _("in corso")
        DONE = "completato", _("completato")
        UNCHANGED = "invariato", _("già caricato")
        FAILED = "rifiutato", _("rifiutato")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="jobs")
    file_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500)
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("fase"), max_length=100, blank=True)
    progress = models.FloatField(_("avanzamento"), default=0.0)
    message = models.TextField(_("esito"), blank=True)
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("caricamento")
        verbose_name_plural = _("caricamenti")

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.UNCHANGED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)
