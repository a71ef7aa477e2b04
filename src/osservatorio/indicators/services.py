"""Use cases: load the catalogue, compute a release (engine + disclosure control), store DataPoints, diff.

The Django side of the engine: it turns the territory into a closure table and a crosswalk, opens the
warehouse, runs the pure engine and writes everything in one transaction — a failed computation leaves the
previous release in force and no half-written one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from datetime import date

import polars as pl
from django.db import transaction
from django.utils import timezone

from . import catalogue
from .engine import records as records_engine
from .engine import run
from .engine.definitions import DEFINITIONS, Sources
from .models import DataPoint, DisclosureDecision, Indicator, Release, ReleaseStatus

log = logging.getLogger(__name__)
OPEN_END = date(9999, 12, 31)
RECORD_PREFIX = "records:"


class ComputeError(Exception):
    """A computation that cannot start (unknown indicator, nothing to compute): message in Italian."""


def load_catalogue() -> dict[str, int]:
    """Upsert every catalogue entry (idempotent); entries removed from the YAML become inactive."""
    entries = catalogue.read()
    fields = {f.name for f in Indicator._meta.get_fields()}
    created = updated = 0
    with transaction.atomic():
        for e in entries:
            values = {k: v for k, v in e.items() if k in fields and k != "code"}
            values["active"] = True
            _, was_created = Indicator.objects.update_or_create(code=e["code"], defaults=values)
            created += was_created
            updated += not was_created
        Indicator.objects.exclude(code__in=[e["code"] for e in entries]).update(active=False)
    return {"creati": created, "aggiornati": updated, "totale": len(entries)}


def _meta(ind: Indicator) -> dict:
    return {
        "code": ind.code,
        "levels": ind.levels,
        "multiplier": ind.multiplier,
        "interval_method": ind.interval_method,
        "known_breaks": ind.known_breaks,
        "kind": ind.kind,
        "sources": ind.sources,
        "disclosure_threshold": ind.disclosure_threshold,
    }


# --- Territory as plain tables -----------------------------------------------------------------------------


def territory_tables(vintage: date) -> tuple[pl.DataFrame, dict[str, str], dict[str, str]]:
    """(closure, parent tree for disclosure, level of every area) from the memberships valid at `vintage`."""
    from osservatorio.territory.models import LEVEL_RANK, Area, Membership, valid_on_q

    areas = dict(Area.objects.valid_on(vintage).values_list("code", "level"))
    parents: dict[str, list[str]] = {}
    for child, parent in Membership.objects.filter(valid_on_q(vintage)).values_list(
        "child__code", "parent__code"
    ):
        if child in areas and parent in areas:
            parents.setdefault(child, []).append(parent)
    rows = []
    for code, level in areas.items():
        seen = {code}
        frontier = [code]
        rows.append((code, code, level))
        while frontier:
            nxt = []
            for c in frontier:
                for p in parents.get(c, []):
                    if p not in seen:
                        seen.add(p)
                        nxt.append(p)
                        rows.append((code, p, areas[p]))
            frontier = nxt
    closure = pl.DataFrame(rows, schema=["child_code", "ancestor_code", "ancestor_level"], orient="row")
    closure = closure.with_columns(valid_from=pl.lit(date(1861, 3, 17)), valid_to=pl.lit(OPEN_END))
    # Disclosure needs a tree: the nearest containing area (quartiere → comune → ambito → provincia).
    tree = {}
    for child, ps in parents.items():
        best = max(ps, key=lambda p: LEVEL_RANK[areas[p]])
        tree[child] = best
    return closure, tree, areas


def crosswalk_table() -> pl.DataFrame:
    """Old comune code → today's code, for the 1-to-1 successions (mergers, absorptions, code changes)."""
    from osservatorio.territory import crosswalk
    from osservatorio.territory.models import CodeChange

    changes = [
        crosswalk.Change(c.old_code, c.old_name, c.new_code, c.new_name, c.date, c.kind, c.note)
        for c in CodeChange.objects.all()
    ]
    pairs = []
    for old in {c.old_code for c in changes}:
        resolved = crosswalk.resolve(old, changes)
        if len(resolved) == 1 and resolved[0] != old:
            pairs.append((old, resolved[0]))
    return pl.DataFrame(pairs, schema=["old_code", "new_code"], orient="row")


