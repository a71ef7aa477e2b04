"""Catalogue of support measures and the screening cases saved by the front desk."""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    UE = "ue", _("Unione europea")
    STATO = "stato", _("Stato / INPS")
    REGIONE = "regione", _("Regione")
    AMBITO = "ambito", _("Ambito")
    COMUNE = "comune", _("Comune")
    TERZO_SETTORE = "terzo_settore", _("Terzo settore")


class Reliability(models.TextChoices):
    """The tags of the reference (misure.md §0.1)."""

    UFFICIALE = "U", _("Testo ufficiale letto")
    SECONDARIA = "S", _("Fonte secondaria che riporta l'atto")
    DA_VERIFICARE = "V", _("Da verificare")
    DERIVATO = "D", _("Derivato (calcolo o interpretazione)")


class TargetGroup(models.Model):
    slug = models.SlugField(_("codice"), unique=True)
    name = models.CharField(_("nome"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("destinatari")
        verbose_name_plural = _("destinatari")

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    slug = models.SlugField(_("codice"), max_length=80, unique=True)
    name = models.CharField(_("nome"), max_length=200)
    short_name = models.CharField(_("nome breve"), max_length=60, blank=True)
    level = models.CharField(_("livello"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(
        _("tipo"),
        max_length=40,
        blank=True,
        help_text=_("es. sostegno al reddito, bonus, fondo, LEPS, indicatore"),
    )
    summary = models.TextField(_("in breve"), blank=True)
    legal_basis = models.TextField(_("base giuridica"), blank=True)
    valid_from = models.DateField(_("in vigore dal"), null=True, blank=True)
    valid_to = models.DateField(_("in vigore fino al"), null=True, blank=True)
    validity_note = models.CharField(_("nota sulle date"), max_length=300, blank=True)
    target = models.TextField(_("a chi si rivolge"), blank=True)
    target_groups = models.ManyToManyField(TargetGroup, blank=True, verbose_name=_("destinatari"))
    benefit_form = models.CharField(_("forma del beneficio"), max_length=200, blank=True)
    amount_rules = models.TextField(_("importi e regole di calcolo"), blank=True)
    requirements = models.TextField(_("requisiti"), blank=True)
    channel = models.TextField(_("come si chiede (canale)"), blank=True)
    office = models.CharField(_("dove (ufficio)"), max_length=300, blank=True)
    documents = models.TextField(_("documenti"), blank=True)
    deadlines = models.TextField(_("scadenze"), blank=True)
    managed_by = models.CharField(_("chi gestisce"), max_length=300, blank=True)
    funding = models.CharField(_("canale di finanziamento"), max_length=300, blank=True)
    comune_code = models.CharField(
        _("comune (per le misure comunali)"), max_length=6, blank=True, db_index=True
    )
    regione_code = models.CharField(
        _("regione (per le misure regionali)"),
        max_length=2,
        blank=True,
        help_text=_("Codice ISTAT della regione (es. 03): la misura compare solo nei profili delle sue aree"),
    )
    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        verbose_name=_("misura precedente"),
    )
    rule_key = models.CharField(
        _("regola come codice"),
        max_length=60,
        blank=True,
        help_text=_("Chiave della regola in measures/rules (es. adi) usata dallo screening"),
    )
    reliability = models.CharField(
        _("affidabilità complessiva"),
        max_length=1,
        choices=Reliability.choices,
        default=Reliability.SECONDARIA,
    )
    uncertainty = models.TextField(_("incertezze note"), blank=True)
    reference_section = models.CharField(_("sezione del riferimento"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("aggiornata il"), auto_now=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("misura")
        verbose_name_plural = _("misure")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="measure_valid_to_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("measures:detail", args=[self.slug])

    def is_active_on(self, on: date) -> bool:
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)


class MeasureFact(models.Model):
    """One fact about a measure with its reliability tag and source, as in the reference."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="facts")
    topic = models.CharField(_("argomento"), max_length=80)
    text = models.TextField(_("fatto"))
    reliability = models.CharField(_("affidabilità"), max_length=1, choices=Reliability.choices)
    source_url = models.URLField(_("fonte"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["measure", "position"]
        verbose_name = _("fatto")
        verbose_name_plural = _("fatti")

    def __str__(self) -> str:
        return f"{self.topic}: {self.text[:60]}"


class ScreeningCase(models.Model):
    """A screening the operator chose to keep: personal data, scoped to a comune, audited."""

    comune_code = models.CharField(_("comune"), max_length=6, db_index=True)
    reference_date = models.DateField(_("data di riferimento"))
    household = models.JSONField(_("nucleo"))
    results = models.JSONField(_("esiti"))
    note = models.TextField(_("nota dell'operatore"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("operatore")
    )
    created_at = models.DateTimeField(_("salvato il"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("caso di screening")
        verbose_name_plural = _("casi di screening")

    def __str__(self) -> str:
        return f"Screening {self.pk} ({self.comune_code}, {self.reference_date})"

    def get_absolute_url(self) -> str:
        return reverse("measures:case", args=[self.pk])


# Every change to the catalogue (from the web form, the admin or a reload) is kept with who and when.
auditlog_register = None
try:  # pragma: no cover - auditlog is installed; the guard only keeps the models importable alone
    from auditlog.registry import auditlog

    auditlog.register(Measure, m2m_fields={"target_groups"})
    auditlog.register(MeasureFact)
except ImportError:  # pragma: no cover
    pass
