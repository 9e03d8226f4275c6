"""Real-time changes: applying a provider's webhook events to the mirror, and deciding which
connections subscribe (the sync config's `realtime` toggle).

An event goes through the same upsert as a sync page (`syncs.upserts.records_upsert`), one
record at a time, never moving a record backwards: an event whose `updated_at` is older than
the stored row's is ignored as stale (deliveries are retried, duplicated and reordered).
Deliveries are also lossy, so the scheduled incremental sync stays the reconciler.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connectors import services as connector_services
from connectors.exceptions import ConnectorError
from connectors.models import Connection, ConnectionWebhook, WebhookEvent
from connectors.registry import PROVIDERS
from syncs.changes import record_events_requested, records_changes_announce
from syncs.models import SyncConfig
from syncs.selectors import record_model
from syncs.upserts import records_upsert

logger = logging.getLogger(__name__)

APPLIED = WebhookEvent.Status.APPLIED
STALE = WebhookEvent.Status.IGNORED_STALE
REJECTED = WebhookEvent.Status.REJECTED
RECONCILE_TASK = "syncs.tasks.connection_realtime_reconcile"
COUNTERS = {APPLIED: "events_applied", STALE: "events_ignored_stale", REJECTED: "events_rejected"}


class EventRejected(Exception):
    """A verified event that cannot be applied (unknown type, object not synced, bad body)."""


def record_apply(
    *, connection: Connection, object_name: str, record: dict[str, Any], deleted: bool = False
) -> str:
    """Upsert (or soft-delete, when `deleted`) one unified record unless the stored row is
    newer; returns APPLIED or STALE. Applying the same record twice changes nothing more."""
    model = record_model(object_name=object_name)
    incoming = record.get("updated_at")
    with transaction.atomic():
        stored = (
            model.objects.select_for_update()
            .filter(connection=connection, remote_id=record["id"])
            .values("updated_at", "is_deleted")
            .first()
        )
        if stored and stored["updated_at"] and incoming and incoming < stored["updated_at"]:
            return STALE
        if record_events_requested(connection=connection):
            records_changes_announce(
                connection=connection,
                object_name=object_name,
                records=[{**record, "is_deleted": deleted or record.get("is_deleted", False)}],
                stored=(
                    {record["id"]: (stored["is_deleted"], stored["updated_at"])} if stored else {}
                ),
            )
        if deleted:
            if stored and not stored["is_deleted"]:
                now = timezone.now()
                model.objects.filter(connection=connection, remote_id=record["id"]).update(
                    is_deleted=True,
                    updated_at=incoming or stored["updated_at"],
                    last_modified_at=now,
                    synced_at=now,
                )
            return APPLIED
        records_upsert(connection=connection, object_name=object_name, records=[record])
    return APPLIED


def _event_record(event: WebhookEvent) -> tuple[str, dict[str, Any], bool]:
    """(object name, unified record, deleted) of a stored event; raises EventRejected."""
    connection = event.connection
    spec = PROVIDERS.get(connection.provider.name)
    mapping = spec.webhook_events.get(event.event_type) if spec else None
    if mapping is None:
        raise EventRejected(f"unknown event type {event.event_type!r}")
    object_name, kind = mapping
    config = SyncConfig.objects.filter(provider_id=connection.provider_id).first()
    if config is None or object_name not in config.common_objects:
        raise EventRejected(f"{object_name} is not synced")
    try:
        body = json.loads(event.body)
        if not isinstance(body, dict) or body.get("id") is None:
            raise ValueError("the body is not a record with an id")
    except ValueError as exc:
        raise EventRejected(f"bad body: {exc}") from exc
    deleted = kind == "delete"
    try:
        record = spec.webhook_record(object_name, body)
    except (KeyError, TypeError, ValueError) as exc:
        if not deleted:
            raise EventRejected(f"bad {object_name} record: {exc!r}") from exc
        record = {"id": str(body["id"]), "updated_at": None}  # a delete needs only the id
    return object_name, record, deleted


def webhook_event_apply(*, event_id: int) -> str:
    """Apply one stored event once (a second call, or a concurrent one, does nothing) and
    count its outcome on the connection; returns its status."""
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update()
            .select_related("connection__provider", "connection__customer")
            .get(pk=event_id)
        )
        if event.status != WebhookEvent.Status.RECEIVED:
            return event.status
        error = ""
        try:
            object_name, record, deleted = _event_record(event)
            status = record_apply(
                connection=event.connection, object_name=object_name, record=record, deleted=deleted
            )
        except EventRejected as exc:
            status, error = REJECTED, str(exc)[:500]
        event.status, event.error, event.processed_at = status, error, timezone.now()
        event.save(update_fields=["status", "error", "processed_at"])
        ConnectionWebhook.objects.filter(connection_id=event.connection_id).update(
            **{COUNTERS[status]: F(COUNTERS[status]) + 1}
        )
    return status


def connection_realtime_reconcile(*, connection_id: int) -> int:
    """Bring a connection's subscriptions in step with its sync config: subscribed to its
    provider's events for the synced objects when the config is real-time, unsubscribed
    when not. Returns how many event types it is subscribed to."""
    connection = Connection.objects.select_related("provider").get(pk=connection_id)
    config = SyncConfig.objects.filter(provider_id=connection.provider_id).first()
    spec = PROVIDERS.get(connection.provider.name)
    if spec is None or not spec.webhook_events:
        return 0
    if config is None or not config.realtime:
        connection_realtime_unsubscribe(connection=connection)
        left = ConnectionWebhook.objects.filter(connection=connection).first()
        return len(left.subscriptions) if left else 0
    webhook = connector_services.connection_webhooks_subscribe(
        connection=connection, object_names=config.common_objects
    )
    return len(webhook.subscriptions)


def connections_realtime_reconcile(*, config: SyncConfig) -> int:
    """After a config's real-time toggle (or its objects) changed: reconcile each active
    connection in a worker, once the change is committed. Returns how many were queued."""
    from django_q.tasks import async_task

    ids = list(
        Connection.objects.filter(
            provider_id=config.provider_id, status=Connection.Status.ACTIVE
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        transaction.on_commit(partial(async_task, RECONCILE_TASK, pk, group="webhooks"))
    return len(ids)


def connection_realtime_unsubscribe(*, connection: Connection) -> int:
    """Best effort: a provider that cannot be reached keeps the subscriptions (its
    deliveries to a revoked connection are refused), and the disconnect goes on."""
    try:
        return connector_services.connection_webhooks_unsubscribe(connection=connection)
    except ConnectorError as exc:
        logger.warning("Could not unsubscribe connection %s: %s", connection.pk, exc)
        return 0
