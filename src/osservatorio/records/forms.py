from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import FIELDS
from .models import RecordKind
from .reading import CSV_EXTENSIONS, SPREADSHEETS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File dei dati (CSV o foglio di calcolo)"),
        allow_empty_file=True,  # our own check says why, naming the file
        help_text=_(
            "Formati: .csv, .txt, .xlsx, .xls, .ods. Il file resta in un'area riservata e viene cancellato dopo l'importazione."
        ),
    )
    source_name = forms.CharField(
        label=_("Nome della fonte"),
        max_length=120,
        help_text=_(
            "Ad esempio «Buoni spesa 2020 - Servizi sociali». La mappatura delle colonne viene salvata con questo nome e riproposta ai caricamenti successivi."
        ),
    )

    def __init__(self, *args, mapping_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        accept = ",".join(sorted(CSV_EXTENSIONS | SPREADSHEETS - {".xlsm"}))
        self.fields["file"].widget.attrs.update({"accept": accept, "class": "form-control"})
        self.fields["source_name"].widget.attrs.update(
            {"list": "fonti-salvate", "class": "form-control", "autocomplete": "off"}
        )
        self.mapping_names = list(mapping_names)


class MappingForm(forms.Form):
    """One select per field (which column holds it) and, for some fields, a value for the whole file."""

    def __init__(self, *args, headers: list[str], initial_columns: dict, initial_fixed: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— nessuna colonna —"))] + [(h, h) for h in headers]
        self.field_rows = []
        for f in FIELDS:
            name = f"col_{f.name}"
            self.fields[name] = forms.ChoiceField(
                label=f"{f.label} ({_('obbligatorio')})" if f.required else f.label,
                choices=choices,
                required=False,
                initial=initial_columns.get(f.name, ""),
                help_text=f.help,
            )
            self.fields[name].widget.attrs["class"] = "form-select"
            fixed_name = None
            if f.fixable:
                fixed_name = f"fix_{f.name}"
                if f.name == "tipo":
                    field = forms.ChoiceField(
                        choices=[("", _("— dalla colonna —"))] + list(RecordKind.choices), required=False
                    )
                    field.widget.attrs["class"] = "form-select"
                elif f.name == "data":
                    field = forms.DateField(
                        required=False,
                        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                    )
                else:
                    field = forms.CharField(
                        required=False,
                        max_length=200,
                        widget=forms.TextInput(attrs={"class": "form-control"}),
                    )
                field.label = _("%(campo)s: valore per tutte le righe") % {"campo": f.label}
                field.initial = initial_fixed.get(f.name, "")
                self.fields[fixed_name] = field
            self.field_rows.append((f, self[name], self[fixed_name] if fixed_name else None))

    def clean(self):
        data = super().clean()
        used: dict[str, str] = {}
        for f in FIELDS:
            header = data.get(f"col_{f.name}")
            if header:
                if header in used:
                    self.add_error(
                        f"col_{f.name}",
                        _("La colonna «%(h)s» è già associata a «%(f)s».") % {"h": header, "f": used[header]},
                    )
                used[header] = f.label
            fixed = data.get(f"fix_{f.name}") if f.fixable else None
            if f.required and not header and not fixed:
                self.add_error(
                    f"col_{f.name}",
                    _("Campo obbligatorio: scegliere la colonna che lo contiene%(o)s.")
                    % {"o": _(" o indicare un valore per tutte le righe") if f.fixable else ""},
                )
        if not data.get("col_tipo") and not data.get("fix_tipo"):
            self.add_error(
                "fix_tipo",
                _("Indicare il tipo di dato del file (ad es. «Buoni spesa») o la colonna che lo contiene."),
            )
        return data

    def mapping(self):
        from .validation import Mapping

        columns = {
            f.name: self.cleaned_data[f"col_{f.name}"]
            for f in FIELDS
            if self.cleaned_data.get(f"col_{f.name}")
        }
        fixed = {}
        for f in FIELDS:
            value = self.cleaned_data.get(f"fix_{f.name}") if f.fixable else None
            if value and f.name not in columns:
                fixed[f.name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return Mapping(columns=columns, fixed=fixed)


class ConfirmForm(forms.Form):
    valid_only = forms.BooleanField(
        required=False,
        label=_("Importa solo le righe valide e scarta quelle con errori"),
    )
