from django import forms
from django.utils.translation import gettext_lazy as _

from .composite import METHOD_LABEL
from .models import Indicator

LEVELS = [("comune", _("Comuni")), ("ambito", _("Ambiti")), ("provincia", _("Province"))]


class CompositeForm(forms.Form):
    name = forms.CharField(label=_("Nome dell'indice"), max_length=120, initial="Indice di fragilità")
    indicators = forms.MultipleChoiceField(
        label=_("Indicatori (almeno due)"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    negative_indicators = forms.MultipleChoiceField(
        label=_("Indicatori che riducono il fenomeno (direzione invertita)"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        required=False,
    )
    weights = forms.CharField(
        label=_("Pesi (codice=peso, separati da virgole; 1 se omesso)"), required=False, max_length=500
    )
    method = forms.ChoiceField(label=_("Normalizzazione"), choices=list(METHOD_LABEL.items()), initial="ampi")
    level = forms.ChoiceField(label=_("Aree"), choices=LEVELS, initial="comune")
    year = forms.IntegerField(label=_("Anno"), min_value=2000, max_value=2100, initial=2023)
    negative_phenomenon = forms.BooleanField(
        label=_("L'indice misura un fenomeno negativo (valori alti = più criticità)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(i.code, i.title_it) for i in Indicator.objects.filter(active=True).exclude(kind="count")]
        self.fields["indicators"].choices = choices
        self.fields["negative_indicators"].choices = choices

    def clean_indicators(self):
        value = self.cleaned_data["indicators"]
        if len(value) < 2:
            raise forms.ValidationError(_("Scegliere almeno due indicatori."))
        return value

    def clean_weights(self):
        raw = self.cleaned_data.get("weights") or ""
        out = {}
        for part in [p.strip() for p in raw.split(",") if p.strip()]:
            if "=" not in part:
                raise forms.ValidationError(
                    _("«%(p)s»: scrivere codice=peso, per esempio quota-75-piu=2") % {"p": part}
                )
            code, w = (x.strip() for x in part.split("=", 1))
            try:
                out[code] = float(w.replace(",", "."))
            except ValueError:
                raise forms.ValidationError(
                    _("«%(w)s» non è un numero (peso di %(c)s)") % {"w": w, "c": code}
                ) from None
            if out[code] < 0:
                raise forms.ValidationError(_("Il peso di %(c)s non può essere negativo") % {"c": code})
        return out
