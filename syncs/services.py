"""Writes on sync configs and syncs, and setting a provider up with its default sync
config: what the admin, the API and the signals call."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from connectors import services as connector_services
from connectors.base import COMMON_OBJECTS
from connectors.models import Connection, Provider
from syncs.models import Sync, SyncConfig, SyncRun
from syncs.realtime import (  # noqa: F401 (re-exported: real-time changes, own module)
    connection_realtime_reconcile,
    connection_realtime_unsubscribe,
    connections_realtime_reconcile,
    record_apply,
    webhook_event_apply,
)
from syncs.runs import SyncAlreadyRunning, sync_run_start
from syncs.state import sync_next_strategy

logger = logging.getLogger(__name__)

AUTH_LOST_REASON = "The connection lost its authorization"
MANUAL_START_REASON = "Waiting to be resumed: the sync config does not auto-start on connection"
# A claimed sync is not due again before its run had every chance to finish (the task
# timeout): if the worker dies silently, the sync becomes due again by itself.
LEASE = timedelta(seconds=settings.Q_CLUSTER.get("timeout", 3600) + 60)
RUN_TASK = "syncs.tasks.sync_run"


def _object_order(name: str) -> int:
    return COMMON_OBJECTS.index(name)


@transaction.atomic
def _config_default(provider: Provider) -> SyncConfig:
    """The config a provider is given when set up: every object, the default schedule."""
    return SyncConfig(provider=provider, common_objects=list(COMMON_OBJECTS))


# What a person can set on a config (what `sync_config_is_default` compares).
CONFIG_SETTINGS = [
    "name",
    "common_objects",
    "strategy",
    "period_ms",
    "full_sync_every_n_incrementals",
    "auto_start_on_connection",
    "realtime",
    "object_overrides",
]


def sync_config_is_default(*, config: SyncConfig) -> bool:
    """True when every setting of `config` is still the default one's: replacing it loses
    nothing anybody chose."""
    default = _config_default(config.provider)
    return all(getattr(config, name) == getattr(default, name) for name in CONFIG_SETTINGS)


def sync_config_save(*, provider: Provider, fields: dict | None = None) -> SyncConfig:
    """Create or update `provider`'s sync config (validated: a ValidationError names the
    field), then bring every connection's syncs in step with it."""
    config = SyncConfig.objects.filter(provider=provider).first() or _config_default(provider)
    before = (config.realtime, list(config.common_objects))
    for name, value in (fields or {}).items():
        setattr(config, name, value)
    config.full_clean()
    config.save()
    syncs_reconcile(config=config)
    if config.realtime != before[0] or (config.realtime and config.common_objects != before[1]):
        connections_realtime_reconcile(config=config)
    return config


@transaction.atomic
def provider_setup(
    *,
    provider: Provider,
    client_secret: str | None = None,
    fields: dict | None = None,
    changed_by: AbstractBaseUser | None = None,
    change_note: str = "",
) -> tuple[Provider, SyncConfig | None]:
    """Save a provider (`connectors.services.provider_save`: same arguments, same checks)
    and give one that has no sync config the default one: every object, the default
    schedule. The admin and the management API both set providers up through here, so a
    provider is synced the same way whichever created it. Returns the provider and the
    sync config created now (None when it had one)."""
    provider = connector_services.provider_save(
        provider=provider,
        client_secret=client_secret,
        fields=fields,
        changed_by=changed_by,
        change_note=change_note,
    )
    if SyncConfig.objects.filter(provider=provider).exists():
        return provider, None
    return provider, sync_config_save(provider=provider)


@transaction.atomic
def sync_config_delete(*, config: SyncConfig) -> None:
    """Delete a config and the syncs it made (the synced records stay)."""
    Sync.objects.filter(connection__provider_id=config.provider_id).delete()
    config.delete()


def syncs_reconcile(*, config: SyncConfig) -> None:
    """Every connection of the config's provider gets a sync per configured object; syncs of
    objects no longer configured are removed (their synced records stay)."""
    for connection in Connection.objects.filter(provider_id=config.provider_id):
        _syncs_ensure(connection=connection, config=config)


