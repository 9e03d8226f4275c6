"""Worker identity for lost-run detection: unique per process across hosts and containers,
and a process judged gone only when it ran in this PID namespace and has really ended."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from syncs import runs
from syncs.runs import HOSTNAME, _process_gone, this_worker, worker_id

ROOT = Path(__file__).resolve().parents[2]

# Two containers: one hostname, and each runs its worker as pid 1.
SAME_HOST_AND_PID = """
import os, django
os.getpid = lambda: 1
django.setup()
from syncs.runs import this_worker
print(this_worker())
"""


def _container_worker() -> str:
    result = subprocess.run(
        [sys.executable, "-c", SAME_HOST_AND_PID],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_two_processes_with_one_hostname_and_pid_have_different_ids():
    first, second = _container_worker(), _container_worker()
    assert first.startswith(f"{HOSTNAME}:1:") and second.startswith(f"{HOSTNAME}:1:")
    assert first != second


def test_this_worker_is_stable_in_a_process_and_names_it():
    assert this_worker() == this_worker()
    assert this_worker().startswith(f"{HOSTNAME}:{os.getpid()}:")
    assert not _process_gone(this_worker())


def test_a_process_of_this_host_is_alive_until_it_ends():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker = worker_id(process.pid)
    try:
        assert not _process_gone(worker)
    finally:
        process.kill()
        process.wait()
    assert _process_gone(worker)


def test_a_pid_now_used_by_another_process_is_not_taken_for_the_original():
    # Our own pid, as a process that started earlier would have recorded it.
    host, pid, key = this_worker().split(":")
    space, started, nonce = key.split(".")
    earlier = f"{host}:{pid}:{space}.{int(started) - 1}.{nonce}"
    assert _process_gone(earlier)


def test_another_container_with_our_hostname_is_left_to_its_heartbeat():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()  # its pid is free here, but means nothing in another namespace
    other_space = "0123456789ab-4026531999"
    assert not _process_gone(f"{HOSTNAME}:{process.pid}:{other_space}.12345.abcdef01")
    # The old "host:pid" form cannot tell containers apart: never judged by process.
    assert not _process_gone(f"{HOSTNAME}:{process.pid}")


def test_without_proc_ids_stay_unique_and_nothing_is_judged(monkeypatch):
    monkeypatch.setattr(runs, "_pid_space", lambda: None)
    first, second = worker_id(os.getpid()), worker_id(os.getpid())
    assert first != second
    assert not _process_gone(first)
