"""Released data for the reports tests, computed by the real pipeline on the real open data.

The first test that asks for `released` loads the datasets the three built-in reports use (sources'
loaders, temporary VAR_DIR) and computes their indicators for the province of Cremona, its ambiti, the
Lombard provinces, Lombardia and Italia with `indicators.services.compute_release`. The stored rows are
kept for the session (and shared between xdist workers through a file); later tests re-insert exactly those
rows in their own transaction, so the engine runs once and no test sees hand-made numbers.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest
import yaml

DEFINITIONS = Path(__file__).resolve().parents[2] / "src" / "osservatorio" / "reports" / "definitions"
DATASETS = [
    "geopop_popolazione_eta_sesso",
    "istat_popolazione_comuni",
    "istat_stranieri_comuni",
    "mef_irpef_comuni",
    "inps_rdc_province",
    "dpc_covid_province",
]
LOMBARDIA_PROVINCE = ["012", "013", "014", "015", "016", "017", "018", "019", "020", "097", "098", "108"]
_SNAPSHOT: dict = {}


def indicators_used() -> list[str]:
    """Every indicator code named in the shipped definitions."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("indicator", "indicators"):
                    for c in [v] if isinstance(v, str) else v:
                        if isinstance(c, str) and c not in found:
                            found.append(c)
                        elif isinstance(c, dict):
                            walk(c)
                else:
                    walk(v)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    for p in sorted(DEFINITIONS.glob("*.yaml")):
        walk(yaml.safe_load(p.read_text(encoding="utf-8")))
    return found


def _areas() -> list[str]:
    from osservatorio.territory import selectors as ts
    from osservatorio.territory.models import Area

    codes = ["IT", "03", *LOMBARDIA_PROVINCE]
    codes += list(Area.objects.filter(level="ambito").values_list("code", flat=True))
    codes += list(ts.members(ts.get_area("019"), "comune").values_list("code", flat=True))
    return codes


def _compute():
    from osservatorio.indicators import services as ind_services
    from osservatorio.indicators.models import DataPoint, Release
    from osservatorio.sources import services as src_services

    started = time.perf_counter()
    for key in DATASETS:
        src_services.load_dataset(key, user="test")
    areas = _areas()
    release = ind_services.compute_release(codes=indicators_used(), areas=areas)
    assert sum(release.counts.values()) > 0, release.messages
    fields = [f.attname for f in DataPoint._meta.concrete_fields if f.attname not in ("id", "release_id")]
    # Reports read totals only (no breakdown by sex or age) of these areas: the snapshot keeps what they read.
    # The engine also releases every comune of the loaded territory (all of Lombardia): re-inserting those
    # ~290,000 rows before each test took ~20 s; the areas above are ~10% of them.
    rows = list(
        DataPoint.objects.filter(release=release, breakdown_key="", area_code__in=areas).values(
            "indicator__code", *fields
        )
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
def reports_var_dir(settings, tmp_path_factory):
    if "var" not in _SNAPSHOT:
        _SNAPSHOT["var"] = tmp_path_factory.mktemp("reports-var")
    settings.VAR_DIR = _SNAPSHOT["var"]
    return settings.VAR_DIR


def _shared_file(tmp_path_factory) -> Path | None:
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not uid:
        return None
    return tmp_path_factory.getbasetemp().parent / f"reports-snapshot-{uid}.pickle"


@pytest.fixture
def released(shared_data, territory_cremona, reports_var_dir, tmp_path_factory):
    """A published release of every indicator the built-in reports use, over Cremona's province and beyond."""
    if "rows" in _SNAPSHOT:
        return _restore()
    shared = _shared_file(tmp_path_factory)
    if shared is None:
        return _compute()
    lock = shared.with_suffix(".lock")
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        deadline = time.monotonic() + 900
        while not shared.exists() and lock.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        if shared.exists():
            _SNAPSHOT.update(pickle.loads(shared.read_bytes()))
            return _restore()
        return _compute()
    os.close(fd)
    try:
        release = _compute()
        tmp = shared.with_suffix(".part")
        tmp.write_bytes(pickle.dumps({k: _SNAPSHOT[k] for k in ("release", "rows", "seconds")}))
        os.replace(tmp, shared)
    finally:
        lock.unlink(missing_ok=True)
    return release


@pytest.fixture
def definitions(db):
    from osservatorio.reports.services import load_builtin_definitions

    load_builtin_definitions()
    from osservatorio.reports.models import ReportDefinition

    return {d.slug: d for d in ReportDefinition.objects.all()}


def released_value(code: str, area: str, year: int | None = None, breakdown: str = "") -> dict:
    """The released row (as the engine stored it) of an indicator for an area: latest year by default."""
    rows = [
        r
        for r in _SNAPSHOT["rows"]
        if r["indicator__code"] == code and r["area_code"] == area and r["breakdown_key"] == breakdown
    ]
    if year is not None:
        rows = [r for r in rows if r["period_start"].year == year]
    rows = [r for r in rows if r["granularity"] in ("anno", "data")] or rows
    rows.sort(key=lambda r: (r["period_start"], r["period_end"]))
    usable = [r for r in rows if r["value"] is not None and not r["suppressed"]]
    return (usable or rows)[-1]
