"""Released data for the atlas tests, computed by the real pipeline on the real open data.

The first test that asks for `released` loads the datasets of ../shared/data through the sources' loaders
(into a temporary VAR_DIR), then computes the indicators for the province of Cremona, its ambiti, Lombardia
and Italia through `indicators.services.compute_release`. What the engine stored is kept in memory for the
session (and shared with the other xdist worker through a file): the engine runs once per run, and no test
ever sees hand-made numbers.

The territory, the sources' releases and the indicator release are written once per test module, committed
(`atlas_module_db`), and every test of the module runs in its own transaction on top of them (rolled back as
usual). At the end of the module the database is flushed, as after any transactional test, so that no other
module ever sees them. Each test still starts with an empty cache.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

# A ratio with a breakdown (2022–2023) and a proportion with a long yearly series (2000–2023: trend, COVID);
# RdC/PdC households, published by INPS for three reference periods only (snapshots), and RdC applications,
# yearly but with 2019 from April and 2023 to June.
INDICATORS = ["indice-vecchiaia", "contribuenti-fino-10mila", "rdc-nuclei-per-1000", "rdc-domande-per-1000"]
DATASETS = ["geopop_popolazione_eta_sesso", "mef_irpef_comuni", "inps_rdc_province"]
LOMBARDIA_PROVINCE = ["012", "013", "014", "015", "016", "017", "018", "019", "020", "097", "098", "108"]

_SNAPSHOT: dict = {}


def _areas() -> list[str]:
    from osservatorio.territory import selectors as ts
    from osservatorio.territory.models import Area

    codes = ["IT", "03", *LOMBARDIA_PROVINCE]
    codes += list(Area.objects.filter(level="ambito").values_list("code", flat=True))
    codes += list(ts.members(ts.get_area("019"), "comune").values_list("code", flat=True))
    return codes


def _compute(var_dir):
    from osservatorio.indicators import services as ind_services
    from osservatorio.indicators.models import DataPoint, Release
    from osservatorio.sources import services as src_services

    started = time.perf_counter()
    for key in DATASETS:
        src_services.load_dataset(key, user="test")
    release = ind_services.compute_release(codes=INDICATORS, areas=_areas())
    assert sum(release.counts.values()) > 0, release.messages
    fields = [f.attname for f in DataPoint._meta.concrete_fields if f.attname not in ("id", "release_id")]
    # Only the areas the tests read are kept: restoring them in every test must be quick.
    rows = list(
        DataPoint.objects.filter(release=release, area_code__in=_areas()).values("indicator__code", *fields)
    )
    _SNAPSHOT.update(
        {
            "release": {
                f.attname: getattr(release, f.attname)
                for f in Release._meta.concrete_fields
                if f.attname not in ("id", "created_by_id", "previous_id", "created_at")
            },
            "rows": rows,
            "seconds": time.perf_counter() - started,
        }
    )
    return release


def _restore():
    from osservatorio.indicators import services as ind_services
    from osservatorio.indicators.models import DataPoint, Indicator, Release

    ind_services.load_catalogue()
    release = Release.objects.create(**_SNAPSHOT["release"])
    ids = dict(Indicator.objects.values_list("code", "id"))
    DataPoint.objects.bulk_create(
        [
            DataPoint(
                release=release,
                indicator_id=ids[r["indicator__code"]],
                **{k: v for k, v in r.items() if k not in ("indicator__code", "indicator_id")},
            )
            for r in _SNAPSHOT["rows"]
        ],
        batch_size=2000,
    )
    return release


@pytest.fixture
def atlas_var_dir(settings, tmp_path_factory):
    """A VAR_DIR of the session for the lake and warehouse the atlas tests load."""
    if "var" not in _SNAPSHOT:
        _SNAPSHOT["var"] = tmp_path_factory.mktemp("atlas-var")
    settings.VAR_DIR = _SNAPSHOT["var"]
    return settings.VAR_DIR


def _shared_file(tmp_path_factory) -> Path | None:
    """With xdist, the workers of one run share the snapshot through a file (the engine runs once per run)."""
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not uid:
        return None
    return tmp_path_factory.getbasetemp().parent / f"atlas-snapshot-{uid}.pickle"


def _obtain(tmp_path_factory):
    """The release: restored from the snapshot, read from the other worker's file, or computed."""
    if "rows" in _SNAPSHOT:
        return _restore()
    shared = _shared_file(tmp_path_factory)
    atlas_var_dir = _SNAPSHOT["var"]
    if shared is None:
        return _compute(atlas_var_dir)
    lock = shared.with_suffix(".lock")
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        deadline = time.monotonic() + 600
        while not shared.exists() and lock.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        if shared.exists():
            _SNAPSHOT.update(pickle.loads(shared.read_bytes()))
            return _restore()
        return _compute(atlas_var_dir)  # the other worker failed: compute here
    os.close(fd)
    try:
        release = _compute(atlas_var_dir)
        tmp = shared.with_suffix(".part")
        tmp.write_bytes(pickle.dumps({k: _SNAPSHOT[k] for k in ("release", "rows", "seconds")}))
        os.replace(tmp, shared)
    finally:
        lock.unlink(missing_ok=True)
    return release


@pytest.fixture(scope="module")
def atlas_module_db(shared_data, django_db_setup, django_db_blocker, tmp_path_factory):
    """Territory, sources and the indicator release, committed once for the module; flushed after it."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    from osservatorio.territory.services import load_territory

    if "var" not in _SNAPSHOT:
        _SNAPSHOT["var"] = tmp_path_factory.mktemp("atlas-var")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=_SNAPSHOT["var"]):
        try:
            with transaction.atomic():  # one commit: much faster than autocommit row by row
                load_territory(regioni=["03"])
                cache.clear()
                release_id = _obtain(tmp_path_factory).pk
        except BaseException:
            call_command("flush", interactive=False, verbosity=0)
            raise
    yield release_id
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        cache.clear()


@pytest.fixture
def released(atlas_module_db, atlas_var_dir, db):
    """A published release of INDICATORS over Cremona's province, ambiti, Lombardia and Italia."""
    from django.core.cache import cache

    from osservatorio.indicators.models import Release

    cache.clear()
    return Release.objects.get(pk=atlas_module_db)


@pytest.fixture
def warehouse_loaded(released, atlas_var_dir):
    """The sources' releases in the database too (the pyramid reads the warehouse); the lake is reused."""
    from osservatorio.sources import services as src_services

    for key in DATASETS:
        src_services.load_dataset(key, user="test")
    return atlas_var_dir