def expand_areas(codes: list[str], closure: pl.DataFrame, members: bool = True) -> list[str]:
    """The areas asked for, every area inside them and every area containing them (for comparisons).

    With `members=False` exactly the areas asked for: a caller that lists Italia, a region and a few
    provinces gets those aggregates, not every comune inside them.
    """
    known = set(closure["child_code"].to_list())
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ComputeError(
            f"Aree sconosciute: {', '.join(unknown)}. Usare i codici ISTAT (es. 019036 per un comune, 019 per "
            "una provincia, 03 per una regione) o il codice di un ambito, come nella pagina Territorio."
        )
    if not members:
        return sorted(set(codes))
    inside = closure.filter(pl.col("ancestor_code").is_in(codes))["child_code"].to_list()
    above = closure.filter(pl.col("child_code").is_in(codes))["ancestor_code"].to_list()
    return sorted(set(codes) | set(inside) | set(above))


def home_scope() -> list[str] | None:
    """The region of the ente's home comune (from settings), for a demo that does not compute all of Italy."""
    from django.conf import settings

    from osservatorio.territory.models import Area
    from osservatorio.territory.selectors import ancestors

    home = settings.OSSERVATORIO.get("HOME_COMUNE") or ""
    area = Area.objects.filter(code=home).first() if home else None
    if area is None:
        return None
    regions = [a.code for a in ancestors(area) if a.level == "regione"]
    return regions or None


def _warehouse_sources() -> tuple[Sources, dict[str, list[int]]]:
    from osservatorio.sources import warehouse

    con = warehouse.connect()
    release_ids: dict[str, list[int]] = {}

    def get(key: str):
        t = warehouse.table(key, con)
        if key not in release_ids:
            try:
                ids = t.select("release_id").distinct().to_pyarrow().column("release_id").to_pylist()
                release_ids[key] = sorted(int(x) for x in ids if x)
            except Exception:  # noqa: BLE001 - lineage is best effort; the values do not depend on it
                release_ids[key] = []
        return t

    return Sources(get), release_ids


# --- Release -------------------------------------------------------------------------------------------------


def latest_published(indicator: Indicator | None = None) -> Release | None:
    qs = Release.objects.filter(status=ReleaseStatus.PUBLISHED)
    if indicator is not None:
        qs = qs.filter(datapoints__indicator=indicator).distinct()
    return qs.order_by("-created_at", "-id").first()


def _clean(v):
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) or math.isinf(f) else f


def _datapoints(
    release: Release, ind: Indicator, frame: pl.DataFrame, vintage: date, lineage: list[int]
) -> list[DataPoint]:
    out = []
    for r in frame.iter_rows(named=True):
        bk = r.get("breakdown_key") or ""
        breakdown = dict(part.split("=", 1) for part in bk.split(";") if "=" in part)
        out.append(
            DataPoint(
                release=release,
                indicator=ind,
                area_code=r["area_code"],
                area_level=r["area_level"],
                boundary_vintage=vintage,
                period_start=r["period_start"],
                period_end=r["period_end"],
                granularity=r["granularity"],
                breakdown=breakdown,
                breakdown_key=bk,
                value=_clean(r.get("value")),
                numerator=_clean(r.get("numerator")),
                denominator=_clean(r.get("denominator")),
                ci95_low=_clean(r.get("ci95_low")),
                ci95_high=_clean(r.get("ci95_high")),
                ci998_low=_clean(r.get("ci998_low")),
                ci998_high=_clean(r.get("ci998_high")),
                suppressed=bool(r.get("suppressed") or False),
                provisional=bool(r.get("provisional") or False),
                estimated=bool(r.get("estimated") or False),
                break_before=bool(r.get("break_before") or False),
                non_ufficiale=bool(r.get("non_ufficiale") or ind.non_ufficiale),
                missing=bool(r.get("missing") or False),
                note=(r.get("note") or "")[:300],
                source_releases=lineage,
            )
        )
    return out


