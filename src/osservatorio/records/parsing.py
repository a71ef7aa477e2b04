"""Reading one cell value as a typed value, the way Italian offices write it.

Plain Python. Each parser returns the value or raises `Invalid` with the reason in Italian (without the
value itself when the field is identifying: the caller decides what to quote). The validator calls them
once per distinct value of a column, so they can be exact rather than clever.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from .fields import KIND_WORDS, norm


class Invalid(ValueError):
    def __init__(self, rule: str, reason: str):
        self.rule = rule
        self.reason = reason
        super().__init__(reason)


EXCEL_EPOCH = date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:[.,]0+)?$")
DATE_HELP = "scrivere la data come gg/mm/aaaa (es. 15/04/2020) o aaaa-mm-gg"


def parse_date(text: str) -> date:
    text = text.strip()
    try:
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _YMD.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise Invalid("data_non_valida", f"la data non esiste nel calendario: {DATE_HELP}") from None
    if _SERIAL.match(text):
        # A date cell that lost its format in Excel shows its serial number (days since 30/12/1899).
        serial = int(re.split(r"[.,]", text)[0])
        if 1 <= serial <= 73050:
            return EXCEL_EPOCH + timedelta(days=serial)
    raise Invalid("data_non_valida", f"non è una data riconoscibile: {DATE_HELP}")


_IT_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_EN_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_amount(text: str) -> Decimal:
    """Euro amount with two decimals. Italian style (1.234,56) is tried first, then 1234.56 or 1,234.56;
    a value that would need more than two decimals is refused rather than guessed (1,234 could be
    one euro or a thousand)."""
    t = re.sub(r"(?i)(eur|euro|€)", "", text).replace("\u00a0", "").replace(" ", "").replace("'", "")
    if _IT_NUMBER.match(t) and not (("." in t) and ("," not in t) and not re.search(r"\.\d{3}$", t)):
        value = t.replace(".", "").replace(",", ".")
    elif _EN_NUMBER.match(t):
        value = t.replace(",", "")
    else:
        raise Invalid(
            "importo_non_valido",
            "non è un importo in euro: scrivere ad es. 1.234,56 oppure 1234,56 (senza altre parole)",
        )
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise Invalid("importo_non_valido", "non è un importo in euro") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(
            "importo_ambiguo",
            "l'importo ha più di due decimali e può essere letto in due modi: scrivere ad es. 1.234,00 "
            "per milleduecentotrentaquattro euro o 1,23 per un euro e ventitré",
        )
    if amount < 0:
        raise Invalid("importo_negativo", "l'importo è negativo: indicare il valore erogato (positivo)")
    if amount >= Decimal("1e9"):
        raise Invalid("importo_non_valido", "l'importo supera un miliardo di euro: controllare la cella")
    return amount.quantize(Decimal("0.01"))


_SEX = {
    "m": "M",
    "maschio": "M",
    "maschile": "M",
    "uomo": "M",
    "f": "F",
    "femmina": "F",
    "femminile": "F",
    "donna": "F",
}


def parse_sex(text: str) -> str:
    try:
        return _SEX[norm(text)]
    except KeyError:
        raise Invalid("sesso_non_valido", "il sesso va indicato come M o F") from None


_CITIZENSHIP = {
    "italiana": "italiana",
    "italiano": "italiana",
    "italia": "italiana",
    "it": "italiana",
    "ita": "italiana",
    "ue": "ue",
    "comunitaria": "ue",
    "comunitario": "ue",
    "unione europea": "ue",
    "ue non italiana": "ue",
    "extra ue": "extra_ue",
    "extraue": "extra_ue",
    "extracomunitaria": "extra_ue",
    "extracomunitario": "extra_ue",
    "non ue": "extra_ue",
    "extra ue apolide": "extra_ue",
    "apolide": "extra_ue",
}


def parse_citizenship(text: str) -> str:
    try:
        return _CITIZENSHIP[norm(text)]
    except KeyError:
        raise Invalid(
            "cittadinanza_non_valida", "la cittadinanza va indicata come «italiana», «UE» o «extra-UE»"
        ) from None


def parse_household_size(text: str) -> int:
    t = text.strip()
    if re.fullmatch(r"\d{1,2}(?:[.,]0+)?", t):
        n = int(re.split(r"[.,]", t)[0])
        if 1 <= n <= 30:
            return n
    raise Invalid("componenti_non_valido", "il numero di componenti deve essere un intero tra 1 e 30")


def parse_kind(text: str) -> str:
    try:
        return KIND_WORDS[norm(text)]
    except KeyError:
        raise Invalid(
            "tipo_non_valido",
            "tipo non riconosciuto: usare utente, prestazione, richiesta di aiuto, buono spesa o domanda",
        ) from None


_CIVIC = re.compile(
    r"(?:[,\s]+(?:n|nr|num|n\.|civ|civico)?\.?\s*\d+[a-z]?(?:\s*/\s*[a-z0-9]+)?|[,\s]+snc)\s*$"
)
_STREET_ABBREVIATIONS = {
    "v": "via",
    "p za": "piazza",
    "pza": "piazza",
    "p zza": "piazza",
    "pzza": "piazza",
    "c so": "corso",
    "cso": "corso",
    "v le": "viale",
    "vle": "viale",
    "l go": "largo",
    "lgo": "largo",
    "p le": "piazzale",
    "ple": "piazzale",
    "vic": "vicolo",
}


def street_key(address: str) -> str:
    """An address reduced to its street: no civic number, no accents or case, common abbreviations
    expanded («P.zza Roma, 12/A» → «piazza roma»)."""
    text = address.strip().lower()
    previous = None
    while previous != text:
        previous = text
        text = _CIVIC.sub("", text)
    key = norm(text)
    for short, full in sorted(_STREET_ABBREVIATIONS.items(), key=lambda p: -len(p[0])):
        if key.startswith(short + " "):
            key = full + key[len(short) :]
            break
    return key


AGE_BANDS = (
    (0, 17, "0-17"),
    (18, 34, "18-34"),
    (35, 49, "35-49"),
    (50, 64, "50-64"),
    (65, 74, "65-74"),
    (75, 200, "75+"),
)


def age_band(age: int) -> str:
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    raise ValueError(age)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
