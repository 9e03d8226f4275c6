"""Reactions to the connectors' signals and to migrations."""

from __future__ import annotations

import importlib
import logging

from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)


def on_connection_connected(sender=None, *, connection, **kwargs) -> None:
    from syncs.services import syncs_create_for_connection

    syncs_create_for_connection(connection=connection)


def on_connection_lost(sender=None, *, connection, reason: str = "", **kwargs) -> None:
    from syncs.services import syncs_pause_for_connection

    syncs_pause_for_connection(connection=connection, reason=reason or connection.status_reason)


def on_post_migrate(sender=None, **kwargs) -> None:
    from syncs.scheduling import schedules_ensure

    schedules_ensure()


def connect_receivers(app_config) -> None:
    post_migrate.connect(on_post_migrate, sender=app_config, dispatch_uid="syncs.schedules")
    try:
        signals = importlib.import_module("connectors.signals")
    except ModuleNotFoundError:  # the connectors package predates its signals
        logger.warning("connectors.signals is missing: syncs will not follow connections")
        return
    signals.connection_connected.connect(on_connection_connected, dispatch_uid="syncs.connected")
    signals.connection_lost.connect(on_connection_lost, dispatch_uid="syncs.lost")
