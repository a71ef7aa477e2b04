"""Validation of what an analyst edits: a section's settings and text, a definition's header, an area."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from osservatorio.indicators.models import Indicator
from osservatorio.territory.models import Area

from . import sections, textvars
from .models import ReportDefinition

YEAR_HELP = _("Un anno (es. 2023) oppure «latest» per l'ultimo anno con dati")
AREA_HELP = _(
    "Codici separati da virgole: codici ISTAT (019036), di ambito (AMB-CREMONESE) oppure $area, $ambito, "
    "$provincia, $regione, $italia"
)


def _codes(text: str) -> list[str]:
    return [c.strip() for c in (text or "").replace("\n", ",").split(",") if c.strip()]


class DefinitionForm(forms.ModelForm):
    class Meta:
        model = ReportDefinition
        fields = ["title", "subtitle", "description", "area_code", "public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_area_code(self):
        code = (self.cleaned_data.get("area_code") or "").strip().upper()
        if code and not Area.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _(
                    "L'area «%(code)s» non esiste nel territorio: scrivere un codice ISTAT o di ambito, o lasciare vuoto."
                )
                % {"code": code}
            )
        return code


class NewSectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo di sezione"), choices=list(sections.KINDS.items()))
    title = forms.CharField(label=_("Titolo"), max_length=200)


class SectionForm(forms.Form):
    """The common settings of every kind; the rest of the configuration is JSON for advanced use."""

    title = forms.CharField(label=_("Titolo"), max_length=200, required=False)
    level = forms.TypedChoiceField(
        label=_("Livello del titolo"), coerce=int, choices=[(1, _("Capitolo")), (2, _("Paragrafo"))]
    )
    text = forms.CharField(
        label=_("Testo (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        help_text=_(
            "Segnaposto: {{ area.name }}, {{ area.label }}, {{ provincia.name }}, {{ year }}, "
            '{{ value("codice-indicatore") }}, {{ value("codice", 2023) }}, {{ year_of("codice") }}, '
            '{{ compare("codice", "provincia") }}, {{ trend("codice") }}'
        ),
    )
    indicators = forms.CharField(
        label=_("Indicatori"),
        required=False,
        help_text=_("Codici degli indicatori separati da virgole, nell'ordine in cui compaiono"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    areas = forms.CharField(label=_("Aree"), required=False, help_text=AREA_HELP)
    year = forms.CharField(label=_("Anno"), required=False, max_length=10, help_text=YEAR_HELP)
    from_year = forms.IntegerField(
        label=_("Serie dal"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=_("Primo anno dei grafici"),
    )
    config = forms.CharField(
        label=_("Altre impostazioni (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text=_('Per esempio {"ranking": true, "map": true, "members_of": "$area", "page_break": true}'),
    )

    INDICATOR_KEYS = ("indicators", "indicator")
    AREA_KEYS = ("areas", "benchmarks", "compare")

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, section) -> dict:
        cfg = dict(section.config or {})
        indicators = cfg.pop("indicators", None) or ([cfg.pop("indicator")] if cfg.get("indicator") else [])
        area_key = next((k for k in cls.AREA_KEYS if k in cfg), None)
        areas = cfg.pop(area_key, []) if area_key else []
        return {
            "title": section.title,
            "level": section.level,
            "text": section.text,
            "indicators": ", ".join(indicators),
            "areas": ", ".join(areas if isinstance(areas, list) else [str(areas)]),
            "year": cfg.pop("year", ""),
            "from_year": cfg.pop("from_year", None),
            "config": json.dumps(cfg, ensure_ascii=False) if cfg else "",
        }

    def clean_text(self):
        text = self.cleaned_data.get("text") or ""
        problems = textvars.check(text, sections.VOCABULARY)
        if problems:
            raise forms.ValidationError([f"{p.where()}: {p.message}" for p in problems])
        return text

    def clean_indicators(self):
        codes = _codes(self.cleaned_data.get("indicators"))
        known = set(Indicator.objects.filter(code__in=codes, active=True).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(
                _("Indicatori inesistenti o non attivi: %(codes)s. I codici sono nella pagina Indicatori.")
                % {"codes": ", ".join(unknown)}
            )
        if self.kind in ("indicator", "chart", "map") and len(codes) != 1:
            raise forms.ValidationError(_("Questo tipo di sezione mostra un solo indicatore: indicarne uno."))
        return codes

    def clean_areas(self):
        codes = _codes(self.cleaned_data.get("areas"))
        tokens = [c for c in codes if c.startswith("$")]
        bad_tokens = [t for t in tokens if t not in sections.AREA_TOKENS]
        literal = [c.upper() for c in codes if not c.startswith("$")]
        known = set(Area.objects.filter(code__in=literal).values_list("code", flat=True))
        unknown = [c for c in literal if c not in known] + bad_tokens
        if unknown:
            raise forms.ValidationError(
                _("Aree inesistenti: %(codes)s. %(help)s") % {"codes": ", ".join(unknown), "help": AREA_HELP}
            )
        return [c if c.startswith("$") else c.upper() for c in codes]

    def clean_year(self):
        year = (self.cleaned_data.get("year") or "").strip()
        if year in ("", "latest"):
            return year
        if not year.isdigit() or not 1900 <= int(year) <= 2100:
            raise forms.ValidationError(
                _("Anno «%(y)s» non valido. %(help)s") % {"y": year, "help": YEAR_HELP}
            )
        return int(year)

    def clean_config(self):
        raw = (self.cleaned_data.get("config") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("JSON non valido alla riga %(line)s, colonna %(col)s: %(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(
                _("Le altre impostazioni devono essere un oggetto JSON tra parentesi graffe")
            )
        return value

    def section_config(self) -> dict:
        d = self.cleaned_data
        cfg = dict(d.get("config") or {})
        if d.get("indicators"):
            if self.kind in ("indicator", "chart", "map"):
                cfg["indicator"] = d["indicators"][0]
            else:
                cfg["indicators"] = d["indicators"]
        if d.get("areas"):
            key = {"comparison_table": "benchmarks", "key_facts": "compare"}.get(self.kind, "areas")
            cfg[key] = d["areas"]
        if d.get("year") not in (None, ""):
            cfg["year"] = d["year"]
        if d.get("from_year"):
            cfg["from_year"] = d["from_year"]
        return cfg


class AreaForm(forms.Form):
    area = forms.CharField(
        label=_("Comune o ambito"),
        max_length=48,
        help_text=_("Codice ISTAT del comune (es. 019036) o codice dell'ambito (es. AMB-CREMONESE)"),
    )

    def clean_area(self):
        code = self.cleaned_data["area"].strip().upper()
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise forms.ValidationError(
                _("Nessuna area con codice «%(code)s»: cercare il nome e scegliere dall'elenco.")
                % {"code": code}
            )
        if area.level not in ("comune", "ambito"):
            raise forms.ValidationError(_("Il profilo si genera per un comune o per un ambito."))
        return code
