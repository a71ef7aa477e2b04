"""What every loader shares: the thin download step and the lineage columns.

A loader module holds, for one source: `VERSION` (bumped when the parsing changes, so that the same file
is loaded again), `download(url, dest)` (thin: official URL → local file) and one `parse_*(paths)` per
dataset returning `(polars.DataFrame, ValidationReport)`. Parsing never writes anything.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

import polars as pl

from ..validation import LoadError

TIMEOUT_SECONDS = 60


def fetch(url: str, dest: Path) -> Path:
    """Download `url` to `dest` through a temporary file: an interrupted download leaves nothing behind."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310
            shutil.copyfileobj(resp, out)
        os.replace(tmp, dest)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LoadError(
            f"download non riuscito da {url} ({exc}). Controlla la connessione o scarica il file a mano e "
            "caricalo con «osservatorio sources load SORGENTE FILE».",
            file=dest.name,
            rule="download",
        ) from exc
    return dest


def with_lineage(frame: pl.DataFrame, source_file: str) -> pl.DataFrame:
    """Add `source_file` (and keep `source_row`) as the last columns."""
    if "source_row" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("source_row"))
    frame = frame.with_columns(pl.lit(source_file).alias("source_file"))
    rest = [c for c in frame.columns if c not in ("source_file", "source_row")]
    return frame.select([*rest, "source_file", "source_row"])


def concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
