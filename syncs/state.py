"""Where a sync goes after a run: its next strategy, next run time and failure backoff."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from syncs.models import ObjectSettings, Strategy, Sync, SyncConfig, SyncRun
from syncs.models.config import DEFAULT_PERIOD_MS

# Failures retry after 1, 2, 4 … minutes, then every six hours (or the period, if longer).
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
DEFAULT_SETTINGS = ObjectSettings(
    strategy=Strategy.FULL_THEN_INCREMENTAL,
    period_ms=DEFAULT_PERIOD_MS,
    full_sync_every_n_incrementals=None,
)


def sync_settings(*, sync: Sync) -> ObjectSettings:
    """The effective settings of `sync`: its provider's config, or the defaults if none."""
    config = SyncConfig.objects.filter(provider_id=sync.connection.provider_id).first()
    return config.settings_for(sync.object_name) if config else DEFAULT_SETTINGS


def sync_next_strategy(*, sync: Sync, mode: str | None = None) -> str:
    """ "full" or "incremental" for the next run; `mode` forces one (incremental without a
    watermark is still full: there is nothing to be incremental from)."""
    if mode is not None and mode not in SyncRun.Strategy.values:
        raise ValueError(f"mode must be one of {', '.join(SyncRun.Strategy.values)} or None")
    if mode == SyncRun.Strategy.FULL or sync.watermark is None:
        return SyncRun.Strategy.FULL
    if mode is None and sync.full_pass_run_id is not None:  # finish the pass under way
        return SyncRun.Strategy.FULL
    if mode == SyncRun.Strategy.INCREMENTAL:
        return SyncRun.Strategy.INCREMENTAL
    settings = sync_settings(sync=sync)
    every_n = settings.full_sync_every_n_incrementals
    if (
        sync.full_refresh_next
        or sync.phase == Sync.Phase.FULL
        or settings.strategy == Strategy.FULL_ONLY
        or (every_n is not None and sync.incrementals_since_full >= every_n)
    ):
        return SyncRun.Strategy.FULL
    return SyncRun.Strategy.INCREMENTAL


def sync_full_pass_begin(*, sync: Sync, run: SyncRun) -> tuple[datetime | None, int, datetime]:
    """Where a full run reads from: `(since, pass_run_id, pass_started_at)`.

    A pass left unfinished by an earlier run (killed, failed) is resumed from the sync's
    watermark, which only ever advanced with committed pages of that pass. Otherwise a new
    pass starts from the beginning; the watermark is cleared in the same statement so that
    a pass dying before its first page can never be resumed from an older, incremental one.
    """
    current = Sync.objects.filter(pk=sync.pk).values(
        "full_pass_run_id", "full_pass_started_at", "watermark"
    )[0]
    if current["full_pass_run_id"] is not None:
        return current["watermark"], current["full_pass_run_id"], current["full_pass_started_at"]
    Sync.objects.filter(pk=sync.pk).update(
        full_pass_run_id=run.pk, full_pass_started_at=run.started_at, watermark=None
    )
    return None, run.pk, run.started_at


def sync_after_success(*, sync: Sync, strategy: str) -> None:
    settings = sync_settings(sync=sync)
    now = timezone.now()
    changes = {
        "consecutive_failures": 0,
        "next_run_at": now + timedelta(milliseconds=settings.period_ms),
        "updated_at": now,
    }
    if strategy == SyncRun.Strategy.FULL:
        changes["full_pass_run_id"] = None
        changes["full_pass_started_at"] = None
        changes["full_refresh_next"] = False
        changes["incrementals_since_full"] = 0
        changes["phase"] = (
            Sync.Phase.FULL if settings.strategy == Strategy.FULL_ONLY else Sync.Phase.INCREMENTAL
        )
    else:
        changes["incrementals_since_full"] = F("incrementals_since_full") + 1
    Sync.objects.filter(pk=sync.pk).update(**changes)


def sync_backoff(*, failures: int, period_ms: int) -> timedelta:
    """The wait before retrying after `failures` failures in a row."""
    delay = BACKOFF_BASE * (2 ** min(max(failures - 1, 0), 16))
    return min(delay, max(BACKOFF_MAX, timedelta(milliseconds=period_ms)))


def sync_after_failure(*, sync: Sync) -> None:
    settings = sync_settings(sync=sync)
    failures = (
        Sync.objects.filter(pk=sync.pk).values_list("consecutive_failures", flat=True).first() or 0
    ) + 1
    now = timezone.now()
    Sync.objects.filter(pk=sync.pk).update(
        consecutive_failures=failures,
        next_run_at=now + sync_backoff(failures=failures, period_ms=settings.period_ms),
        updated_at=now,
    )
