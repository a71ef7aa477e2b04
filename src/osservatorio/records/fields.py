"""The fields a service record can carry, and the Italian column names offices use for them.

Plain Python. A field is either read from a column of the file or fixed for the whole file in the
mapping (e.g. every row of a "Buoni spesa 2020" file is a buono spesa).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    # Identifying input: read to derive something, never stored and never quoted in error messages.
    identifying: bool = False
    fixable: bool = False  # may be given once for the whole file instead of a column
    synonyms: tuple[str, ...] = ()
    help: str = ""


FIELDS: tuple[Field, ...] = (
    Field(
        "codice_fiscale",
        "Codice fiscale",
        required=True,
        identifying=True,
        synonyms=(
            "codice fiscale",
            "cod fiscale",
            "cod fisc",
            "cf",
            "c f",
            "codice fiscale richiedente",
            "codice fiscale beneficiario",
            "codice fiscale utente",
            "codfisc",
            "codicefiscale",
        ),
        help="Sostituito da uno pseudonimo; non viene conservato.",
    ),
    Field(
        "data_nascita",
        "Data di nascita",
        identifying=True,
        synonyms=(
            "data di nascita",
            "data nascita",
            "nato il",
            "nata il",
            "nato a il",
            "data nasc",
            "dt nascita",
        ),
        help="Serve solo a calcolare età e fascia d'età e a controllare il codice fiscale; non viene conservata.",
    ),
    Field("sesso", "Sesso", synonyms=("sesso", "genere", "m f", "sex")),
    Field(
        "comune",
        "Comune di residenza (nome o codice ISTAT)",
        required=True,
        fixable=True,
        synonyms=(
            "comune di residenza",
            "comune residenza",
            "comune",
            "residenza",
            "codice istat",
            "codice istat comune",
            "cod istat",
            "istat",
            "comune residenza richiedente",
            "citta",
        ),
    ),
    Field(
        "indirizzo",
        "Indirizzo (via)",
        identifying=True,
        synonyms=(
            "indirizzo",
            "via",
            "indirizzo di residenza",
            "indirizzo residenza",
            "via piazza",
            "residenza via",
            "strada",
        ),
        help="Serve solo a trovare il quartiere; via e numero civico non vengono conservati.",
    ),
    Field(
        "data",
        "Data (della domanda, erogazione o presa in carico)",
        required=True,
        fixable=True,
        synonyms=(
            "data",
            "data domanda",
            "data richiesta",
            "data erogazione",
            "data presentazione",
            "data pagamento",
            "data presa in carico",
            "data accesso",
            "data consegna",
            "data protocollo",
        ),
    ),
    Field(
        "importo",
        "Importo (euro)",
        synonyms=(
            "importo",
            "euro",
            "importo euro",
            "importo erogato",
            "importo contributo",
            "valore",
            "valore buono",
            "contributo",
            "ammontare",
            "importo buono",
            "importo buoni",
        ),
    ),
    Field(
        "cittadinanza",
        "Cittadinanza (italiana, UE, extra-UE)",
        synonyms=("cittadinanza", "nazionalita", "cittadinanza richiedente", "stato cittadinanza"),
    ),
    Field(
        "componenti",
        "Componenti del nucleo familiare",
        synonyms=(
            "componenti",
            "numero componenti",
            "n componenti",
            "componenti nucleo",
            "nucleo familiare",
            "componenti nucleo familiare",
            "n componenti nucleo",
            "numero componenti nucleo",
        ),
    ),
    Field(
        "prestazione",
        "Prestazione o servizio",
        fixable=True,
        synonyms=(
            "prestazione",
            "servizio",
            "misura",
            "tipo contributo",
            "intervento",
            "tipologia intervento",
            "bando",
            "avviso",
        ),
    ),
    Field(
        "tipo",
        "Tipo di dato",
        fixable=True,
        synonyms=("tipo record", "tipo di dato", "tipologia record"),
    ),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
# Columns that are read but never imported, recognised only to say so in the preview.
IGNORED_SYNONYMS = (
    "nome",
    "cognome",
    "nominativo",
    "cognome e nome",
    "nome e cognome",
    "telefono",
    "email",
    "civico",
    "numero civico",
    "n civico",
    "cellulare",
    "note",
    "comune di nascita",
    "luogo di nascita",
    "provincia",
    "cap",
    "stato di nascita",
)


def norm(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: «Cod. Fiscale» → «cod fiscale»."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_SYNONYMS = [(norm(s), f.name) for f in FIELDS for s in f.synonyms]
_SYNONYMS.sort(key=lambda p: -len(p[0]))  # the longest (most specific) phrase wins


def field_for_header(header: str) -> str | None:
    """Our field for a column name, or None. Exact phrase first, then a phrase contained in the name."""
    h = norm(header)
    if not h:
        return None
    for phrase, name in _SYNONYMS:
        if h == phrase:
            return name
    if h in IGNORED_SYNONYMS or "nascita" in h.split() and "data" not in h.split():
        return None
    padded = f" {h} "
    for phrase, name in _SYNONYMS:
        if len(phrase) > 2 and f" {phrase} " in padded:
            return name
    return None


def is_ignored_header(header: str) -> bool:
    return norm(header) in IGNORED_SYNONYMS


def score_header(names: list[str]) -> int:
    """How many distinct fields a candidate header row names (used to find the header)."""
    found = {field_for_header(n) for n in names if n}
    found.discard(None)
    ignored = sum(1 for n in names if n and is_ignored_header(n))
    return len(found) + ignored


def suggest(headers: list[str]) -> dict[str, str]:
    """field → header, each header used at most once, first matching column wins."""
    out: dict[str, str] = {}
    for header in headers:
        name = field_for_header(header)
        if name and name not in out:
            out[name] = header
    return out


# Kinds of record: value stored → (label, words offices use for it).
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "utente": (
        "Utenti del servizio",
        ("utente", "utenti", "utente del servizio", "presa in carico", "utenza"),
    ),
    "prestazione": (
        "Prestazioni e contributi erogati",
        ("prestazione", "prestazioni", "contributo", "contributi", "contributo erogato", "erogazione"),
    ),
    "richiesta_aiuto": (
        "Richieste di aiuto",
        ("richiesta di aiuto", "richiesta", "richieste di aiuto", "segnalazione"),
    ),
    "buono_spesa": ("Buoni spesa", ("buono spesa", "buoni spesa", "buono alimentare", "buoni alimentari")),
    "domanda_bando": ("Domande a bandi", ("domanda", "domanda bando", "domande a bandi", "candidatura")),
}
KIND_WORDS = {norm(w): k for k, (label, words) in KINDS.items() for w in (k, label, *words)}