def _previous_records_table(ind: Indicator) -> pl.DataFrame | None:
    prev = latest_published(ind)
    if prev is None:
        return None
    rows = []
    for dp in DataPoint.objects.filter(release=prev, indicator=ind).only(
        "area_code", "period_start", "granularity", "breakdown", "numerator", "suppressed"
    ):
        period = dp.period_start.strftime("%Y-%m") if dp.granularity == "mese" else str(dp.period_start.year)
        b = dp.breakdown or {}
        rows.append(
            (
                dp.area_code,
                period,
                b.get("sesso", "_T"),
                b.get("fascia_eta", "_T"),
                b.get("cittadinanza", "_T"),
                None if dp.numerator is None else int(dp.numerator),
                dp.suppressed,
            )
        )
    if not rows:
        return None
    return pl.DataFrame(rows, schema=[*records_engine.DIMS, "value", "suppressed"], orient="row")


def _records_frame(kind: str, areas: set[str]) -> pl.DataFrame:
    from osservatorio.records.models import ServiceRecord

    columns = [
        "comune_code", "quartiere_code", "record_date", "sex", "age_band", "citizenship", "pseudonym", "synthetic"
    ]  # fmt: skip
    rows = list(ServiceRecord.objects.filter(kind=kind).values_list(*columns))
    df = pl.DataFrame(rows, schema=columns, orient="row")
    if df.height:
        df = df.filter(pl.col("comune_code").is_in(list(areas)))
        df = df.with_columns(
            pl.col("quartiere_code").map_elements(lambda q: q if q in areas else None, return_dtype=pl.Utf8)
        )
    return df


def _population_by_area(closure: pl.DataFrame, year: int = 2023) -> dict[str, float]:
    from osservatorio.territory.models import Area

    pops = dict(
        Area.objects.filter(level="comune", population__isnull=False).values_list("code", "population")
    )
    c = closure.filter(pl.col("child_code").is_in(list(pops)))
    c = c.with_columns(
        pl.col("child_code").replace_strict(pops, default=None, return_dtype=pl.Float64).alias("pop")
    )
    agg = c.group_by("ancestor_code").agg(pl.col("pop").sum())
    return dict(zip(agg["ancestor_code"], agg["pop"], strict=True))


