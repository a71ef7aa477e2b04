"""Reads of the records app, always within the user's comune scope."""

from __future__ import annotations

from django.db.models import Count, Q

from osservatorio.accounts.access import user_comune_codes
from osservatorio.core.http import UserFacing404

from . import places
from .models import ImportBatch, ImportMapping, RecordKind, ServiceRecord

SMALL_CELL = 3  # counts below this (1-2) are shown as "<3" (Sistan primary rule)


def batches_for(user):
    batches = ImportBatch.objects.select_related("uploaded_by").order_by("-created_at")
    if user_comune_codes(user) is not None:
        batches = batches.filter(uploaded_by=user)
    return batches


def batch_for(user, pk: int) -> ImportBatch:
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        raise UserFacing404("Importazione non trovata, o caricata da un altro utente.")
    return batch


def mapping_names() -> list[str]:
    return list(ImportMapping.objects.values_list("name", flat=True))


def records_for(user):
    records = ServiceRecord.objects.all()
    allowed = user_comune_codes(user)
    if allowed is not None:
        records = records.filter(comune_code__in=allowed)
    return records


def shown(n: int) -> str:
    if 0 < n < SMALL_CELL:
        return f"<{SMALL_CELL}"
    return f"{n:,}".replace(",", ".")


def counts_by_area(user, *, kind: str = "", year: int | None = None) -> dict:
    """Records and distinct people per comune and quartiere, with small cells suppressed."""
    records = records_for(user)
    if kind:
        records = records.filter(kind=kind)
    if year:
        records = records.filter(record_date__year=year)
    rows = list(
        records.values("comune_code", "quartiere_code")
        .annotate(
            n=Count("id"),
            persons=Count("pseudonym", distinct=True),
            synthetic=Count("id", filter=Q(synthetic=True)),
        )
        .order_by("comune_code", "quartiere_code")
    )
    grouped: dict[str, list[dict]] = {}
    for r in rows:
        grouped.setdefault(r["comune_code"], []).append(r)
    comuni: dict[str, dict] = {}
    for code, items in grouped.items():
        with_quartiere = any(i["quartiere_code"] for i in items)
        comuni[code] = {
            "code": code,
            "n": sum(i["n"] for i in items),
            "synthetic": sum(i["synthetic"] for i in items),
            "quartieri": [
                {"code": i["quartiere_code"] or "", "n": i["n"], "persons": i["persons"]} for i in items
            ]
            if with_quartiere
            else [],
        }
    persons = dict(
        records.values_list("comune_code")
        .annotate(p=Count("pseudonym", distinct=True))
        .values_list("comune_code", "p")
    )
    codes = set(comuni) | {q["code"] for c in comuni.values() for q in c["quartieri"] if q["code"]}
    names = places.area_names(codes)
    out = []
    for c in sorted(comuni.values(), key=lambda x: names.get(x["code"], x["code"])):
        c["name"] = names.get(c["code"], c["code"])
        c["persons"] = persons.get(c["code"], 0)
        c["n_shown"], c["persons_shown"] = shown(c["n"]), shown(c["persons"])
        for q in c["quartieri"]:
            q["name"] = names.get(q["code"], "") if q["code"] else ""
            q["n_shown"], q["persons_shown"] = shown(q["n"]), shown(q["persons"])
        out.append(c)
    total = sum(c["n"] for c in out)
    years = sorted({d.year for d in records_for(user).dates("record_date", "year")}, reverse=True)
    return {
        "comuni": out,
        "total": total,
        "total_shown": shown(total),
        "synthetic": any(c["synthetic"] for c in out),
        "only_synthetic": bool(out) and all(c["synthetic"] == c["n"] for c in out),
        "years": years,
        "kinds": RecordKind.choices,
    }
