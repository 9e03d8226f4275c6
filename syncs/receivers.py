"""Reactions to the connectors' signals and to migrations."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_migrate

from connectors.signals import (
    connection_connected,
    connection_disconnecting,
    connection_lost,
    webhook_event_received,
)


def on_connection_connected(
    sender=None, *, connection, account_changed: bool = False, **kwargs
) -> None:
    """Runs inside the transaction that saved the connection: syncs are created with it.
    A connection switched to another provider account drops the old account's records,
    so the two accounts' data never mix (the next run syncs the new one in full)."""
    from syncs.models import SyncConfig
    from syncs.services import records_purge, syncs_create_for_connection

    if account_changed:
        records_purge(connection=connection)
    syncs_create_for_connection(connection=connection)
    if SyncConfig.objects.filter(provider_id=connection.provider_id, realtime=True).exists():
        # After commit, in a worker: subscribing calls the provider once per event type.
        _enqueue_on_commit("syncs.tasks.connection_realtime_reconcile", connection.pk, "webhooks")


def _enqueue_on_commit(task: str, arg: int, group: str) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(task, arg, group=group))


def on_webhook_event_received(sender=None, *, event, **kwargs) -> None:
    """A stored delivery is applied by a worker once its row is committed."""
    _enqueue_on_commit("syncs.tasks.webhook_event_apply", event.pk, "webhooks")


def on_connection_disconnecting(sender=None, *, connection, **kwargs) -> None:
    from syncs.services import connection_realtime_unsubscribe

    connection_realtime_unsubscribe(connection=connection)


def on_connection_lost(sender=None, *, connection, reason: str = "", **kwargs) -> None:
    from syncs.services import syncs_pause_for_connection

    syncs_pause_for_connection(connection=connection, reason=reason or connection.status_reason)


def on_post_migrate(sender=None, **kwargs) -> None:
    """The heartbeat and keep-alive schedules exist wherever the database is migrated."""
    from syncs.scheduling import schedules_ensure

    schedules_ensure()


def connect_receivers(app_config) -> None:
    post_migrate.connect(on_post_migrate, sender=app_config, dispatch_uid="syncs.schedules")
    connection_connected.connect(on_connection_connected, dispatch_uid="syncs.connected")
    connection_lost.connect(on_connection_lost, dispatch_uid="syncs.lost")
    connection_disconnecting.connect(on_connection_disconnecting, dispatch_uid="syncs.unsub")
    webhook_event_received.connect(on_webhook_event_received, dispatch_uid="syncs.webhook")
