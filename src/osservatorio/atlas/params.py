"""Query-string parsing for the atlas: every bad value becomes an Italian message naming the parameter."""

from __future__ import annotations

from osservatorio.territory import selectors as territory
from osservatorio.territory.models import Area

from .errors import UserFacing400

MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_COMPARE = 5


def one(request, name: str, default: str = "", max_len: int = 80) -> str:
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise UserFacing400(f"Il parametro «{name}» compare più volte: indicarne uno solo.")
    value = (values[0] if values else default).strip()
    if len(value) > max_len:
        raise UserFacing400(f"Il parametro «{name}» è troppo lungo (massimo {max_len} caratteri).")
    return value


def choice(request, name: str, choices, default: str) -> str:
    value = one(request, name, default)
    if value not in choices:
        raise UserFacing400(
            f"Valore «{value}» non valido per «{name}»: usare uno tra {', '.join(str(c) for c in choices)}."
        )
    return value


def year(request, name: str) -> int | None:
    value = one(request, name)
    if not value:
        return None
    if not value.isdigit():
        raise UserFacing400(
            f"«{value}» non è un anno: il parametro «{name}» vuole quattro cifre, ad esempio 2019."
        )
    y = int(value)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise UserFacing400(f"Anno {y} impossibile per «{name}»: usare un anno tra {MIN_YEAR} e {MAX_YEAR}.")
    return y


def area(request, name: str, default: str = "") -> Area | None:
    code = one(request, name, default)
    if not code:
        return None
    return territory.get_area(code)


def areas(request, name: str = "aree") -> list[Area]:
    raw = []
    for v in request.GET.getlist(name):
        raw += [c for c in v.replace(";", ",").split(",") if c.strip()]
    if len(raw) > MAX_COMPARE:
        raise UserFacing400(
            f"Si possono confrontare al massimo {MAX_COMPARE} aree: ne sono state indicate {len(raw)}."
        )
    out = []
    for c in raw:
        a = territory.get_area(c.strip()[:48])
        if a not in out:
            out.append(a)
    return out
