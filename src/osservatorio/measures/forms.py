"""Validation of user input: the screening household (with a formset of members) and catalogue edits."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Measure
from .screening.household import Household, Member

TRI = [("", _("non so")), ("1", _("sì")), ("0", _("no"))]
FIRST_DATE = date(2019, 1, 1)


def _tri(value: str) -> bool | None:
    return None if value in ("", None) else value == "1"


class TriField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=TRI, required=False, **kwargs)


def money(label, help_text=""):
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=12, decimal_places=2, help_text=help_text,
        error_messages={"min_value": _("Il valore non può essere negativo."), "invalid": _("Scrivere un numero, ad esempio 8500,50.")},
    )  # fmt: skip


class MemberForm(forms.Form):
    relazione = forms.ChoiceField(
        label=_("Relazione con il richiedente"),
        required=False,
        choices=[("", _("— nessun componente —")), ("richiedente", _("Richiedente")), ("coniuge", _("Coniuge o convivente")),
                 ("figlio", _("Figlio o figlia")), ("altro", _("Altro componente"))],
    )  # fmt: skip
    eta = forms.IntegerField(label=_("Età (anni)"), required=False, min_value=0, max_value=120,
                             error_messages={"min_value": _("L'età non può essere negativa."), "max_value": _("Età oltre 120 anni non plausibile.")})  # fmt: skip
    data_nascita = forms.DateField(label=_("Data di nascita"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("Obbligatoria sotto i 3 anni."))  # fmt: skip
    disabilita = forms.ChoiceField(
        label=_("Disabilità (ai fini ISEE)"),
        choices=[("nessuna", _("Nessuna")), ("media", _("Media")), ("grave", _("Grave")), ("non_autosufficiente", _("Non autosufficienza"))],
    )  # fmt: skip
    lavora = forms.BooleanField(label=_("Lavora (almeno 6 mesi nell'anno)"), required=False)
    in_formazione = forms.BooleanField(label=_("Studia o è in formazione"), required=False)
    percepisce_naspi = TriField(label=_("Riceve NASpI, DIS-COLL o CIG"))
    percepisce_pensione = TriField(label=_("Riceve una pensione"))
    in_programma_cura = TriField(label=_("In carico ai servizi per svantaggio certificato"))
    scuola = forms.ChoiceField(
        label=_("Scuola frequentata"),
        choices=[("nessuna", _("Nessuna")), ("nido", _("Asilo nido")), ("infanzia", _("Infanzia")), ("primaria", _("Primaria")),
                 ("secondaria_primo_grado", _("Secondaria di primo grado")), ("secondaria_secondo_grado", _("Secondaria di secondo grado")),
                 ("iefp", _("IeFP")), ("universita", _("Università"))],
    )  # fmt: skip
    scuola_paritaria = forms.BooleanField(label=_("Scuola paritaria a pagamento"), required=False)
    retta_nido_mensile = money(_("Retta mensile del nido (€, senza pasti)"))
    reddito_personale = money(_("Reddito personale annuo (€)"))

    def clean(self):
        data = super().clean()
        if data.get("relazione") and data.get("eta") is None and data.get("data_nascita") is None:
            self.add_error("eta", _("Indicare l'età o la data di nascita."))
        return data

    def to_member(self) -> Member | None:
        d = self.cleaned_data
        if not d.get("relazione"):
            return None
        return Member(
            relazione=d["relazione"],
            eta=d.get("eta"),
            data_nascita=d.get("data_nascita"),
            disabilita=d.get("disabilita") or "nessuna",
            lavora=bool(d.get("lavora")),
            in_formazione=bool(d.get("in_formazione")),
            percepisce_naspi=_tri(d.get("percepisce_naspi")),
            percepisce_pensione=_tri(d.get("percepisce_pensione")),
            in_programma_cura=_tri(d.get("in_programma_cura")),
            scuola=d.get("scuola") or "nessuna",
            scuola_paritaria=bool(d.get("scuola_paritaria")),
            retta_nido_mensile=_float(d.get("retta_nido_mensile")),
            reddito_personale=_float(d.get("reddito_personale")),
        )


MemberFormSet = forms.formset_factory(MemberForm, extra=0, min_num=1, max_num=12, validate_max=True)


def _float(value) -> float | None:
    return None if value is None else float(value)


class HouseholdForm(forms.Form):
    data_riferimento = forms.DateField(
        label=_("Data a cui riferire lo screening"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Le regole cambiano nel tempo: si applicano quelle in vigore in questa data."),
    )  # fmt: skip
    comune_residenza = forms.CharField(
        label=_("Comune di residenza (codice ISTAT)"), required=False, max_length=6
    )
    cittadinanza = forms.ChoiceField(
        label=_("Cittadinanza o permesso del richiedente"),
        choices=[("non_nota", _("Non so")), ("italiana_ue", _("Italiana o UE")), ("lungo_soggiornante", _("Permesso UE di lungo periodo")),
                 ("protezione_internazionale", _("Protezione internazionale o apolide")), ("permesso_lavoro", _("Permesso unico di lavoro o ricerca")),
                 ("altro_permesso", _("Altro permesso di soggiorno"))],
    )  # fmt: skip
    anni_residenza_italia = forms.DecimalField(
        label=_("Anni di residenza in Italia del richiedente"),
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=1,
    )
    residenza_continuativa = TriField(label=_("Residente senza interruzioni negli ultimi 2 anni"))
    isee = money(_("ISEE ordinario (€)"), _("Dall'attestazione INPS, se c'è."))
    isee_minorenni = money(_("ISEE per prestazioni ai minorenni (€)"), _("Se diverso dall'ordinario."))
    isr = money(_("ISR (€)"))
    isp = money(_("ISP (€)"))
    reddito_familiare = money(_("Reddito familiare annuo (€)"), _("Redditi del nucleo ai fini ADI/RdC."))
    patrimonio_mobiliare = money(_("Patrimonio mobiliare (€)"), _("Depositi, conti, titoli."))
    patrimonio_immobiliare = money(_("Patrimonio immobiliare esclusa la casa (€)"))
    valore_casa = money(_("Valore IMU della casa di abitazione (€)"))
    alloggio = forms.ChoiceField(
        label=_("Abitazione"),
        choices=[("non_noto", _("Non so")), ("proprieta", _("Di proprietà")), ("affitto_libero", _("Affitto libero o concordato")),
                 ("affitto_sas", _("Affitto in servizi abitativi sociali (SAS)")), ("affitto_sap", _("Alloggio pubblico (SAP/ERP)")),
                 ("altro", _("Altro (comodato, ospite, senza dimora)"))],
    )  # fmt: skip
    canone_mensile = money(_("Canone mensile registrato (€)"))
    mesi_contratto_affitto = forms.IntegerField(
        label=_("Mesi di residenza con contratto registrato"), required=False, min_value=0
    )
    percepisce_rdc = TriField(label=_("Il nucleo riceve RdC o PdC"))
    percepisce_adi = TriField(label=_("Il nucleo riceve l'Assegno di inclusione"))
    altri_sostegni_pubblici = TriField(label=_("Il nucleo riceve altri sostegni pubblici al reddito"))
    comune_aderisce_nidi_gratis = TriField(label=_("Il nido frequentato aderisce a Nidi Gratis"))
    indennita_maternita = money(_("Indennità di maternità già ricevuta (€)"))
    sfratto_in_corso = TriField(label=_("Sfratto in corso"))
    casa_adeguata_lombardia = TriField(label=_("Proprietà di un alloggio adeguato in Lombardia"))
    perdita_reddito_25 = TriField(label=_("Perdita di reddito oltre il 25% nell'ultimo anno"))

    GROUPS = {
        "economic": ("isee", "isee_minorenni", "isr", "isp", "reddito_familiare", "patrimonio_mobiliare",
                     "patrimonio_immobiliare", "valore_casa"),
        "housing": ("alloggio", "canone_mensile", "mesi_contratto_affitto", "sfratto_in_corso", "casa_adeguata_lombardia"),
        "other": ("percepisce_rdc", "percepisce_adi", "altri_sostegni_pubblici", "comune_aderisce_nidi_gratis",
                  "indennita_maternita", "perdita_reddito_25"),
    }  # fmt: skip

    @property
    def economic_fields(self):
        return [self[n] for n in self.GROUPS["economic"]]

    @property
    def housing_fields(self):
        return [self[n] for n in self.GROUPS["housing"]]

    @property
    def other_fields(self):
        return [self[n] for n in self.GROUPS["other"]]

    def __init__(self, *args, last_date: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_date = last_date or date(date.today().year + 1, 12, 31)

    def clean_data_riferimento(self):
        value = self.cleaned_data["data_riferimento"]
        if value < FIRST_DATE or value > self.last_date:
            raise forms.ValidationError(
                _(
                    "Le regole coprono il periodo dal %(start)s al %(end)s: scegliere una data in questo intervallo."
                )
                % {"start": FIRST_DATE.strftime("%d/%m/%Y"), "end": self.last_date.strftime("%d/%m/%Y")}
            )
        return value

    def clean_comune_residenza(self):
        value = (self.cleaned_data.get("comune_residenza") or "").strip()
        if value and (len(value) != 6 or not value.isdigit()):
            raise forms.ValidationError(_("Il codice ISTAT del comune ha 6 cifre, ad esempio 019036."))
        return value

    def to_household(self, members: list[Member]) -> Household:
        d = self.cleaned_data
        tri = ("residenza_continuativa", "percepisce_rdc", "percepisce_adi", "altri_sostegni_pubblici",
               "comune_aderisce_nidi_gratis", "sfratto_in_corso", "casa_adeguata_lombardia", "perdita_reddito_25")  # fmt: skip
        numbers = ("anni_residenza_italia", "isee", "isee_minorenni", "isr", "isp", "reddito_familiare",
                   "patrimonio_mobiliare", "patrimonio_immobiliare", "valore_casa", "canone_mensile",
                   "mesi_contratto_affitto", "indennita_maternita")  # fmt: skip
        return Household(
            members=members,
            comune_residenza=d.get("comune_residenza") or "",
            cittadinanza=d.get("cittadinanza") or "non_nota",
            alloggio=d.get("alloggio") or "non_noto",
            **{k: _tri(d.get(k)) for k in tri},
            **{k: _float(d.get(k)) for k in numbers},
        )


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "name", "short_name", "level", "kind", "summary", "legal_basis", "valid_from", "valid_to", "validity_note",
            "target", "target_groups", "benefit_form", "amount_rules", "requirements", "channel", "office", "documents",
            "deadlines", "managed_by", "funding", "comune_code", "regione_code", "predecessor", "reliability", "uncertainty",
        ]  # fmt: skip
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "target_groups": forms.CheckboxSelectMultiple,
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("La data di fine non può precedere quella di inizio."))
        predecessor = data.get("predecessor")
        if predecessor and self.instance.pk and predecessor.pk == self.instance.pk:
            self.add_error("predecessor", _("Una misura non può precedere sé stessa."))
        return data
