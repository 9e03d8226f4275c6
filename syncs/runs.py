"""A run's bookkeeping: open it (reaping a dead predecessor), count pages, close it.

Every write is a filtered `.update()`: the runner and a reaper never overwrite each other,
and a run closed by a reaper stays closed if its (presumed dead) runner wakes up.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from syncs.models import Sync, SyncRun
from syncs.state import sync_after_failure

# A live runner touches its heartbeat after every page and every rate-limit wait (≤ 60 s);
# ten silent minutes mean it is gone even if we cannot see its process.
STALE_AFTER = timedelta(minutes=10)
# A queued run (opened by a trigger so its id can be answered at once; no worker yet) holds
# the sync's running slot until a worker claims it. Its task is presumed lost once it has
# waited as long as the sync's lease (`syncs.services.LEASE`: the task timeout and a minute).
QUEUED = ""
QUEUED_STALE_AFTER = timedelta(seconds=settings.Q_CLUSTER.get("timeout", 3600) + 60)
WORKER_LOST = "WorkerLost"
HOSTNAME = socket.gethostname()


class SyncAlreadyRunning(Exception):
    """Another live run of the same sync holds the one in-progress slot."""

    def __init__(self, run: SyncRun) -> None:
        super().__init__(f"Sync {run.sync_id} is already running (run {run.pk} on {run.worker})")
        self.run = run


def _pid_space() -> str | None:
    """The PID namespace this process lives in, named uniquely across machines and boots:
    the kernel's boot id and the namespace's inode. Containers on one kernel share the boot
    id but not the namespace. None where /proc cannot tell (then no process is judged)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")
        namespace = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return None
    return f"{boot[:12]}-{namespace.strip('pid:[]')}"


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks after boot, /proc/PID/stat's 22nd field), or
    None if there is no such process: with the pid, it names one process, so a pid reused
    by a later process is told apart from the original."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # fields after "(comm)" start at the 3rd


def worker_id(pid: int) -> str:
    """`host:pid:space.started.nonce` for process `pid` of this PID namespace.

    `host:pid` alone is not unique: two containers both run their worker as pid 1, often
    under one hostname. The PID namespace and start time make it one process on one
    machine, which `_process_gone` can check; the random nonce keeps ids unique where
    /proc is missing (there the liveness check stays out, and heartbeats decide).
    """
    space, started, nonce = _pid_space(), _started(pid), secrets.token_hex(4)
    key = f"{space}.{started}.{nonce}" if space and started else f"-.-.{nonce}"
    return f"{HOSTNAME}:{pid}:{key}"


_this: tuple[int, str] | None = None


def this_worker() -> str:
    """This process's worker id (computed again in a forked child: Django-Q forks)."""
    global _this
    pid = os.getpid()
    if _this is None or _this[0] != pid:
        _this = (pid, worker_id(pid))
    return _this[1]


def _process_gone(worker: str) -> bool:
    """True when `worker` ran in this PID namespace and its process no longer exists (its
    pid is free, or now belongs to a process that started at another time).

    A worker of another namespace (another container or host, even one with our hostname
    and pids) or of the old `host:pid` form is never judged from here: its heartbeat is.
    """
    parts = worker.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    space, _, rest = parts[2].partition(".")
    started = rest.partition(".")[0]
    if space in ("", "-") or space != _pid_space():
        return False
    return _started(int(parts[1])) != started


def sync_run_is_dead(run: SyncRun) -> bool:
    """An in-progress run whose runner is gone: stale heartbeat, or its process exited; a
    queued run that no worker picked up within its lease."""
    if run.worker == QUEUED:
        return run.heartbeat_at < timezone.now() - QUEUED_STALE_AFTER
    return run.heartbeat_at < timezone.now() - STALE_AFTER or _process_gone(run.worker)


