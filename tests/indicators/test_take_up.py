"""Coverage and take-up: recipients against the microsimulation's estimate, released through the engine.

The estimate comes from real draws of the rules on the synthetic population (measures app), the recipients
from the shared comune file; the expected values are recomputed here from the draws and the CSV directly.
"""

from __future__ import annotations

import csv

import ibis
import numpy as np
import polars as pl
import pytest

from osservatorio.indicators import catalogue
from osservatorio.indicators.engine import run
from osservatorio.indicators.engine.definitions import DEFINITIONS, MICROSIM_RDC, Sources
from osservatorio.measures import coverage
from osservatorio.measures.microsim import estimate

CODES = ("rdc-take-up-2020", "rdc-eligibili-stimati-per-1000")
DRAWS, HOUSEHOLDS, SEED = 3, 500, 11


def _recipients(shared_data) -> dict[str, float]:
    out = {}
    with (shared_data / coverage.RDC_COMUNI).open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rdc = r["Nuclei_familiari_percettori_RDC_luglio_2020"]
            pdc = r["Nuclei_familiari_percettori_PDC_luglio_2020"]
            if rdc != "" and pdc != "":
                out[r["codice_istat"].zfill(6)] = float(rdc) + float(pdc)
    return out


@pytest.fixture(scope="module")
def ambito(closure_rows) -> list[str]:
    c = closure_rows.filter(pl.col("ancestor_code") == "AMB-CREMONESE")["child_code"].to_list()
    return sorted(x for x in c if x != "AMB-CREMONESE")


@pytest.fixture(scope="module")
def draws(ambito):
    return estimate.run_draws(
        ambito, "2020-07", draws=DRAWS, households=HOUSEHOLDS, seed=SEED, measures=("rdc",)
    )


@pytest.fixture(scope="module")
def residents(ambito) -> dict[str, int]:
    pop = estimate.marginals(tuple(ambito))
    agg = pop.group_by("comune_code").agg(pl.col("count").sum())
    return dict(agg.iter_rows())


def _estimate_table(ambito, draws, residents, drop=()):
    rows = coverage.rdc_eligible_rows(ambito, draws, households=HOUSEHOLDS, seed=SEED, residents=residents)
    rows = [r for r in rows if r["comune_code"] not in drop]
    return ibis.memtable(pl.DataFrame(rows))


def _compute(code, warehouse, closure_rows, table):
    tables = {MICROSIM_RDC: table}
    sources = Sources(lambda k: tables[k] if k in tables else warehouse.table(k))
    meta = {e["code"]: e for e in catalogue.read()}[code]
    closure = ibis.memtable(closure_rows)
    out = run.compute_one(code, meta, sources, closure)
    assert out.error is None, out.error
    return {r["area_code"]: r for r in out.frame.iter_rows(named=True)}


def _mean_eligible(draws, comune) -> float:
    # As the microsimulation summarises: a comune with no synthetic household in a draw counts 0 there.
    return float(np.mean([d.households.get(("rdc", comune), 0.0) for d in draws]))


def test_released_values_are_recipients_over_the_estimate_of_the_same_draws(
    warehouse, closure_rows, ambito, draws, residents, shared_data
):
    got = _compute("rdc-take-up-2020", warehouse, closure_rows, _estimate_table(ambito, draws, residents))
    recipients = _recipients(shared_data)
    checked = 0
    for c in ambito:
        den = _mean_eligible(draws, c)
        if c in recipients and den > 0:
            assert got[c]["value"] == pytest.approx(recipients[c] / den * 100, rel=1e-6)
            assert got[c]["numerator"] == recipients[c]
            assert got[c]["non_ufficiale"]
            checked += 1
        elif den == 0:
            assert got[c]["value"] is None and "denominatore zero" in got[c]["note"]
    assert checked >= len(ambito) // 2
    # The ambito: sum of numerators over sum of denominators, not a mean of the comuni's ratios.
    num = sum(recipients[c] for c in ambito)
    den = sum(_mean_eligible(draws, c) for c in ambito)
    amb = got["AMB-CREMONESE"]
    assert amb["numerator"] == pytest.approx(num) and amb["denominator"] == pytest.approx(den, rel=1e-6)
    assert amb["value"] == pytest.approx(num / den * 100, rel=1e-6)
    assert amb["ci95_low"] < amb["value"] < amb["ci95_high"]
    # The province of Cremona has comuni outside the ambito without an estimate: no value, and why.
    prov = got["019"]
    assert prov["value"] is None and prov["missing"] and prov["numerator"] is None
    assert f"{len(ambito)} comuni su" in prov["note"]


def test_eligible_per_1000_residents(warehouse, closure_rows, ambito, draws, residents):
    got = _compute(
        "rdc-eligibili-stimati-per-1000", warehouse, closure_rows, _estimate_table(ambito, draws, residents)
    )
    for c in ambito[:10]:
        assert got[c]["value"] == pytest.approx(_mean_eligible(draws, c) / residents[c] * 1000, rel=1e-6)
    total = sum(_mean_eligible(draws, c) for c in ambito) / sum(residents[c] for c in ambito) * 1000
    assert got["AMB-CREMONESE"]["value"] == pytest.approx(total, rel=1e-6)
    assert got["019"]["value"] is None


