"""Parquet files of the releases under settings.VAR_DIR / "lake": written to a temporary folder, then moved.

A reader never sees a half-written release: the folder appears with its final name only once the Parquet
file is complete and flushed (os.replace/rename of a directory on the same filesystem is atomic).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import polars as pl
from django.conf import settings

TMP_PREFIX = ".tmp-"


def root() -> Path:
    return Path(settings.VAR_DIR) / "lake"


def release_dir(source_key: str, dataset_key: str, release_id: int) -> Path:
    return root() / source_key / dataset_key / f"r{release_id}"


def write_release(frame: pl.DataFrame, source_key: str, dataset_key: str, release_id: int) -> Path:
    """Write the release's Parquet atomically; return the final file path."""
    final = release_dir(source_key, dataset_key, release_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f"{TMP_PREFIX}{release_id}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        target = tmp / "data.parquet"
        frame.write_parquet(target, compression="zstd", statistics=True)
        with open(target, "rb") as fh:
            os.fsync(fh.fileno())
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final / "data.parquet"


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
