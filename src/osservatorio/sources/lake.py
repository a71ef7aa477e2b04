"""Parquet files of the releases under settings.VAR_DIR / "lake": written to a temporary folder, then moved.

A reader never sees a half-written release: the folder appears with its final name only once the Parquet
file is complete and flushed (os.replace/rename of a directory on the same filesystem is atomic).
"""

from __future__ import annotations

import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
from django.conf import settings

TMP_PREFIX = ".tmp-"


def root() -> Path:
    return Path(settings.VAR_DIR) / "lake"


def release_dir(source_key: str, dataset_key: str, release_id: int) -> Path:
    return root() / source_key / dataset_key / f"r{release_id}"


ROWS_PER_PART = 100_000
# LZ4 writes several times faster than zstd for a ~30% larger lake; DuckDB and polars read both.
COMPRESSION = "lz4"


def _write_part(frame: pl.DataFrame, target: Path) -> None:
    frame.write_parquet(target, compression=COMPRESSION, statistics=True)
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())


def write_release(frame: pl.DataFrame, source_key: str, dataset_key: str, release_id: int) -> Path:
    """Write the release's Parquet parts atomically; return the release folder.

    Large releases are split into parts written on two threads (polars releases the GIL while encoding).
    """
    final = release_dir(source_key, dataset_key, release_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f"{TMP_PREFIX}{release_id}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        n_parts = max(1, -(-frame.height // ROWS_PER_PART))
        size = -(-frame.height // n_parts) if frame.height else 0
        parts = [(frame.slice(i * size, size), tmp / f"part-{i:03d}.parquet") for i in range(n_parts)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda p: _write_part(*p), parts))
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def parquet_glob(path: str | Path) -> str:
    """What DuckDB reads for a release: every part in its folder."""
    return str(Path(path) / "*.parquet")


def remove_release(path: str | Path) -> None:
    p = Path(path)
    folder = p.parent if p.suffix == ".parquet" else p
    if folder.exists() and root() in folder.parents:
        shutil.rmtree(folder, ignore_errors=True)


def clean_temporary() -> int:
    """Remove leftovers of interrupted loads (temporary folders); return how many."""
    base = root()
    if not base.exists():
        return 0
    leftovers = [p for p in base.glob(f"*/*/{TMP_PREFIX}*") if p.is_dir()]
    for p in leftovers:
        shutil.rmtree(p, ignore_errors=True)
    return len(leftovers)