def _syncs_ensure(*, connection: Connection, config: SyncConfig) -> list[Sync]:
    Sync.objects.filter(connection=connection).exclude(
        object_name__in=config.common_objects
    ).delete()
    existing = {s.object_name: s for s in Sync.objects.filter(connection=connection)}
    now = timezone.now()
    for name in config.common_objects:
        if name not in existing:
            existing[name] = Sync.objects.create(
                connection=connection,
                object_name=name,
                paused=not config.auto_start_on_connection,
                paused_reason="" if config.auto_start_on_connection else MANUAL_START_REASON,
                next_run_at=now,
            )
    return sorted(existing.values(), key=lambda s: _object_order(s.object_name))


@transaction.atomic
def syncs_create_for_connection(*, connection: Connection) -> list[Sync]:
    """A connection was made (or re-made): create its syncs from the provider's config, and
    resume those paused because the connection had lost its authorization. Without a config
    nothing is synced."""
    config = SyncConfig.objects.filter(provider_id=connection.provider_id).first()
    if config is None:
        logger.info("No sync config for %s: nothing to sync", connection.provider)
        return []
    syncs = _syncs_ensure(connection=connection, config=config)
    Sync.objects.filter(
        connection=connection, paused=True, paused_reason__startswith=AUTH_LOST_REASON
    ).update(paused=False, paused_reason="", next_run_at=timezone.now(), consecutive_failures=0)
    return syncs


def syncs_pause_for_connection(*, connection: Connection, reason: str = "") -> int:
    """Pause every sync of a connection that lost its authorization; returns how many."""
    reason = f"{AUTH_LOST_REASON}: {reason}" if reason else AUTH_LOST_REASON
    return Sync.objects.filter(connection=connection, paused=False).update(
        paused=True, paused_reason=reason[:500], updated_at=timezone.now()
    )


def sync_pause(sync: Sync, *, reason: str = "") -> Sync:
    """Stop scheduling `sync` (a run in progress finishes)."""
    Sync.objects.filter(pk=sync.pk).update(
        paused=True, paused_reason=(reason or "Paused")[:500], updated_at=timezone.now()
    )
    sync.refresh_from_db()
    return sync


def sync_resume(sync: Sync) -> Sync:
    """Schedule `sync` again, due now, with a clean failure count."""
    Sync.objects.filter(pk=sync.pk).update(
        paused=False,
        paused_reason="",
        consecutive_failures=0,
        next_run_at=timezone.now(),
        updated_at=timezone.now(),
    )
    sync.refresh_from_db()
    return sync


def sync_trigger(sync: Sync, *, full_refresh: bool = False) -> SyncRun:
    """Run `sync` as soon as a worker is free (also when paused: an explicit request), as a
    full refresh if asked, and return the run that does it.

    The run is opened now, queued (`syncs.runs`), so its id can be answered at once; the
    worker's task claims it once the transaction commits. If a run is in progress already,
    that run is returned and nothing is queued: a full refresh then applies to the next run.
    """
    from django_q.tasks import async_task

    now = timezone.now()
    with transaction.atomic():
        if full_refresh:
            Sync.objects.filter(pk=sync.pk).update(full_refresh_next=True, updated_at=now)
            sync.refresh_from_db(fields=["full_refresh_next"])
        try:
            run = sync_run_start(sync=sync, strategy=sync_next_strategy(sync=sync), queued=True)
        except SyncAlreadyRunning as exc:
            return exc.run
        Sync.objects.filter(pk=sync.pk).update(next_run_at=now + LEASE, updated_at=now)
        transaction.on_commit(lambda: async_task(RUN_TASK, sync.pk, run.pk, group="syncs"))
    sync.refresh_from_db()
    return run


@transaction.atomic
def records_purge(*, connection: Connection) -> int:
    """Delete every synced record of `connection` (all objects); returns how many rows.
    Its syncs stay, so a reconnected customer is synced afresh by the next full run."""
    from syncs.models import RECORD_MODELS

    deleted = 0
    for model in RECORD_MODELS.values():
        deleted += model.objects.filter(connection=connection).delete()[0]
    Sync.objects.filter(connection=connection).update(
        watermark=None, phase=Sync.Phase.FULL, updated_at=timezone.now()
    )
    return deleted
