"""A higher area gets a value only when the source covers (nearly) all of it: never Italy = Lombardy."""

import ibis
import polars as pl
import pytest

from osservatorio.indicators import catalogue
from osservatorio.indicators.engine.definitions import Sources
from osservatorio.indicators.engine.run import compute_one

CATALOGUE = {e["code"]: e for e in catalogue.read()}


def _with_comuni_outside_the_data(
    closure_rows: pl.DataFrame, comuni: list[tuple[str, list[tuple]]]
) -> pl.DataFrame:
    extra = []
    for code, ancestors in comuni:
        extra += [(code, code, "comune"), *((code, a, lvl) for a, lvl in ancestors)]
    more = pl.DataFrame(extra, schema=["child_code", "ancestor_code", "ancestor_level"], orient="row")
    dates = closure_rows.select("valid_from", "valid_to").row(0)
    more = more.with_columns(valid_from=pl.lit(dates[0]), valid_to=pl.lit(dates[1]))
    return pl.concat([closure_rows, more.select(closure_rows.columns)])


def _row(df, area, year):
    out = df.filter(
        (pl.col("area_code") == area)
        & (pl.col("period_start").dt.year() == year)
        & (pl.col("breakdown_key") == "")
    )
    assert out.height == 1, out
    return out.row(0, named=True)


@pytest.mark.parametrize("code", ["tasso-natalita", "reddito-imponibile-per-contribuente"])
def test_italy_has_no_value_from_a_source_that_covers_lombardy_only(warehouse, closure_rows, code):
    # 6,000 comuni of other regions in "Italia", absent from the Lombard extracts (as in the demo territory).
    others = [(f"9{i:05d}", [("IT", "italia")]) for i in range(6000)]
    closure = ibis.memtable(_with_comuni_outside_the_data(closure_rows, others))
    out = compute_one(code, CATALOGUE[code], Sources(lambda k: warehouse.table(k)), closure).frame
    year = out.filter(pl.col("area_code") == "03")["period_start"].dt.year().max()
    lombardia, italia = _row(out, "03", year), _row(out, "IT", year)
    assert lombardia["value"] is not None and not lombardia["missing"]
    assert italia["value"] is None and italia["missing"] and italia["numerator"] is None
    assert "meno del 95%" in italia["note"]


def test_one_absent_comune_in_a_large_area_keeps_the_sum(warehouse, closure_rows):
    # One comune of the ambito (47 in the data) with no row: 47 of 48 is above the 95% rule.
    closure = ibis.memtable(
        _with_comuni_outside_the_data(closure_rows, [("999998", [("AMB-CREMONESE", "ambito")])])
    )
    code = "reddito-imponibile-per-contribuente"
    out = compute_one(code, CATALOGUE[code], Sources(lambda k: warehouse.table(k)), closure).frame
    amb = _row(out, "AMB-CREMONESE", 2023)
    assert amb["value"] is not None and amb["value"] == pytest.approx(amb["numerator"] / amb["denominator"])


def test_a_partial_sum_over_less_than_half_of_the_areas_is_no_value():
    from datetime import date

    from osservatorio.indicators.engine.finalize import finalize

    df = pl.DataFrame(
        {
            "area_code": ["IT", "03"],
            "area_level": ["italia", "regione"],
            "period_start": [date(2022, 1, 1)] * 2,
            "numerator": [190.0, 190.0],
            "denominator": [10.0, 10.0],
            "n_rows": [7899, 1502],
            "n_missing": [6396, 10],
            "n_sources": [7899, 1502],
        }
    )
    out = finalize(df, {"multiplier": 1, "interval_method": "none"})
    italia, lombardia = out.row(0, named=True), out.row(1, named=True)
    assert italia["value"] is None and italia["missing"] and italia["numerator"] is None
    assert "non copre abbastanza" in italia["note"]
    assert lombardia["value"] == 19.0 and lombardia["estimated"] and "somma parziale" in lombardia["note"]
