"""The household described at the front desk, and the checks that catch impossible ones.

None means "non noto": the engine turns it into "da verificare", never into a yes or a no.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

RELATIONS = ("richiedente", "coniuge", "figlio", "altro")
DISABILITIES = ("nessuna", "media", "grave", "non_autosufficiente")
SCHOOLS = (
    "nessuna", "nido", "infanzia", "primaria", "secondaria_primo_grado", "secondaria_secondo_grado", "iefp", "universita",
)  # fmt: skip
CITIZENSHIPS = (
    "non_nota", "italiana_ue", "lungo_soggiornante", "protezione_internazionale", "permesso_lavoro", "altro_permesso",
)  # fmt: skip
HOUSING = ("non_noto", "proprieta", "affitto_libero", "affitto_sas", "affitto_sap", "altro")

# Smallest plausible age gap between the applicant and a child of theirs.
MIN_PARENT_GAP = 12
# Tolerance when checking a declared ISEE against ISR, ISP and the scale (rounding, scale details).
ISEE_TOLERANCE_EUR = 50.0
ISEE_TOLERANCE_SHARE = 0.03


@dataclass
class Member:
    relazione: str
    eta: int | None = None
    data_nascita: date | None = None
    disabilita: str = "nessuna"
    lavora: bool = False
    in_formazione: bool = False
    percepisce_naspi: bool | None = None
    percepisce_pensione: bool | None = None
    in_programma_cura: bool | None = None
    scuola: str = "nessuna"
    scuola_paritaria: bool = False
    retta_nido_mensile: float | None = None
    reddito_personale: float | None = None

    def age_on(self, on: date) -> int | None:
        if self.data_nascita is not None:
            d = self.data_nascita
            return on.year - d.year - ((on.month, on.day) < (d.month, d.day))
        return self.eta


@dataclass
class Household:
    members: list[Member] = field(default_factory=list)
    comune_residenza: str = ""
    cittadinanza: str = "non_nota"
    anni_residenza_italia: float | None = None
    residenza_continuativa: bool | None = None
    isee: float | None = None
    isee_minorenni: float | None = None
    isr: float | None = None
    isp: float | None = None
    reddito_familiare: float | None = None
    patrimonio_mobiliare: float | None = None
    patrimonio_immobiliare: float | None = None
    valore_casa: float | None = None
    alloggio: str = "non_noto"
    canone_mensile: float | None = None
    mesi_contratto_affitto: float | None = None
    percepisce_rdc: bool | None = None
    percepisce_adi: bool | None = None
    altri_sostegni_pubblici: bool | None = None
    comune_aderisce_nidi_gratis: bool | None = None
    indennita_maternita: float | None = None
    sfratto_in_corso: bool | None = None
    casa_adeguata_lombardia: bool | None = None
    perdita_reddito_25: bool | None = None


@dataclass(frozen=True)
class Problem:
    """An input the engine cannot judge. `field` names the form field (member index for members).

    `message` is the Italian text; `template` and `params` let the pages translate it (no Django here:
    the templates are marked with `gettext_noop` for the app's catalogue)."""

    field: str
    message: str
    member: int | None = None
    template: str = ""
    params: dict = field(default_factory=dict)


def gettext_noop(text: str) -> str:
    """Marks a message for translation (extracted by makemessages); translated by the pages."""
    return text


def problem(field_name: str, template: str, member: int | None = None, **params) -> Problem:
    return Problem(field_name, template % params, member, template, params)


MONEY_FIELDS = {
    "isee": gettext_noop("ISEE"),
    "isee_minorenni": gettext_noop("ISEE minorenni"),
    "isr": gettext_noop("ISR"),
    "isp": gettext_noop("ISP"),
    "reddito_familiare": gettext_noop("reddito familiare"),
    "patrimonio_mobiliare": gettext_noop("patrimonio mobiliare"),
    "patrimonio_immobiliare": gettext_noop("patrimonio immobiliare"),
    "valore_casa": gettext_noop("valore della casa"),
    "canone_mensile": gettext_noop("canone mensile"),
    "indennita_maternita": gettext_noop("indennità di maternità"),
    "anni_residenza_italia": gettext_noop("anni di residenza in Italia"),
    "mesi_contratto_affitto": gettext_noop("mesi di contratto"),
}


def problems(household: Household, on: date) -> list[Problem]:
    """Everything that makes the household impossible or unjudgeable, in Italian, per field."""
    found: list[Problem] = []
    if not household.members:
        return [
            problem("members", gettext_noop("Indicare almeno un componente del nucleo (il richiedente)."))
        ]
    applicants = [i for i, m in enumerate(household.members) if m.relazione == "richiedente"]
    if len(applicants) != 1:
        found.append(
            problem(
                "members",
                gettext_noop("Il nucleo deve avere un solo richiedente (ora %(n)s)."),
                n=len(applicants),
            )
        )
    partners = [i for i, m in enumerate(household.members) if m.relazione == "coniuge"]
    if len(partners) > 1:
        found.append(
            problem(
                "members", gettext_noop("Il nucleo può avere un solo coniuge o convivente del richiedente.")
            )
        )
    for i, m in enumerate(household.members):
        if m.relazione not in RELATIONS:
            found.append(
                problem("relazione", gettext_noop("Relazione «%(value)s» non valida."), i, value=m.relazione)
            )
        if m.data_nascita is not None and m.data_nascita > on:
            found.append(
                problem(
                    "data_nascita",
                    gettext_noop(
                        "La data di nascita %(birth)s è successiva alla data di riferimento %(on)s."
                    ),
                    i,
                    birth=m.data_nascita.isoformat(),
                    on=on.isoformat(),
                )
            )
        age = m.age_on(on)
        if age is None:
            found.append(problem("eta", gettext_noop("Indicare l'età o la data di nascita."), i))
        elif age < 0 or age > 120:
            found.append(
                problem(
                    "eta",
                    gettext_noop("Età %(age)s non plausibile: indicare un valore tra 0 e 120 anni."),
                    i,
                    age=age,
                )
            )
        elif age < 3 and m.data_nascita is None:
            found.append(
                problem(
                    "data_nascita",
                    gettext_noop(
                        "Per i bambini sotto i 3 anni indicare la data di nascita (contano i mesi)."
                    ),
                    i,
                )
            )
        if m.retta_nido_mensile is not None and m.retta_nido_mensile < 0:
            found.append(problem("retta_nido_mensile", gettext_noop("La retta non può essere negativa."), i))
        if m.reddito_personale is not None and m.reddito_personale < 0:
            found.append(
                problem("reddito_personale", gettext_noop("Il reddito personale non può essere negativo."), i)
            )
    if len(applicants) == 1:
        head = household.members[applicants[0]]
        head_age = head.age_on(on)
        for i, m in enumerate(household.members):
            age = m.age_on(on)
            if (
                m.relazione == "figlio"
                and age is not None
                and head_age is not None
                and age > head_age - MIN_PARENT_GAP
            ):
                found.append(
                    problem(
                        "eta",
                        gettext_noop(
                            "Un figlio di %(age)s anni con un richiedente di %(head)s anni non è possibile: "
                            "controllare le età o la relazione (ad esempio «altro» per un fratello)."
                        ),
                        i,
                        age=age,
                        head=head_age,
                    )
                )
    for name, label in MONEY_FIELDS.items():
        value = getattr(household, name)
        if value is not None and value < 0:
            found.append(
                problem(
                    name,
                    gettext_noop("Il valore di %(label)s non può essere negativo (%(value).2f)."),
                    label=label,
                    value=value,
                )
            )
    if household.alloggio not in HOUSING:
        found.append(
            problem(
                "alloggio",
                gettext_noop("Titolo di godimento «%(value)s» non valido."),
                value=household.alloggio,
            )
        )
    if household.alloggio.startswith("affitto") and household.canone_mensile is None:
        pass  # rent unknown: the engine answers "da verificare" where it matters
    if household.comune_residenza and (
        len(household.comune_residenza) != 6 or not household.comune_residenza.isdigit()
    ):
        found.append(
            problem("comune_residenza", gettext_noop("Il codice ISTAT del comune ha 6 cifre (es. 019036)."))
        )
    return found
