"""Measure the Salesloft sandbox: generation time for N people and pages/s served.

    .venv/bin/python benchmarks/sandbox_bench.py [--people 1000000] [--pages 4000]

Generates a fresh store (timed), starts the sandbox in a separate process with the rate
limit off, then pages through people with keyset paging (`updated_at[gt]` cursor,
100 per page) from 2 client threads with requests.Session. Prints the figures and
ends with one JSON line of them. A script, not a test: it takes about two minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from salesloft_sandbox.config import DataShape  # noqa: E402
from salesloft_sandbox.defaults import DEFAULT_API_KEY  # noqa: E402
from salesloft_sandbox.generate import generate  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds() -> float:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def rss_mb(pid: int) -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return round(psutil.Process(pid).memory_info().rss / 2**20, 1)


def page_through(base: str, start_cursor: str, pages: int, results: list) -> None:
    """Keyset paging as the official "cursor poller" does it."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {DEFAULT_API_KEY}"
    cursor, fetched, records, size = start_cursor, 0, 0, 0
    while fetched < pages:
        params = {
            "sort_by": "updated_at",
            "sort_direction": "ASC",
            "per_page": 100,
            "updated_at[gt]": cursor,
        }
        # stream + one raw read: requests' default `.content` reads in 10 KB pieces,
        # which costs the client more CPU than the server spends on the page.
        response = session.get(f"{base}/v2/people", params=params, timeout=30, stream=True)
        response.raise_for_status()
        body = response.raw.read(decode_content=True)
        response.close()
        data = orjson.loads(body)["data"]
        fetched += 1
        records += len(data)
        size += len(body)
        if not data:
            break
        cursor = data[-1]["updated_at"]
    results.append((fetched, records, size))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=4000, help="pages to fetch in total")
    parser.add_argument("--clients", type=int, default=2, help="client threads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="default: a temporary directory"
    )
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    shape = DataShape(seed=args.seed, people=args.people)

    print(f"Generating {args.people:,} people into {data_dir} ...", flush=True)
    load_before = os.getloadavg()[0]
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    report = generate(data_dir / "salesloft.sqlite3", shape)
    gen_seconds = time.perf_counter() - started
    # CPU seconds (this process + its worker processes) do not depend on what else the
    # machine is running; wall time does, so both are reported with the load average.
    gen_cpu = cpu_seconds() - cpu_before
    size_mb = (data_dir / "salesloft.sqlite3").stat().st_size / 2**20
    print(f"  {report['counts']}")
    print(f"  CPU: {gen_cpu:.1f} s in {gen_seconds:.1f} s wall; load average {load_before:.2f}")
    print(
        f"  generation: {gen_seconds:.1f} s ({args.people / gen_seconds:,.0f} people/s),"
        f" store {size_mb:,.0f} MB"
    )

    port = free_port()
    command = [
        sys.executable,
        "-m",
        "salesloft_sandbox",
        "--port",
        str(port),
        "--no-rate-limit",
        "--people",
        str(args.people),
        "--seed",
        str(args.seed),
        "--data-dir",
        str(data_dir),
    ]
    server = subprocess.Popen(
        command, cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        rss_before = rss_mb(server.pid)
        # Each client starts its cursor at a different point of the history.
        cursors = [
            "2000-01-01T00:00:00.000000Z",
            "2024-01-01T00:00:00.000000Z",
            "2023-06-01T00:00:00Z",
            "2024-09-01T00:00:00Z",
        ][: args.clients]
        results: list = []
        threads = [
            threading.Thread(
                target=page_through, args=(base, c, args.pages // args.clients, results)
            )
            for c in cursors
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        rss_after = rss_mb(server.pid)
        stats = requests.get(
            base + "/_sandbox/stats", headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}
        ).json()
    finally:
        server.terminate()
        server.wait(10)
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    pages = sum(r[0] for r in results)
    records = sum(r[1] for r in results)
    megabytes = sum(r[2] for r in results) / 2**20
    print(
        f"  served: {pages} pages / {records:,} records in {elapsed:.1f} s"
        f" = {pages / elapsed:,.0f} pages/s ({records / elapsed:,.0f} records/s,"
        f" {megabytes / elapsed:,.1f} MB/s), cost counted {stats['cost']}"
    )
    print(f"  server RSS: {rss_before} MB before paging, {rss_after} MB after")
    figures = {
        "people": args.people,
        "generation_seconds": round(gen_seconds, 1),
        "generation_cpu_seconds": round(gen_cpu, 1),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "store_mb": round(size_mb),
        "pages": pages,
        "records": records,
        "paging_seconds": round(elapsed, 2),
        "pages_per_second": round(pages / elapsed, 1),
        "records_per_second": round(records / elapsed),
        "client_threads": args.clients,
        "server_rss_mb_before": rss_before,
        "server_rss_mb_after": rss_after,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
