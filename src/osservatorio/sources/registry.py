"""registry.yaml → plain dataclasses, and their synchronisation into the Source/Dataset tables."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REGISTRY_FILE = Path(__file__).with_name("registry.yaml")
SOURCE_FIELDS = (
    "name",
    "publisher",
    "licence",
    "licence_url",
    "url",
    "download_url",
    "unit",
    "coverage",
    "residence_rule",
    "geographic_level",
    "frequency",
    "release_calendar",
    "official",
    "citation",
    "quality_notes",
)


@dataclass(frozen=True)
class DatasetSpec:
    key: str
    title: str
    loader: str
    files: tuple[str, ...]
    source_key: str


@dataclass(frozen=True)
class SourceSpec:
    key: str
    attrs: dict = field(hash=False)
    datasets: tuple[DatasetSpec, ...] = ()


@functools.cache
def sources() -> tuple[SourceSpec, ...]:
    data = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    out = []
    for s in data["sources"]:
        datasets = tuple(
            DatasetSpec(d["key"], d["title"], d["loader"], tuple(d.get("files") or ()), s["key"])
            for d in s["datasets"]
        )
        out.append(SourceSpec(s["key"], {k: s.get(k) for k in SOURCE_FIELDS}, datasets))
    return tuple(out)


def datasets() -> dict[str, DatasetSpec]:
    return {d.key: d for s in sources() for d in s.datasets}


def sync() -> None:
    """Upsert the registry into the database (idempotent; datasets removed from the YAML are kept)."""
    from .models import Dataset, Source

    for order, spec in enumerate(sources()):
        attrs = {
            k: (v if v is not None else ("" if k != "quality_notes" else [])) for k, v in spec.attrs.items()
        }
        source, _ = Source.objects.update_or_create(key=spec.key, defaults={**attrs, "order": order})
        for d_order, d in enumerate(spec.datasets):
            Dataset.objects.update_or_create(
                key=d.key,
                defaults={
                    "source": source,
                    "title": d.title,
                    "loader": d.loader,
                    "default_files": list(d.files),
                    "order": d_order,
                },
            )
