"""Indicator catalogue, releases and released DataPoints, and the log of disclosure-control decisions.

Pages, API and reports read only DataPoints of a published Release, so a number is the same everywhere.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Valori alti sono migliori")
    LOWER_IS_BETTER = "lower_is_better", _("Valori bassi sono migliori")
    NEUTRAL = "neutral", _("Nessun giudizio di valore")


class Kind(models.TextChoices):
    PROPORTION = "proportion", _("Proporzione")
    RATE = "rate", _("Tasso")
    RATIO = "ratio", _("Rapporto")
    MEAN = "mean", _("Valore medio")
    COUNT = "count", _("Conteggio")
    INDEX = "index", _("Indice")


class IntervalMethod(models.TextChoices):
    WILSON = "wilson", _("Wilson (proporzioni)")
    BYAR = "byar", _("Byar / Poisson esatto (conteggi e tassi)")
    POISSON_EXACT = "poisson_exact", _("Poisson esatto")
    NONE = "none", _("Nessun intervallo (valore amministrativo esatto)")


class Domain(models.TextChoices):
    DEMOGRAFIA = "demografia", _("Demografia e invecchiamento")
    REDDITO = "reddito", _("Reddito e fragilità economica")
    SOSTEGNI = "sostegni", _("Misure di sostegno al reddito")
    COVID = "covid", _("COVID-19")
    VULNERABILITA = "vulnerabilita", _("Vulnerabilità e territorio")
    SERVIZI = "servizi", _("Servizi sociali (dati propri)")


class Indicator(models.Model):
    code = models.SlugField(_("codice"), max_length=80, unique=True)
    domain = models.CharField(_("ambito tematico"), max_length=20, choices=Domain.choices)
    order = models.PositiveIntegerField(default=0)
    title_it = models.CharField(_("titolo"), max_length=200)
    title_en = models.CharField(_("titolo (inglese)"), max_length=200)
    short_it = models.CharField(_("definizione breve"), max_length=300)
    short_en = models.CharField(_("definizione breve (inglese)"), max_length=300)
    definition_it = models.TextField(_("definizione"))
    definition_en = models.TextField(_("definizione (inglese)"))
    numerator_it = models.CharField(_("numeratore"), max_length=300)
    numerator_source = models.CharField(_("fonte del numeratore"), max_length=200)
    numerator_unit = models.CharField(_("unità del numeratore"), max_length=40)
    denominator_it = models.CharField(_("denominatore"), max_length=300, blank=True)
    denominator_source = models.CharField(_("fonte del denominatore"), max_length=200, blank=True)
    denominator_unit = models.CharField(_("unità del denominatore"), max_length=40, blank=True)
    mixed_units = models.BooleanField(_("unità diverse dichiarate"), default=False)
    universe_it = models.CharField(_("universo"), max_length=300)
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    unit_it = models.CharField(_("unità di misura"), max_length=80)
    multiplier = models.FloatField(_("scala"), default=1.0)
    decimals = models.PositiveSmallIntegerField(default=1)
    polarity = models.CharField(_("polarità"), max_length=20, choices=Polarity.choices)
    method_it = models.TextField(_("metodo di calcolo"))
    interval_method = models.CharField(
        _("intervallo di confidenza"), max_length=16, choices=IntervalMethod.choices
    )
    disclosure_threshold = models.PositiveSmallIntegerField(
        _("soglia di riservatezza"), null=True, blank=True, help_text=_("Solo per dati da archivi personali")
    )
    frequency_it = models.CharField(_("frequenza"), max_length=60)
    levels = models.JSONField(_("livelli territoriali"), default=list)
    breakdowns = models.JSONField(_("disaggregazioni"), default=list, blank=True)
    caveats_it = models.TextField(_("avvertenze"), blank=True)
    proxy_of_it = models.CharField(_("approssima"), max_length=300, blank=True)
    known_breaks = models.JSONField(_("interruzioni di serie note"), default=list, blank=True)
    sources = models.JSONField(_("dataset"), default=list)
    covid_relevant = models.BooleanField(default=False)
    non_ufficiale = models.BooleanField(_("fonte non ufficiale"), default=False)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("indicatore")
        verbose_name_plural = _("indicatori")
        ordering = ["domain", "order", "code"]

    def __str__(self) -> str:
        return self.title_it

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "it").startswith("en") else self.title_it

    @property
    def short(self) -> str:
        return self.short_en if (get_language() or "it").startswith("en") else self.short_it

    @property
    def personal_data(self) -> bool:
        return self.disclosure_threshold is not None

    @property
    def break_years(self) -> tuple[int, ...]:
        return tuple(int(b["year"]) for b in self.known_breaks if "year" in b)


class ReleaseStatus(models.TextChoices):
    RUNNING = "in_corso", _("In corso")
    PUBLISHED = "pubblicato", _("Pubblicato")
    FAILED = "fallito", _("Non riuscito")


class Release(models.Model):
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    finished_at = models.DateTimeField(_("concluso il"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.RUNNING)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    boundary_vintage = models.DateField(_("confini al"))
    indicators = models.JSONField(default=list)
    areas = models.JSONField(default=list, blank=True)
    source_releases = models.JSONField(_("rilasci delle fonti"), default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    diff = models.JSONField(_("differenze dal rilascio precedente"), default=dict, blank=True)
    messages = models.JSONField(default=list, blank=True)
    synthetic = models.BooleanField(_("contiene dati sintetici"), default=False)

    class Meta:
        verbose_name = _("rilascio")
        verbose_name_plural = _("rilasci")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Rilascio {self.pk} ({self.get_status_display()})"


class Granularity(models.TextChoices):
    YEAR = "anno", _("Anno")
    MONTH = "mese", _("Mese")
    DAY = "giorno", _("Giorno")
    DATE = "data", _("Data di riferimento")


class DataPoint(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="datapoints")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="datapoints")
    area_code = models.CharField(max_length=48)
    area_level = models.CharField(max_length=16)
    boundary_vintage = models.DateField()
    period_start = models.DateField()
    period_end = models.DateField()
    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    breakdown = models.JSONField(default=dict, blank=True)
    breakdown_key = models.CharField(max_length=120, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    ci95_low = models.FloatField(null=True, blank=True)
    ci95_high = models.FloatField(null=True, blank=True)
    ci998_low = models.FloatField(null=True, blank=True)
    ci998_high = models.FloatField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    provisional = models.BooleanField(default=False)
    estimated = models.BooleanField(default=False)
    break_before = models.BooleanField(default=False)
    non_ufficiale = models.BooleanField(default=False)
    missing = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    source_releases = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("valore rilasciato")
        verbose_name_plural = _("valori rilasciati")
        indexes = [
            models.Index(fields=["release", "indicator", "area_code"]),
            models.Index(fields=["release", "indicator", "period_start"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "indicator", "area_code", "period_start", "period_end", "breakdown_key"],
                name="indicators_datapoint_unique",
            )
        ]


class DisclosureDecision(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="disclosure_decisions")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE)
    area_code = models.CharField(max_length=48)
    period_start = models.DateField()
    breakdown = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=40)
    constraint = models.CharField(max_length=400, blank=True)
    text = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("decisione di riservatezza")
        verbose_name_plural = _("decisioni di riservatezza")
