"""The analytical store: one DuckDB view per dataset over the Parquet of its release in force.

- `connect()` returns an ibis DuckDB connection (in memory) with a view per dataset in force. Each call
  builds a fresh connection from the release registry, so readers never hold a lock on a shared file and
  always see the releases in force at that moment.
- `table(key)` is the ibis table of the current release of a dataset.
- `register()` also writes the same views into `settings.VAR_DIR / "warehouse.duckdb"`, for analysts who
  open the warehouse with the DuckDB CLI or a notebook. That file is a convenience copy of the registry:
  `osservatorio sources sync-warehouse` rebuilds it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb
import ibis
from django.conf import settings

log = logging.getLogger(__name__)


class DatasetNotLoaded(LookupError):
    def __init__(self, key: str):
        super().__init__(
            f"Il dataset «{key}» non ha ancora una release caricata: caricalo con «osservatorio sources load "
            f"{key}» o dalla pagina Fonti."
        )
        self.key = key


def warehouse_path() -> Path:
    return Path(settings.VAR_DIR) / "warehouse.duckdb"


def _in_force() -> dict[str, str]:
    from .lake import parquet_glob
    from .models import Release

    return {
        r.dataset.key: parquet_glob(r.parquet_path)
        for r in Release.objects.filter(status=Release.Status.IN_FORCE).select_related("dataset")
        if r.parquet_path and Path(r.parquet_path).is_dir()
    }


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _view_sql(key: str, path: str) -> str:
    # Keys come from registry.yaml (slugs) and paths from our own lake: no user text reaches this SQL.
    if not key.replace("_", "").isalnum():
        raise ValueError(f"invalid dataset key {key!r}")
    return f'CREATE OR REPLACE VIEW "{key}" AS SELECT * FROM read_parquet({_quote(path)})'  # noqa: S608


def connect():
    con = ibis.duckdb.connect()
    for key, path in _in_force().items():
        con.raw_sql(_view_sql(key, path))
    return con


def table(key: str, con=None):
    paths = _in_force()
    if key not in paths:
        raise DatasetNotLoaded(key)
    con = con or connect()
    return con.table(key)


def register(retries: int = 5) -> bool:
    """Rewrite the views of warehouse.duckdb; False (logged) if another process holds the file."""
    views = _in_force()
    for attempt in range(retries):
        try:
            with duckdb.connect(str(warehouse_path())) as con:
                existing = {
                    r[0]
                    for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
                }
                for key, path in views.items():
                    con.execute(_view_sql(key, path))
                for stale in existing - set(views):
                    con.execute(f'DROP VIEW IF EXISTS "{stale}"')
            return True
        except duckdb.IOException as exc:
            log.info("warehouse busy (%s), retry %s", exc, attempt + 1)
            time.sleep(0.2 * (attempt + 1))
    log.warning("warehouse.duckdb not updated: file busy; run 'osservatorio sources sync-warehouse'")
    return False