def test_a_missing_estimate_gives_no_value_not_a_zero(warehouse, closure_rows, ambito, draws, residents):
    gone = ambito[0]
    for code in CODES:
        got = _compute(code, warehouse, closure_rows, _estimate_table(ambito, draws, residents, drop=(gone,)))
        assert gone not in got or got[gone]["value"] is None
        amb = got["AMB-CREMONESE"]
        assert amb["value"] is None and amb["missing"] and amb["denominator"] is None
        assert f"{len(ambito) - 1} comuni su {len(ambito)}" in amb["note"]
        assert got[ambito[1]]["value"] is not None


def test_the_estimate_rows_carry_the_model_lineage(ambito, draws, residents):
    rows = coverage.rdc_eligible_rows(ambito, draws, households=HOUSEHOLDS, seed=SEED, residents=residents)
    assert {r["comune_code"] for r in rows} == set(ambito)
    r = rows[0]
    assert r["estrazioni"] == DRAWS and r["seme"] == SEED and r["famiglie_per_estrazione"] == HOUSEHOLDS
    assert r["versione_regole"] == coverage.rules_version() and len(r["versione_regole"]) == 12
    assert r["nuclei_idonei_p2_5"] <= r["nuclei_idonei"] <= r["nuclei_idonei_p97_5"]


def test_catalogue_entries_pass_the_checks_and_have_english_text():
    entries = {e["code"]: e for e in catalogue.read()}
    for code in CODES:
        e = entries[code]
        assert catalogue.check(e, "test") == []
        assert e["non_ufficiale"] and len(e["caveats_it"]) > 400
        assert all(e[f] for f in ("title_en", "short_en", "definition_en"))
        assert MICROSIM_RDC in e["sources"] and DEFINITIONS[code].complete


def test_the_engine_core_imports_neither_django_nor_the_measures_app():
    from pathlib import Path

    import osservatorio.indicators.engine as engine

    for path in Path(engine.__file__).parent.glob("*.py"):
        imports = [
            ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith(("import", "from"))
        ]
        assert not [ln for ln in imports if "django" in ln or "measures" in ln], path.name


def test_publish_then_release_end_to_end(territory_cremona, shared_data, settings, tmp_path, client):
    """The measures app publishes the derived dataset; a release computed from it matches the draws."""
    settings.VAR_DIR = tmp_path
    from osservatorio.indicators import services
    from osservatorio.indicators.models import DataPoint
    from osservatorio.sources.models import Release as SourceRelease
    from osservatorio.sources.services import load_dataset

    load_dataset("rdc_comuni_2020_non_ufficiale")
    result = coverage.publish_rdc_eligible(["AMB-CREMONESE"], draws=2, households=900, seed=3)
    assert result.created and result.release.rows > 40
    again = coverage.publish_rdc_eligible(["AMB-CREMONESE"], draws=2, households=900, seed=3)
    assert not again.created  # same rules, draws and seed: the same estimate, no new release
    release = services.compute_release(codes=list(CODES), areas=["AMB-CREMONESE"])
    comuni = coverage.estimate_comuni(["AMB-CREMONESE"])
    draws = estimate.run_draws(comuni, "2020-07", draws=2, households=900, seed=3, measures=("rdc",))
    recipients = _recipients(shared_data)
    num = sum(recipients[c] for c in comuni)
    den = sum(_mean_eligible(draws, c) for c in comuni)
    dp = DataPoint.objects.get(release=release, indicator__code="rdc-take-up-2020", area_code="AMB-CREMONESE")
    assert dp.value == pytest.approx(num / den * 100, rel=1e-6) and dp.non_ufficiale
    derived = SourceRelease.objects.get(dataset__key=MICROSIM_RDC, status=SourceRelease.Status.IN_FORCE)
    assert derived.pk in dp.source_releases
    # The pages show it like the others (the province has no value: "—", not a server error).
    for area in ("AMB-CREMONESE", "019"):
        page = client.get(f"/indicatori/rdc-take-up-2020/area/{area}/")
        assert page.status_code == 200
    assert "per 100 nuclei stimati idonei" in page.content.decode()


def test_a_number_the_template_does_not_have_is_a_dash():
    from osservatorio.indicators.templatetags.indicators_format import num

    assert num("", 1) == "—" and num(None) == "—" and num(1234.5, 1) == "1.234,5"


def test_make_demo_does_not_look_for_the_derived_dataset_in_the_data_directory():
    from osservatorio.sources import registry
    from osservatorio.sources import services as src

    specs = registry.datasets()
    assert specs[MICROSIM_RDC].files == () and src._derived(specs[MICROSIM_RDC].loader)
    assert not any(src._derived(s.loader) for k, s in specs.items() if k != MICROSIM_RDC)
