"""Reads for the pages and the CLI."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import Dataset, Release, Source


def sources_with_releases():
    in_force = Release.objects.filter(status=Release.Status.IN_FORCE)
    return Source.objects.prefetch_related(
        Prefetch(
            "datasets",
            queryset=Dataset.objects.prefetch_related(
                Prefetch("releases", queryset=in_force, to_attr="in_force")
            ),
        )
    )


def source_detail(key: str) -> Source | None:
    return Source.objects.filter(key=key).prefetch_related("datasets").first()


def releases_of(source: Source):
    return Release.objects.filter(dataset__source=source).select_related("dataset", "superseded_by")


def release(pk: int) -> Release | None:
    return Release.objects.select_related("dataset", "dataset__source").filter(pk=pk).first()
