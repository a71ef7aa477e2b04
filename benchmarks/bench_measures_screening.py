"""p95 latency of one screening answered by the web page (Django test client, full request cycle:
middleware, form validation, rules engine, template), 200+ requests, beside a baseline measured in the
same run: the catalogue page (no engine). Target: p95 <= 100 ms.

    uv run python benchmarks/bench_measures_screening.py [--requests 250]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osservatorio.settings")


def p95(values):
    return statistics.quantiles(values, n=100)[94]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=250)
    args = parser.parse_args()
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.db import connection
    from django.test.utils import get_runner  # noqa: F401

    # A throwaway test database, as the test suite does.
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.test import Client
        from measures.test_views import household_post

        from osservatorio.accounts.models import User
        from osservatorio.accounts.roles import Role
        from osservatorio.measures.services import load_catalogue

        load_catalogue()
        user = User.objects.create_user(username="bench", password="x", role=Role.OPERATORE)
        client = Client()
        client.force_login(user)
        data = household_post()
        for _ in range(5):  # warm-up: first request imports the URLconf and builds the rules
            client.post("/misure/screening/", data)
            client.get("/misure/")
        screening, catalogue = [], []
        for i in range(args.requests):
            payload = dict(data)
            payload["nucleo-isee"] = str(1000 + (i * 97) % 14000)
            start = time.perf_counter()
            response = client.post("/misure/screening/", payload)
            screening.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and response.context["results"]
            start = time.perf_counter()
            client.get("/misure/")
            catalogue.append((time.perf_counter() - start) * 1000)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)
    result = {
        "benchmark": "measures_screening",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "requests": args.requests,
        "screening_p50_ms": round(statistics.median(screening), 1),
        "screening_p95_ms": round(p95(screening), 1),
        "catalogue_p50_ms": round(statistics.median(catalogue), 1),
        "catalogue_p95_ms": round(p95(catalogue), 1),
        "target_p95_ms": 100,
    }
    print(
        f"screening ({args.requests} richieste): p50 {result['screening_p50_ms']} ms, p95 {result['screening_p95_ms']} ms (obiettivo <= 100)"
    )
    print(
        f"baseline pagina catalogo: p50 {result['catalogue_p50_ms']} ms, p95 {result['catalogue_p95_ms']} ms"
    )
    out = ROOT / "benchmarks" / "results" / "measures_screening.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
