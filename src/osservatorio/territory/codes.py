"""Shapes of area codes: which strings can be a territorial code at all (before asking the database)."""

import re

ITALIA = "IT"

_PATTERNS = [
    re.compile(r"IT"),  # Italia
    re.compile(r"\d{2}"),  # regione (ISTAT)
    re.compile(r"\d{3}"),  # provincia / unità territoriale sovracomunale (ISTAT)
    re.compile(r"\d{6}"),  # comune (ISTAT)
    re.compile(r"\d{6}-Q\d{2,3}"),  # quartiere of a comune
    re.compile(r"AMB-[A-Z0-9][A-Z0-9-]{0,40}"),  # ambito territoriale sociale
    re.compile(r"CUS-[A-Z0-9][A-Z0-9-]{0,40}"),  # custom grouping
]

CODE_HELP = (
    "usa un codice ISTAT (03 per una regione, 019 per una provincia, 019036 per un comune), "
    "un codice di ambito (es. AMB-CREMONESE) o di quartiere (es. 019036-Q01)"
)


def normalize_code(raw: str) -> str:
    return (raw or "").strip().upper()


def is_well_formed(code: str) -> bool:
    return any(p.fullmatch(code) for p in _PATTERNS)


def ambito_code(name: str) -> str:
    """AMB-<NAME> from a free name: "Casalasco / Oglio Po" -> AMB-CASALASCO-OGLIO-PO."""
    from .normalize import search_key

    return "AMB-" + search_key(name).upper().replace(" ", "-")
