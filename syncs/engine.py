"""The engine: one run of one sync, page by page, from the connector into the synced table.

Each page is stored in one transaction together with the run's counters and the sync's
watermark, so the watermark never gets ahead of the data and a crash at any point loses
nothing: a resumed incremental run starts from the last committed page, and upserts make
re-reading a page harmless. Deletions are found by "not stamped by this full run", in one
UPDATE, only once the run has seen every page. A full pass killed midway is resumed by the
next run from its watermark, so even a pass longer than the task timeout completes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from connectors import services as connector_services
from connectors.base import Page
from connectors.exceptions import AuthRevoked
from connectors.ratelimit import OnWait
from syncs.changes import (
    record_events_requested,
    records_changes_announce,
    records_stored_state,
)
from syncs.models import Sync, SyncRun
from syncs.readahead import read_ahead as read_ahead_pages
from syncs.readahead import read_ahead_possible
from syncs.runs import (
    SyncAlreadyRunning,
    sync_run_claim,
    sync_run_fail,
    sync_run_page_done,
    sync_run_start,
    sync_run_succeed,
    sync_run_touch,
)
from syncs.services import AUTH_LOST_REASON, sync_pause
from syncs.signals import sync_run_finished
from syncs.state import (
    sync_after_failure,
    sync_after_success,
    sync_full_pass_begin,
    sync_next_strategy,
)
from syncs.upserts import (
    records_newly_deleted,
    records_prepare,
    records_soft_delete_unseen,
    records_write,
)

logger = logging.getLogger(__name__)
STATE_FIELDS = [
    "phase",
    "watermark",
    "full_refresh_next",
    "incrementals_since_full",
    "full_pass_run_id",
    "full_pass_started_at",
]


@dataclass
class RunProgress:
    """Running totals handed to `on_page` after each committed page."""

    object_name: str
    strategy: str
    pages: int = 0
    fetched: int = 0
    upserted: int = 0
    deleted: int = 0
    api_cost: int = 0


class RunClosedElsewhere(Exception):
    """The run was marked failed (as dead) by someone else while this runner still ran."""


def run_sync(
    sync: Sync,
    *,
    mode: str | None = None,
    on_page: Callable[[RunProgress], None] | None = None,
    on_wait: OnWait | None = None,
    read_ahead: bool | None = None,
    queued: SyncRun | None = None,
) -> SyncRun:
    """Run `sync` now and return its finished `SyncRun`.

    `mode` is "full", "incremental" or None (the sync decides: its phase, a requested full
    refresh, `full_sync_every_n_incrementals`). Provider errors end the run as a failure
    (recorded, never raised); a connection that lost its authorization pauses the sync.
    `on_wait(seconds)` is called before the connector waits for rate budget. `read_ahead`
    fetches the next page while one is written (None: whenever possible, see
    `syncs.readahead`). `queued` is the run a trigger opened for this call (`sync_trigger`):
    it is claimed, or a new run opened if it was closed meanwhile. Raises
    `SyncAlreadyRunning` if a live run of this sync exists.
    """
    sync.refresh_from_db(fields=STATE_FIELDS)  # the caller's instance may be stale
    strategy = sync_next_strategy(sync=sync, mode=mode)
    run = sync_run_claim(run=queued, strategy=strategy) if queued is not None else None
    if run is None:
        run = sync_run_start(sync=sync, strategy=strategy)
    progress = RunProgress(object_name=sync.object_name, strategy=strategy)
    full = strategy == SyncRun.Strategy.FULL
    since = sync.watermark
    if full:
        since, pass_run_id, pass_started_at = sync_full_pass_begin(sync=sync, run=run)
    ahead = read_ahead_possible() if read_ahead is None else read_ahead
    announce = record_events_requested(connection=sync.connection)  # asked once a run

    def waiting(seconds: float) -> None:
        if not ahead:  # with read-ahead, the waiting thread is not ours: `idle` touches it
            sync_run_touch(run=run)  # a rate-limit wait is not a dead worker
        if on_wait is not None:
            on_wait(seconds)

    def make_pages():
        return connector_services.stream_pages(
            connection=sync.connection,
            object_name=sync.object_name,
            since=since,
            on_wait=waiting,
        )

    try:
        if ahead:
            pages = read_ahead_pages(make_pages, idle=lambda: sync_run_touch(run=run))
        else:
            pages = make_pages()
        with contextlib.closing(pages):
            for page in pages:
                _store_page(sync, run, page, progress, announce=announce)
                if on_page is not None:
                    on_page(progress)
        with transaction.atomic():
            unseen = 0
            if full:
                unseen = records_soft_delete_unseen(
                    connection=sync.connection,
                    object_name=sync.object_name,
                    since_run_id=pass_run_id,
                    pass_started_at=pass_started_at,
                )
            if not sync_run_succeed(run=run, deleted=unseen):
                raise RunClosedElsewhere(f"run {run.pk} was closed by another process")
            progress.deleted += unseen
            sync_after_success(sync=sync, strategy=strategy)
    except AuthRevoked as exc:
        _fail(run, exc)
        sync_after_failure(sync=sync)
        sync_pause(sync, reason=f"{AUTH_LOST_REASON}: {exc}")
    except RunClosedElsewhere:
        logger.warning("Sync %s: run %s was reaped while running", sync.pk, run.pk)
    except Exception as exc:  # every failure is recorded on the run, then retried later
        logger.exception("Sync %s (%s) failed", sync.pk, sync.object_name)
        _fail(run, exc)
        sync_after_failure(sync=sync)
    run.refresh_from_db()
    if run.status != SyncRun.Status.IN_PROGRESS:
        sync_run_finished.send(sender=SyncRun, run=run)
    return run


def _store_page(
    sync: Sync, run: SyncRun, page: Page, progress: RunProgress, *, announce: bool = False
) -> None:
    """One page, its counters and the watermark: all or nothing. With `announce`, what it
    created, updated and deleted is told to the receivers of `records_changed`."""
    prepared = records_prepare(
        connection=sync.connection,
        object_name=sync.object_name,
        records=page.records,
        run_id=run.pk,
    )
    with transaction.atomic():
        deleted = records_newly_deleted(
            connection=sync.connection, object_name=sync.object_name, records=page.records
        )
        stored = (
            records_stored_state(
                connection=sync.connection, object_name=sync.object_name, records=page.records
            )
            if announce
            else None
        )
        upserted = records_write(prepared)
        if stored is not None:
            records_changes_announce(
                connection=sync.connection,
                object_name=sync.object_name,
                records=page.records,
                stored=stored,
            )
        if not sync_run_page_done(
            run=run,
            fetched=len(page.records),
            upserted=upserted,
            deleted=deleted,
            cost=page.cost,
        ):
            raise RunClosedElsewhere(f"run {run.pk} was closed by another process")
        if page.cursor is not None:
            Sync.objects.filter(pk=sync.pk).update(watermark=page.cursor)
    progress.pages += 1
    progress.fetched += len(page.records)
    progress.upserted += upserted
    progress.deleted += deleted
    progress.api_cost += page.cost


def _fail(run: SyncRun, exc: BaseException) -> None:
    sync_run_fail(run=run, error_type=type(exc).__name__, error_message=str(exc))


def sync_run_by_id(
    *,
    sync_id: int,
    mode: str | None = None,
    skip_paused: bool = False,
    run_id: int | None = None,
) -> SyncRun | None:
    """Run a sync by id (the tasks' entry point); None if it is gone, running elsewhere, or
    paused while `skip_paused` (scheduled runs of a sync paused after being enqueued).
    `run_id` is the queued run a trigger opened for this task."""
    sync = (
        Sync.objects.select_related("connection__customer", "connection__provider")
        .filter(pk=sync_id)
        .first()
    )
    if sync is None or (skip_paused and sync.paused):
        return None
    queued = SyncRun.objects.filter(pk=run_id, sync=sync).first() if run_id else None
    try:
        return run_sync(sync, mode=mode, queued=queued)
    except SyncAlreadyRunning as exc:
        logger.info("%s", exc)
        return None