def sync_run_fail(*, run: SyncRun, error_type: str, error_message: str) -> bool:
    """Close an in-progress run as failed; False if it was already closed."""
    return bool(
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.IN_PROGRESS).update(
            status=SyncRun.Status.FAILURE,
            ended_at=timezone.now(),
            error_type=error_type,
            error_message=error_message[:10_000],
        )
    )


def sync_runs_reap_dead(*, sync: Sync | None = None) -> int:
    """Mark failed the in-progress runs (of `sync`, or all) whose runner died; returns how many."""
    runs = SyncRun.objects.filter(status=SyncRun.Status.IN_PROGRESS)
    if sync is not None:
        runs = runs.filter(sync=sync)
    reaped = 0
    for run in runs.select_related("sync__connection"):
        if not sync_run_is_dead(run):
            continue
        if run.worker == QUEUED:
            message = (
                f"No worker picked up this triggered run (queued {run.started_at.isoformat()})."
            )
        else:
            message = (
                f"The worker {run.worker} stopped before finishing "
                f"(last heartbeat {run.heartbeat_at.isoformat()})."
            )
        if sync_run_fail(run=run, error_type=WORKER_LOST, error_message=message):
            reaped += 1
            if run.worker != QUEUED:  # a run that never started is no failure of the sync
                # Due again after the usual backoff, not only when its claim expires.
                sync_after_failure(sync=run.sync)
    return reaped


def sync_run_start(*, sync: Sync, strategy: str, queued: bool = False) -> SyncRun:
    """Open a run of `sync` in this worker, or `queued` for a worker to claim later
    (`sync_run_claim`). A dead predecessor is marked failed first; a live one raises
    `SyncAlreadyRunning` (the database's partial unique index is the real guard)."""
    sync_runs_reap_dead(sync=sync)
    now = timezone.now()
    try:
        with transaction.atomic():
            return SyncRun.objects.create(
                sync=sync,
                strategy=strategy,
                started_at=now,
                heartbeat_at=now,
                worker=QUEUED if queued else this_worker(),
            )
    except IntegrityError:
        running = SyncRun.objects.filter(sync=sync, status=SyncRun.Status.IN_PROGRESS).first()
        if running is None:  # it finished in between: one retry
            return sync_run_start(sync=sync, strategy=strategy, queued=queued)
        raise SyncAlreadyRunning(running) from None


def sync_run_claim(*, run: SyncRun, strategy: str) -> SyncRun | None:
    """Take a queued run over in this worker: it starts now, with `strategy`. None if it
    is no longer queued (reaped after waiting too long, or claimed by another worker)."""
    now = timezone.now()
    claimed = SyncRun.objects.filter(
        pk=run.pk, status=SyncRun.Status.IN_PROGRESS, worker=QUEUED
    ).update(worker=this_worker(), strategy=strategy, started_at=now, heartbeat_at=now)
    if not claimed:
        return None
    run.refresh_from_db()
    return run


def sync_run_page_done(
    *, run: SyncRun, fetched: int, upserted: int, deleted: int, cost: int
) -> bool:
    """Count a stored page; False if the run was closed meanwhile (reaped as dead)."""
    return bool(
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.IN_PROGRESS).update(
            fetched=F("fetched") + fetched,
            upserted=F("upserted") + upserted,
            deleted=F("deleted") + deleted,
            pages=F("pages") + 1,
            api_cost=F("api_cost") + cost,
            heartbeat_at=timezone.now(),
        )
    )


def sync_run_touch(*, run: SyncRun) -> None:
    SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.IN_PROGRESS).update(
        heartbeat_at=timezone.now()
    )


def sync_run_succeed(*, run: SyncRun, deleted: int = 0) -> bool:
    """Close the run as a success; False if a reaper closed it first (then it failed)."""
    return bool(
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.IN_PROGRESS).update(
            status=SyncRun.Status.SUCCESS,
            ended_at=timezone.now(),
            deleted=F("deleted") + deleted,
        )
    )