def compute_release(
    codes: Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
    user=None,
    progress: Callable[[str, int, int], None] | None = None,
    vintage: date | None = None,
    only_areas: bool = False,
) -> Release:
    """Compute the chosen indicators (all by default), store them as a published release, diff it.

    `areas` restricts the release: by default to those areas, every area inside them and every area
    containing them (`expand_areas`; «--area 019» is the province with its comuni and ambiti, Lombardia and
    Italia); with `only_areas` to exactly the areas listed. Values are computed from every member either
    way (a province is the sum of all its comuni); only what is stored is restricted.
    """
    load_catalogue()
    indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
    wanted = list(codes) if codes else list(indicators)
    unknown = [c for c in wanted if c not in indicators]
    if unknown:
        raise ComputeError(
            f"Indicatori sconosciuti: {', '.join(unknown)}. L'elenco dei codici è nella pagina Indicatori "
            "o con «osservatorio indicators list»."
        )
    vintage = vintage or date.today()
    closure_df, tree, levels = territory_tables(vintage)
    if closure_df.height == 0:
        raise ComputeError("Il territorio non è caricato: eseguire prima «osservatorio territory load».")
    areas_list = expand_areas(list(areas), closure_df, members=not only_areas) if areas else None
    crosswalk_df = crosswalk_table()
    sources, lineage = _warehouse_sources()
    import ibis

    closure = ibis.memtable(closure_df)
    crosswalk = ibis.memtable(crosswalk_df) if crosswalk_df.height else None
    release = Release.objects.create(
        created_by=user if getattr(user, "is_authenticated", False) else None,
        boundary_vintage=vintage,
        indicators=wanted,
        areas=areas_list or [],
        previous=latest_published(),
    )
    messages: list[str] = []
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            population = None
            outcomes: dict[str, run.Outcome] = {}
            for n, code in enumerate(wanted, start=1):
                ind = indicators[code]
                if progress:
                    progress(code, n, len(wanted))
                record_kinds = [s[len(RECORD_PREFIX) :] for s in ind.sources if s.startswith(RECORD_PREFIX)]
                if record_kinds:
                    population = population if population is not None else _population_by_area(closure_df)
                    written, synthetic = _compute_records(
                        release, ind, record_kinds[0], tree, levels, population, vintage, areas_list
                    )
                    counts[code] = written
                    release.synthetic |= synthetic
                    if not written:
                        messages.append(f"{code}: nessun record dei servizi di questo tipo")
                    continue
                if code not in outcomes:
                    # Members of a family (e.g. every MEF indicator) are summed together in one pass.
                    members = _family_members(code, wanted, indicators)
                    metas = {c: _meta(indicators[c]) for c in members}
                    outcomes.update(
                        run.compute(metas, sources, closure, crosswalk, members, areas_list)
                        if len(members) > 1
                        else {
                            code: run.compute_one(code, metas[code], sources, closure, crosswalk, areas_list)
                        }
                    )
                outcome = outcomes.pop(code)
                if outcome.error:
                    messages.append(f"{code}: {outcome.error}")
                    counts[code] = 0
                    continue
                if outcome.unmatched:
                    shown = ", ".join(outcome.unmatched[:8])
                    messages.append(
                        f"{code}: {len(outcome.unmatched)} codici della fonte fuori dal territorio caricato "
                        f"o senza successore univoco ({shown}{'…' if len(outcome.unmatched) > 8 else ''})"
                    )
                ids = sorted({i for d in outcome.datasets for i in lineage.get(d, [])})
                dps = _datapoints(release, ind, outcome.frame, vintage, ids)
                DataPoint.objects.bulk_create(dps, batch_size=2000)
                counts[code] = len(dps)
            release.counts = counts
            release.messages = messages
            release.source_releases = lineage
            if same_content(release, release.previous):
                raise _Unchanged
            release.diff = diff(release, release.previous)
            release.status = ReleaseStatus.PUBLISHED
            release.finished_at = timezone.now()
            release.save()
    except _Unchanged:
        # Nothing changed since the release in force: publishing an identical one would only add a new id
        # (and a new page of history) with the same numbers. Keep the current release.
        Release.objects.filter(pk=release.pk).delete()
        previous = release.previous
        previous.unchanged = True
        return previous
    except Exception as exc:
        log.exception("indicator computation failed")
        Release.objects.filter(pk=release.pk).update(
            status=ReleaseStatus.FAILED, finished_at=timezone.now(), messages=[*messages, f"errore: {exc}"]
        )
        raise
    return release


def _family_members(code: str, wanted: list[str], indicators: dict) -> list[str]:
    d = DEFINITIONS.get(code)
    if d is None or not d.family:
        return [code]
    return [c for c in wanted if c in DEFINITIONS and DEFINITIONS[c].family == d.family and c in indicators]


def _compute_records(release, ind, kind, tree, levels, population, vintage, areas_list) -> tuple[int, bool]:
    allowed_levels = {"quartiere", "comune", "ambito"}
    area_levels = {a: lvl for a, lvl in levels.items() if lvl in allowed_levels}
    frame = _records_frame(kind, set(area_levels))
    if frame.height == 0:
        return 0, False
    synthetic = bool(frame["synthetic"].any())
    parents = {c: p for c, p in tree.items() if c in area_levels and p in area_levels}
    threshold = ind.disclosure_threshold or 3
    protections = records_engine.protect_records(
        frame, parents, threshold, distinct=(kind == "utente"), previous=_previous_records_table(ind)
    )
    meta = _meta(ind)
    out = records_engine.to_datapoints(protections, area_levels, population, meta)
    if areas_list:
        out = out.filter(pl.col("area_code").is_in(areas_list))
    dps = _datapoints(release, ind, out, vintage, [])
    for dp in dps:
        dp.non_ufficiale = False
    DataPoint.objects.bulk_create(dps, batch_size=2000)
    decisions = []
    for p in protections:
        for d in p.decisions:
            cell = dict(zip(p.table.dims, d.cell, strict=True))
            area, period = cell.pop("area"), cell.pop("period")
            if area == "_T" or period == "_T":
                continue
            start, _end, _g = records_engine.period_bounds(period)
            b = {k: v for k, v in cell.items() if v != "_T"}
            decisions.append(
                DisclosureDecision(
                    release=release,
                    indicator=ind,
                    area_code=area,
                    period_start=start,
                    breakdown=b,
                    reason=d.reason,
                    constraint=d.constraint[:400],
                    text=d.text[:500],
                )
            )
    DisclosureDecision.objects.bulk_create(decisions, batch_size=2000)
    # Table-wide warnings for the data protection officer: groups too large to verify exactly, and cells
    # that cells already public pin down (no suppression in this release can hide them; never expected with
    # a constant threshold). Neither is ever passed as safe.
    unchecked = sum(p.unchecked_components for p in protections)
    exposed = sum(len(p.exposed) for p in protections)
    notices = [
        (unchecked, "verifica_incompleta",
         f"{unchecked} gruppi di celle oscurate troppo grandi per la verifica esatta delle combinazioni lineari"),
        (exposed, "protezione_impossibile",
         f"{exposed} celle oscurate sono ricavabili da celle già pubblicate: nessuna soppressione in questo "
         "rilascio può proteggerle"),
    ]  # fmt: skip
    for count, reason, text in notices:
        if count:
            DisclosureDecision.objects.create(
                release=release, indicator=ind, area_code="*", period_start=vintage, reason=reason, text=text
            )
    return len(dps), synthetic


