"""Real-time benchmark: how soon a change in Salesloft (the sandbox) is in Glue's mirror,
and how many webhook events Glue applies per second.

    .venv/bin/python benchmarks/realtime_bench.py --changes 1000

A script, not a test. The sandbox runs in its own process and posts signed webhooks; Glue
is served by waitress in this process (4 threads) on a fresh SQLite file under
var/bench/, its Django-Q tasks run inline (as one worker per request, without the queue's
polling delay, which `Q_CLUSTER["poll"]` adds in a deployment). Two figures:

* latency: `--changes` one-at-a-time updates of a person through the sandbox's API, each
  timed from the moment the update is sent until the mirror's row holds the new name
  (polled every millisecond): p50, p95, max;
* throughput: one `/_sandbox/mutate` that updates `--burst` people at once; events
  applied per second until every one of them is applied.

Ends with one JSON line of its figures.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync_bench import ROOT, free_port, start_sandbox  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=1000, help="timed one-at-a-time updates")
    parser.add_argument("--burst", type=int, default=1000, help="people updated at once")
    parser.add_argument("--people", type=int, default=2000, help="the sandbox's people")
    args = parser.parse_args()
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    db_path = bench_dir / "realtime.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    glue_port = free_port()
    os.environ.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        DJANGO_SETTINGS_MODULE="portal.settings",
        LOG_LEVEL="WARNING",
        PUBLIC_URL=f"http://127.0.0.1:{glue_port}",
        PROVIDER_ALLOWED_HOSTS="127.0.0.1",
        CONNECTOR_RATE_LIMIT_PER_MINUTE=str(10**9),
        WEBHOOK_ALLOW_PRIVATE_NETWORKS="true",
    )
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault(
        "FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(os.urandom(32)).decode()
    )
    port = free_port()
    sandbox = start_sandbox(args.people, bench_dir / f"sandbox-{args.people}", port)
    try:
        result = bench(args, f"http://127.0.0.1:{port}", glue_port)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    print(json.dumps(result))


def bench(args: argparse.Namespace, sandbox_url: str, glue_port: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django_q.conf import Conf
    from waitress import serve

    call_command("migrate", verbosity=0)
    Conf.SYNC = True  # tasks run inline, in the request that enqueued them

    from connectors.models import Provider, WebhookEvent
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

    app = get_wsgi_application()
    threading.Thread(
        target=serve, args=(app,), kwargs={"host": "127.0.0.1", "port": glue_port, "threads": 4},
        daemon=True,
    ).start()  # fmt: skip
    provider = provider_save(
        provider=Provider(**provider_defaults(name="salesloft")),
        client_secret=defaults.DEFAULT_CLIENT_SECRET,
        fields={
            "client_id": defaults.DEFAULT_CLIENT_ID,
            "authorize_url": f"{sandbox_url}/oauth/authorize",
            "token_url": f"{sandbox_url}/oauth/token",
            "api_base_url": f"{sandbox_url}/v2",
        },
    )
    sync_config_save(provider=provider, fields={"common_objects": ["contacts"], "realtime": True})
    connection = connection_create_with_api_key(
        customer=customer_upsert(customer_id="bench"),
        provider=provider,
        api_key=defaults.DEFAULT_API_KEY,
    )
    run_sync(Sync.objects.get(connection=connection, object_name="contacts"))
    ids = list(Contact.objects.filter(connection=connection).values_list("remote_id", flat=True))
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {defaults.DEFAULT_API_KEY}"

    latencies = []
    for n in range(args.changes):
        remote_id, name = ids[n % len(ids)], f"rt-{n}"
        started = time.perf_counter()
        http.put(f"{sandbox_url}/v2/people/{remote_id}", json={"first_name": name}, timeout=10)
        row = Contact.objects.filter(connection=connection, remote_id=remote_id)
        while not row.filter(first_name=name).exists():
            if time.perf_counter() - started > 30:
                raise SystemExit(f"change {n} did not arrive within 30 s")
            time.sleep(0.001)
        latencies.append(time.perf_counter() - started)

    applied_before = WebhookEvent.objects.filter(status="applied").count()
    started = time.perf_counter()
    mutated = http.post(
        f"{sandbox_url}/_sandbox/mutate",
        json={"resource": "people", "update": args.burst},
        timeout=60,
    ).json()
    expected = len(mutated["updated"])
    while WebhookEvent.objects.filter(status="applied").count() - applied_before < expected:
        if time.perf_counter() - started > 300:
            raise SystemExit("the burst was not applied within 300 s")
        time.sleep(0.01)
    burst_seconds = time.perf_counter() - started

    ms = sorted(1000 * s for s in latencies)
    result = {
        "changes": len(ms),
        "latency_p50_ms": round(statistics.median(ms), 1),
        "latency_p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
        "latency_max_ms": round(ms[-1], 1),
        "burst": expected,
        "burst_seconds": round(burst_seconds, 2),
        "events_applied_per_second": round(expected / burst_seconds, 1),
    }
    print(
        f"latency over {result['changes']} changes: p50 {result['latency_p50_ms']} ms, "
        f"p95 {result['latency_p95_ms']} ms, max {result['latency_max_ms']} ms\n"
        f"burst of {expected} updates applied in {result['burst_seconds']} s: "
        f"{result['events_applied_per_second']} events/s"
    )
    return result


if __name__ == "__main__":
    main()
