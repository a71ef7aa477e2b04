"""The warehouse tables parsed from ../shared/data by the sources' own loaders, once per test session.

The engine reads them through Ibis exactly as it reads the warehouse in force; the closure (area →
ancestors) is built from the codes and the ambiti file, without the database, so the engine is tested alone.
"""

import csv
import importlib
from datetime import date
from pathlib import Path

import ibis
import polars as pl
import pytest

DATASETS = [
    "istat_popolazione_comuni",
    "istat_stranieri_comuni",
    "istat_bilancio_demografico",
    "istat_classificazioni_comuni",
    "istat_aree_interne",
    "geopop_popolazione_eta_sesso",
    "mef_irpef_comuni",
    "inps_rdc_province",
    "dpc_covid_province",
    "dpc_covid_regione",
    "pnrr_rigenerazione",
    "rdc_comuni_2020_non_ufficiale",
]


@pytest.fixture(scope="session")
def warehouse_dir(shared_data, tmp_path_factory) -> Path:
    from osservatorio.sources import registry, services

    out = tmp_path_factory.mktemp("warehouse")
    specs = registry.datasets()
    for key in DATASETS:
        spec = specs[key]
        module, fn = spec.loader.rsplit(".", 1)
        parse = getattr(importlib.import_module(f"osservatorio.sources.loaders.{module}"), fn)
        files = services.default_files(key)
        frame, _report = parse(files) if spec.files else parse()
        frame.write_parquet(out / f"{key}.parquet")
    _microsim_estimate(shared_data, out)
    return out


def _microsim_estimate(shared_data, out: Path) -> None:
    """The derived dataset the measures app publishes (eligible households per comune, real draws of the
    rules on the synthetic population of the ambito Cremonese), written and parsed by its own loader."""
    from osservatorio.measures import coverage
    from osservatorio.measures.microsim import estimate
    from osservatorio.sources.loaders.microsim_stime import parse_stime

    with open(shared_data / "ambiti-cremona" / "ambiti_sociali_provincia_cremona.csv", encoding="utf-8") as f:
        comuni = sorted(r["codice_istat"] for r in csv.DictReader(f) if r["ambito"].upper() == "CREMONESE")
    pop = estimate.marginals(tuple(comuni))
    residents = dict(pop.group_by("comune_code").agg(pl.col("count").sum()).iter_rows())
    draws = estimate.run_draws(comuni, "2020-07", draws=2, households=600, seed=1, measures=("rdc",))
    rows = coverage.rdc_eligible_rows(comuni, draws, households=600, seed=1, residents=residents)
    path = out / "stime.csv"
    pl.DataFrame(rows).write_csv(path)
    frame, report = parse_stime([path])
    assert report.ok, report.errors
    frame.write_parquet(out / f"{coverage.ESTIMATE_DATASET}.parquet")
    path.unlink()


@pytest.fixture(scope="session")
def warehouse(warehouse_dir):
    con = ibis.duckdb.connect()
    for path in warehouse_dir.glob("*.parquet"):
        con.read_parquet(str(path), table_name=path.stem)
    return con


LOMBARDIA_PROVINCE = ["012", "013", "014", "015", "016", "017", "018", "019", "020", "097", "098", "108"]
OPEN = (date(1861, 3, 17), date(9999, 12, 31))


@pytest.fixture(scope="session")
def closure_rows(shared_data) -> pl.DataFrame:
    """Every Lombard comune of the 2026 classification, its provincia, Lombardia, Italia, and the ambiti of Cremona."""
    rows = []
    with open(
        shared_data / "istat-popolazione" / "istat_classificazioni_comuni_2026_lombardia.csv",
        encoding="utf-8",
    ) as f:
        comuni = [r["codice_istat"] if "codice_istat" in r else r["comune_code"] for r in csv.DictReader(f)]
    ambito = {}
    with open(shared_data / "ambiti-cremona" / "ambiti_sociali_provincia_cremona.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            ambito[r["codice_istat"]] = "AMB-" + r["ambito"].upper()
    for c in comuni:
        rows += [(c, c, "comune"), (c, c[:3], "provincia"), (c, "03", "regione"), (c, "IT", "italia")]
        if c in ambito:
            rows.append((c, ambito[c], "ambito"))
    for p in LOMBARDIA_PROVINCE:
        rows += [(p, p, "provincia"), (p, "03", "regione"), (p, "IT", "italia")]
    rows += [("03", "03", "regione"), ("03", "IT", "italia"), ("IT", "IT", "italia")]
    for a in set(ambito.values()):
        rows.append((a, a, "ambito"))
    df = pl.DataFrame(rows, schema=["child_code", "ancestor_code", "ancestor_level"], orient="row")
    return df.with_columns(valid_from=pl.lit(OPEN[0]), valid_to=pl.lit(OPEN[1]))
