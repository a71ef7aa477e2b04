from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import registry
from .reading import EXCEL_SUFFIXES, human_size

ACCEPTED = {".csv", ".txt", ".gz", *EXCEL_SUFFIXES} - {".xlsm"}


def dataset_choices():
    return [(d.key, f"{d.title} ({d.key})") for d in registry.datasets().values() if d.files]


class UploadForm(forms.Form):
    dataset = forms.ChoiceField(label=_("Dataset"), choices=dataset_choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (qualsiasi codifica e separatore), .csv.gz o foglio Excel .xlsx; senza macro."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name or ""
        suffix = Path(name).suffix.lower()
        if suffix not in ACCEPTED:
            raise forms.ValidationError(
                _("Formato «%(suffix)s» non accettato: carica un CSV, un .csv.gz o un .xlsx senza macro.")
                % {"suffix": suffix or "?"}
            )
        limit = settings.OSSERVATORIO_UPLOAD_MAX_BYTES
        if limit and f.size > limit:
            raise forms.ValidationError(
                _("Il file è troppo grande (%(size)s; il limite è %(limit)s).")
                % {"size": human_size(f.size), "limit": human_size(limit)}
            )
        if f.size == 0:
            raise forms.ValidationError(_("Il file è vuoto."))
        return f
