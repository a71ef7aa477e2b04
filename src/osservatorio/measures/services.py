"""Writes and use cases of the measures app: catalogue loading and editing, screening cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from django.db import transaction

from .models import Level, Measure, MeasureFact, Reliability, ScreeningCase, TargetGroup

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "misure.yaml"

FIELDS = {
    "name", "short_name", "level", "kind", "summary", "legal_basis", "valid_from", "valid_to", "validity_note",
    "target", "benefit_form", "amount_rules", "requirements", "channel", "office", "documents", "deadlines",
    "managed_by", "funding", "comune_code", "regione_code", "rule_key", "reliability", "uncertainty", "reference_section",
}  # fmt: skip
OTHER_KEYS = {"slug", "target_groups", "predecessor", "facts"}


class CatalogueError(ValueError):
    """A problem in the catalogue file, said in Italian with the entry and the field."""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _date(value, where: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise CatalogueError(f"{where}: data «{value}» non valida, usare il formato AAAA-MM-GG") from exc


def read_catalogue(path: Path = CATALOGUE_FILE) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path}: file non trovato") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" riga {mark.line + 1}, colonna {mark.column + 1}" if mark else ""
        raise CatalogueError(f"{path.name}{where}: YAML non valido ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("measures"), list):
        raise CatalogueError(f"{path.name}: manca l'elenco «measures»")
    groups = data.get("target_groups") or {}
    slugs = set()
    for i, entry in enumerate(data["measures"], start=1):
        where = f"{path.name}, voce {i} ({entry.get('slug', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: ogni voce deve essere un elenco di campi")
        unknown = set(entry) - FIELDS - OTHER_KEYS
        if unknown:
            raise CatalogueError(
                f"{where}: campi sconosciuti {sorted(unknown)}; campi ammessi: {sorted(FIELDS | OTHER_KEYS)}"
            )
        for required in ("slug", "name", "level"):
            if not entry.get(required):
                raise CatalogueError(f"{where}: manca il campo obbligatorio «{required}»")
        if entry["slug"] in slugs:
            raise CatalogueError(f"{where}: codice «{entry['slug']}» ripetuto")
        slugs.add(entry["slug"])
        if entry["level"] not in Level.values:
            raise CatalogueError(
                f"{where}: livello «{entry['level']}» non valido; usare uno tra {Level.values}"
            )
        if entry.get("reliability", "S") not in Reliability.values:
            raise CatalogueError(
                f"{where}: affidabilità «{entry['reliability']}» non valida; usare U, S, V o D"
            )
        start = _date(entry.get("valid_from"), f"{where}, campo valid_from")
        end = _date(entry.get("valid_to"), f"{where}, campo valid_to")
        if start and end and end < start:
            raise CatalogueError(f"{where}: la data di fine ({end}) precede quella di inizio ({start})")
        for g in entry.get("target_groups", []):
            if g not in groups:
                raise CatalogueError(f"{where}: destinatari «{g}» non definiti in target_groups")
        for j, fact in enumerate(entry.get("facts", []), start=1):
            if fact.get("reliability") not in Reliability.values or not fact.get("text"):
                raise CatalogueError(f"{where}, fatto {j}: servono «text» e «reliability» (U, S, V o D)")
    for i, entry in enumerate(data["measures"], start=1):
        if entry.get("predecessor") and entry["predecessor"] not in slugs:
            raise CatalogueError(
                f"{path.name}, voce {i} ({entry['slug']}): misura precedente «{entry['predecessor']}» non presente nel file"
            )
    return data


@transaction.atomic
def load_catalogue(path: Path = CATALOGUE_FILE, *, overwrite: bool = True) -> LoadResult:
    """Create or update the measures of the file. With overwrite=False existing measures are left as the
    analisti edited them (the demo uses this, so a second `make demo` never undoes a correction)."""
    data = read_catalogue(path)
    groups = {}
    for slug, name in (data.get("target_groups") or {}).items():
        groups[slug], _ = TargetGroup.objects.update_or_create(slug=slug, defaults={"name": name})
    result = LoadResult()
    by_slug = {}
    for entry in data["measures"]:
        values = {k: entry.get(k) for k in FIELDS if k in entry}
        values["valid_from"] = _date(entry.get("valid_from"), entry["slug"])
        values["valid_to"] = _date(entry.get("valid_to"), entry["slug"])
        values = {
            k: ("" if v is None and k not in ("valid_from", "valid_to") else v) for k, v in values.items()
        }
        existing = Measure.objects.filter(slug=entry["slug"]).first()
        if existing and not overwrite:
            by_slug[entry["slug"]] = existing
            result.unchanged += 1
            continue
        measure = existing or Measure(slug=entry["slug"])
        changed = existing is None or any(getattr(measure, k) != v for k, v in values.items())
        for k, v in values.items():
            setattr(measure, k, v)
        if changed:
            measure.save()
        measure.target_groups.set([groups[g] for g in entry.get("target_groups", [])])
        facts = entry.get("facts", [])
        current = list(measure.facts.values_list("topic", "text", "reliability", "source_url"))
        wanted = [(str(f.get("topic", "")), f["text"], f["reliability"], f.get("url") or "") for f in facts]
        if current != wanted:
            measure.facts.all().delete()
            MeasureFact.objects.bulk_create(
                MeasureFact(measure=measure, topic=t, text=x, reliability=r, source_url=u, position=n)
                for n, (t, x, r, u) in enumerate(wanted)
            )
            changed = True
        if existing is None:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
        by_slug[entry["slug"]] = measure
    for entry in data["measures"]:
        measure = by_slug[entry["slug"]]
        predecessor = by_slug.get(entry.get("predecessor") or "")
        if (overwrite or measure.predecessor_id is None) and measure.predecessor_id != (
            predecessor.pk if predecessor else None
        ):
            measure.predecessor = predecessor
            measure.save(update_fields=["predecessor"])
    return result


def save_screening_case(
    *, user, comune_code: str, reference_date: date, household: dict, results: list, note: str = ""
):
    return ScreeningCase.objects.create(
        created_by=user,
        comune_code=comune_code,
        reference_date=reference_date,
        household=household,
        results=results,
        note=note,
    )
