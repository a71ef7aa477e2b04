"""Area profile under load: gunicorn in front of a throwaway PostgreSQL, 50 concurrent clients for 60 s.

Set-up (not timed): a PostgreSQL started in a temporary folder, the territory of Lombardia, the sources from
../shared/data and a release of the indicators (a representative subset by default, `--tutti` for the whole
catalogue), gunicorn as documented for production in docs/esercizio.md (by default 2 × CPU + 1 gthread
workers with 4 threads each, and the shared page cache on; `--senza-cache`, `--worker`, `--classe` and
`--thread` change them). Then, in the same run and on the same server, `wrk` (or a
Python thread pool when wrk is absent) fires 50 concurrent clients for 60 s at the profile of Cremona and
then at a trivial page (/privacy/): p50/p95/p99 and errors for both. Loopback only, bounded in time.
Target: profile p95 ≤ 150 ms and zero errors.

    uv run python benchmarks/bench_atlas_profile.py [--durata 60] [--client 50] [--tutti] [--senza-cache]
        [--worker N] [--classe sync|gthread] [--thread N]
"""

import argparse
import glob
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "atlas_profile.jsonl"
PROFILE = "/atlante/aree/019036/"
TRIVIAL = "/privacy/"
SUBSET = [
    "popolazione-residente",
    "indice-vecchiaia",
    "dipendenza-anziani",
    "quota-stranieri",
    "contribuenti-fino-10mila",
    "reddito-imponibile-per-contribuente",
    "gini-redditi",
    "residenti-aree-interne",
]
WRK_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('{"requests":%d,"errors":%d,"p50":%.3f,"p95":%.3f,"p99":%.3f,"max":%.3f,' ..
    '"error_kinds":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n',
    summary.requests, errors, latency:percentile(50)/1000, latency:percentile(95)/1000,
    latency:percentile(99)/1000, latency.max/1000, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
"""


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def as_pg(cmd: list[str]) -> None:
    if os.geteuid() == 0:
        subprocess.run(
            ["su", "postgres", "-s", "/bin/bash", "-c", " ".join(f"'{c}'" for c in cmd)],
            check=True,
            capture_output=True,
        )
    else:
        subprocess.run(cmd, check=True, capture_output=True)


def start_postgres(tmp: Path) -> tuple[str, callable]:
    bindir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
    data = tmp / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        os.chmod(tmp, 0o755)
    port = free_port()
    as_pg(
        [
            str(bindir / "initdb"),
            "-D",
            str(data / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    opts = f"-k {data} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    as_pg(
        [str(bindir / "pg_ctl"), "-D", str(data / "data"), "-o", opts, "-l", str(data / "log"), "-w", "start"]
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "CREATE DATABASE osservatorio"],
        check=True,
        capture_output=True,
    )

    def stop():
        as_pg([str(bindir / "pg_ctl"), "-D", str(data / "data"), "-m", "fast", "stop"])

    return f"postgres://postgres@127.0.0.1:{port}/osservatorio", stop


def prepare(codes: list[str] | None) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from osservatorio.indicators import services as indicators
    from osservatorio.sources import services as sources
    from osservatorio.territory.services import load_territory

    t = time.perf_counter()
    load_territory(regioni=["03"])
    sources.load_defaults()
    release = indicators.compute_release(codes=codes)
    return {"setup_seconds": round(time.perf_counter() - t, 1), "datapoints": sum(release.counts.values())}


def run_wrk(url: str, clients: int, seconds: int, tmp: Path) -> dict:
    script = tmp / "report.lua"
    script.write_text(WRK_LUA)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("{"))
    return json.loads(line)


def run_threads(host: str, port: int, path: str, clients: int, seconds: int) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, port, timeout=10)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
                conn.close()
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()

    def pct(q):
        return latencies[min(len(latencies) - 1, int(q / 100 * len(latencies)))] if latencies else None

    return {
        "requests": len(latencies),
        "errors": errors[0],
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "max": latencies[-1] if latencies else None,
    }


def wait_ready(port: int, seconds: int = 300) -> None:
    """Until the server answers the profile with 200 (workers import a lot: slow on a busy machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", PROFILE)
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                return
            raise RuntimeError(f"il profilo risponde {resp.status}")
        except OSError:
            time.sleep(1)
    raise RuntimeError("gunicorn non risponde")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--durata", type=int, default=60)
    parser.add_argument("--client", type=int, default=50)
    parser.add_argument("--tutti", action="store_true", help="tutto il catalogo degli indicatori (più lento)")
    parser.add_argument("--senza-cache", action="store_true", help="senza la cache condivisa delle pagine")
    parser.add_argument("--worker", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--classe", choices=["sync", "gthread"], default="gthread")
    parser.add_argument("--thread", type=int, default=4)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-atlas-profile-"))
    db_url, stop_pg = start_postgres(tmp)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "OSSERVATORIO_VAR_DIR": str(tmp / "var"),
        "OSSERVATORIO_HOME_AMBITO": "AMB-CREMONESE",
        "DJANGO_SETTINGS_MODULE": "osservatorio.settings",
        "DJANGO_DEBUG": "0",
        "OSSERVATORIO_PAGE_CACHE": "0" if args.senza_cache else "1",
        "OSSERVATORIO_PAGE_CACHE_DIR": str(tmp / "var" / "cache" / "pages"),
    }
    os.environ.update(env)
    gunicorn = None
    try:
        facts = prepare(None if args.tutti else SUBSET)
        port = free_port()
        workers = args.worker
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "osservatorio.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "-k",
                args.classe,
                "--threads",
                str(args.thread if args.classe == "gthread" else 1),
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        )
        wait_ready(port)
        # Warm every worker's cache (the first render of a profile per release and worker is the expensive
        # one); not counted.
        run_threads("127.0.0.1", port, PROFILE, workers * 4, 5 if not args.senza_cache else 15)
        run_threads("127.0.0.1", port, TRIVIAL, workers * 2, 2)
        tool = "wrk" if shutil.which("wrk") else "python-threads"
        load_before = os.getloadavg()
        results = {}
        for name, path in (("profile", PROFILE), ("trivial", TRIVIAL)):
            if tool == "wrk":
                results[name] = run_wrk(f"http://127.0.0.1:{port}{path}", args.client, args.durata, tmp)
            else:
                results[name] = run_threads("127.0.0.1", port, path, args.client, args.durata)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        stop_pg()
    result = {
        "benchmark": "atlas_profile",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "load_tool": tool,
        "clients": args.client,
        "seconds": args.durata,
        "gunicorn_workers": workers,
        "gunicorn_class": args.classe,
        "gunicorn_threads": args.thread if args.classe == "gthread" else 1,
        "page_cache": not args.senza_cache,
        **facts,
        "profile": results["profile"],
        "trivial": results["trivial"],
        "target_p95_ms": 150,
    }
    result["load_average_before"] = load_before
    result["load_average"] = os.getloadavg()
    result["meets_target"] = (
        results["profile"]["requests"] > 0
        and results["profile"]["p95"] <= 150
        and results["profile"]["errors"] == 0
    )
    for name, label in (("profile", f"profilo {PROFILE}"), ("trivial", f"pagina banale {TRIVIAL}")):
        r = results[name]
        print(
            f"{label}: {r['requests']} richieste in {args.durata} s, errori {r['errors']}, "
            f"p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, p99 {r['p99']:.0f} ms"
        )
    print(
        f"{args.client} client, {workers} worker gunicorn {args.classe}, cache delle pagine "
        f"{'no' if args.senza_cache else 'sì'}, {os.cpu_count()} CPU, carico con {tool}; obiettivo p95 ≤ 150 ms: {'sì' if result['meets_target'] else 'NO'}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
