"""Where a sync goes after a run: its next strategy, next run time and failure backoff."""

from __future__ import annotations

from datetime import timedelta

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


def sync_after_success(*, sync: Sync, strategy: str) -> None:
    settings = sync_settings(sync=sync)
    now = timezone.now()
    changes = {
        "consecutive_failures": 0,
        "next_run_at": now + timedelta(milliseconds=settings.period_ms),
        "updated_at": now,
    }
    if strategy == SyncRun.Strategy.FULL:
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
