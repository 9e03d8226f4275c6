"""Django-Q entry points, each a thin call into a service. Their dotted paths are stored in
the queue and in schedules: never rename them."""

from __future__ import annotations


def syncs_heartbeat() -> dict:
    from syncs.scheduling import syncs_enqueue_due

    return syncs_enqueue_due()


def connection_syncs_run(connection_id: int, sync_ids: list[int]) -> list[int | None]:
    from syncs.engine import sync_run_by_id

    return [
        getattr(sync_run_by_id(sync_id=sync_id, skip_paused=True), "pk", None)
        for sync_id in sync_ids
    ]


def sync_run(sync_id: int, run_id: int | None = None) -> int | None:
    from syncs.engine import sync_run_by_id

    return getattr(sync_run_by_id(sync_id=sync_id, run_id=run_id), "pk", None)


def connections_keepalive():
    from connectors.services import connections_keepalive

    return connections_keepalive()


def connect_sessions_prune() -> dict:
    from connectors.services import connect_sessions_prune

    return connect_sessions_prune()


def webhook_event_apply(event_id: int) -> str:
    from syncs.services import webhook_event_apply

    return webhook_event_apply(event_id=event_id)


def connection_realtime_reconcile(connection_id: int) -> int:
    from syncs.services import connection_realtime_reconcile

    return connection_realtime_reconcile(connection_id=connection_id)