class _Unchanged(Exception):
    """Raised inside the transaction to roll back a release identical to the previous one."""


# Everything a DataPoint publishes: two releases with the same rows for these fields show the same thing.
CONTENT_FIELDS = (
    "indicator_id",
    "area_code",
    "area_level",
    "period_start",
    "period_end",
    "granularity",
    "breakdown_key",
    "value",
    "numerator",
    "denominator",
    "ci95_low",
    "ci95_high",
    "ci998_low",
    "ci998_high",
    "suppressed",
    "provisional",
    "estimated",
    "break_before",
    "non_ufficiale",
    "missing",
    "note",
)


def same_content(release: Release, previous: Release | None) -> bool:
    """True when `release` publishes exactly what `previous` publishes (same indicators, scope and rows)."""
    if previous is None or previous.status != ReleaseStatus.PUBLISHED:
        return False
    if sorted(release.indicators) != sorted(previous.indicators) or sorted(release.areas or []) != sorted(
        previous.areas or []
    ):
        return False
    if release.counts != previous.counts or release.messages != previous.messages:
        return False
    now = DataPoint.objects.filter(release=release)
    before = DataPoint.objects.filter(release=previous)
    if now.count() != before.count():
        return False
    rows_now = now.order_by(*CONTENT_FIELDS[:7]).values_list(*CONTENT_FIELDS)
    rows_before = before.order_by(*CONTENT_FIELDS[:7]).values_list(*CONTENT_FIELDS)
    return all(
        a[:7] == b[:7]
        and all(_same(x, y) if isinstance(x, float) else x == y for x, y in zip(a[7:], b[7:], strict=True))
        for a, b in zip(
            rows_now.iterator(chunk_size=5000), rows_before.iterator(chunk_size=5000), strict=True
        )
    )


def diff(release: Release, previous: Release | None) -> dict:
    """What changed from the previous published release: new, removed and revised values per indicator."""
    if previous is None:
        return {"precedente": None}
    out = {"precedente": previous.pk, "indicatori": {}}
    for code in release.indicators:
        key = ("area_code", "period_start", "period_end", "breakdown_key")
        now = {
            tuple(r[:4]): r[4:]
            for r in DataPoint.objects.filter(release=release, indicator__code=code).values_list(
                *key, "value", "suppressed"
            )
        }
        before = {
            tuple(r[:4]): r[4:]
            for r in DataPoint.objects.filter(release=previous, indicator__code=code).values_list(
                *key, "value", "suppressed"
            )
        }
        if not before:
            continue
        revised = [
            k
            for k in now.keys() & before.keys()
            if not _same(now[k][0], before[k][0]) or now[k][1] != before[k][1]
        ]
        out["indicatori"][code] = {
            "nuovi": len(now.keys() - before.keys()),
            "rimossi": len(before.keys() - now.keys()),
            "rivisti": len(revised),
            "esempi": [
                {"area": k[0], "periodo": k[1].isoformat(), "prima": before[k][0], "ora": now[k][0]}
                for k in sorted(revised)[:5]
            ],
        }
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
