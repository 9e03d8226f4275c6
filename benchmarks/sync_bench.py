"""Sync benchmark: N people from an unthrottled local sandbox into SQLite or PostgreSQL.

    .venv/bin/python benchmarks/sync_bench.py --records 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python benchmarks/sync_bench.py --records 100000

A script, not a test. The sandbox runs in its own process (its data is generated once per
N under var/bench/ and reused); this process is the syncing one: it runs the same
`run_sync` as the workers, a full run of contacts, and reports records per second end to
end (HTTP, JSON, mapping, upserts, commits), its own peak RSS and the API cost spent,
ending with one JSON line. Without DATABASE_URL it writes a fresh SQLite file under
var/bench/. With DATABASE_URL, use a scratch database: the benchmark migrates it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(people: int, data_dir: Path, port: int) -> subprocess.Popen:
    log = open(data_dir.parent / f"sandbox-{people}.log", "w")  # noqa: SIM115 - lives with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "salesloft_sandbox", "--port", str(port),
         "--people", str(people), "--data-dir", str(data_dir), "--no-rate-limit",
         # Unthrottled means an unlimited budget: with the default 600 the sandbox still
         # reports a spent minute and the client (rightly) waits for the next one.
         "--rate-limit-per-minute", str(10**9)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v2/team"
    deadline = time.monotonic() + 3600  # generating a million people takes a while, once
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"The sandbox exited; see {log.name}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return process
        except urllib.error.HTTPError:  # 401 without a key: it is up
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    sys.exit("The sandbox did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, required=True, help="people to sync")
    args = parser.parse_args()
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        db_path = bench_dir / f"bench-{args.records}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # A throwaway database: throwaway keys (Glue does not start without them, DEBUG off).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault(
        "FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(os.urandom(32)).decode()
    )
    # The client budgets 600 cost/minute until a window has shown the team's real limit;
    # against an unthrottled sandbox, tell it up front instead of measuring that first wait.
    os.environ.setdefault("CONNECTOR_RATE_LIMIT_PER_MINUTE", str(10**9))
    # The sandbox is on 127.0.0.1, a host provider endpoints may use only when it is listed.
    os.environ.setdefault("PROVIDER_ALLOWED_HOSTS", "127.0.0.1")

    port = free_port()
    sandbox = start_sandbox(args.records, bench_dir / f"sandbox-{args.records}", port)
    try:
        result = bench(args.records, f"http://127.0.0.1:{port}")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    print(json.dumps(result))


def bench(records: int, sandbox_url: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection as db

    call_command("migrate", verbosity=0)

    from connectors.models import Provider
    from connectors.services import (
        connection_create_with_api_key,
        customer_upsert,
        provider_defaults,
        provider_save,
    )
    from salesloft_sandbox import defaults
    from syncs.engine import run_sync
    from syncs.models import Contact, Sync
    from syncs.services import sync_config_save

    provider = Provider.objects.filter(name="salesloft").first() or Provider(
        **provider_defaults(name="salesloft")
    )
    provider = provider_save(provider=provider, fields={"api_base_url": f"{sandbox_url}/v2"})
    sync_config_save(provider=provider, fields={"common_objects": ["contacts"]})
    customer = customer_upsert(customer_id=f"bench-{records}-{int(time.time())}")
    connection = connection_create_with_api_key(
        customer=customer, provider=provider, api_key=defaults.DEFAULT_API_KEY
    )
    sync = Sync.objects.select_related("connection__customer", "connection__provider").get(
        connection=connection, object_name="contacts"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    last = [started]

    def on_page(progress) -> None:
        now = time.perf_counter()
        if now - last[0] >= 10:
            last[0] = now
            rate = progress.fetched / (now - started)
            print(f"  {progress.fetched:,} records, {rate:,.0f}/s", file=sys.stderr)

    run = run_sync(sync, mode="full", on_page=on_page)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if run.status != "success":
        sys.exit(f"The sync failed: {run.error_type}: {run.error_message}")
    stored = Contact.objects.filter(connection=connection).count()
    assert stored == records == run.fetched, (stored, records, run.fetched)
    return {
        "records": run.fetched,
        "database": db.vendor,
        "seconds": round(seconds, 2),
        "records_per_second": round(run.fetched / seconds),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "rss_before_sync_mb": round(rss_before / 1024, 1),
        "api_cost": run.api_cost,
        "pages": run.pages,
        "cost_per_100_records": round(run.api_cost / (records / 100), 4),
    }


if __name__ == "__main__":
    main()
