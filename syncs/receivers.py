"""Reactions to the connectors' signals and to migrations."""

from __future__ import annotations

from django.db.models.signals import post_migrate

from connectors.signals import connection_connected, connection_lost


def on_connection_connected(
    sender=None, *, connection, account_changed: bool = False, **kwargs
) -> None:
    """Runs inside the transaction that saved the connection: syncs are created with it.
    A connection switched to another provider account drops the old account's records,
    so the two accounts' data never mix (the next run syncs the new one in full)."""
    from syncs.services import records_purge, syncs_create_for_connection

    if account_changed:
        records_purge(connection=connection)
    syncs_create_for_connection(connection=connection)


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
