"""Changes that become webhook events, in the API's shapes (so this module sits beside
`portal.api` and `portal.webhooks`, importing both). Each receiver runs where the change is
saved, so the outbox rows commit (or roll back) with it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.signals import post_migrate

from connectors.models import Connection
from connectors.signals import connection_connected, connection_lost
from syncs.signals import record_events_wanted, records_changed, sync_run_finished

DUE_SCHEDULE = "glue: deliver due webhooks"
DUE_FUNC = "portal.tasks.webhooks_deliver_due"


def _connection_event(event_type: str, connection: Connection) -> None:
    from portal.api.serializers.mgmt import ConnectionSerializer
    from portal.webhooks.services import webhook_event_emit

    webhook_event_emit(
        event_type=event_type,
        data=dict(ConnectionSerializer(connection).data),
        customer_id=connection.customer.customer_id,
    )


def on_connection_connected(sender=None, *, connection, **kwargs) -> None:
    _connection_event("connection.created", connection)


def on_connection_lost(sender=None, *, connection, **kwargs) -> None:
    # `revoked` is a disconnect (the connection is deleted or must be made anew);
    # `needs_reauth` means the customer must approve again.
    if connection.status == Connection.Status.NEEDS_REAUTH:
        _connection_event("connection.needs_reauth", connection)
    else:
        _connection_event("connection.deleted", connection)


def on_sync_run_finished(sender=None, *, run, **kwargs) -> None:
    """Supaglue's `sync.complete`: the run's fields, and `result` SUCCESS or ERROR."""
    from portal.api.serializers.mgmt import SyncRunSerializer
    from portal.webhooks.services import webhook_event_emit

    data = dict(SyncRunSerializer(run).data)
    data["result"] = "SUCCESS" if data["status"] == "SUCCESS" else "ERROR"
    webhook_event_emit(
        event_type="sync.complete",
        data=data,
        customer_id=run.sync.connection.customer.customer_id,
    )


def on_record_events_wanted(sender=None, *, connection, **kwargs) -> bool:
    from portal.webhooks.services import RECORD_EVENT_TYPES, webhook_endpoints_want

    return webhook_endpoints_want(
        event_types=RECORD_EVENT_TYPES, customer_id=connection.customer.customer_id
    )


class _ApiJSON(DjangoJSONEncoder):
    """Date-times as the API writes them: UTC, with a `Z`."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return super().default(o)


def _record_payload(record: dict) -> dict:
    """A unified record as the API shows it (JSON types), without the provider's raw data."""
    fields = {k: v for k, v in record.items() if k != "raw_data"}
    return json.loads(json.dumps(fields, cls=_ApiJSON))


def on_records_changed(
    sender=None, *, connection, object_name, created, updated, deleted, **kwargs
) -> None:
    """`record.created`, `record.updated`, `record.deleted`: one delivery per kind per sync
    page or webhook event (a batch), never one per record."""
    from portal.webhooks.services import webhook_event_emit

    customer_id = connection.customer.customer_id
    for event_type, records in (
        ("record.created", created),
        ("record.updated", updated),
        ("record.deleted", deleted),
    ):
        if records:
            webhook_event_emit(
                event_type=event_type,
                data={
                    "customer_id": customer_id,
                    "provider_name": connection.provider.name,
                    "object": object_name,
                    "records": [_record_payload(record) for record in records],
                },
                customer_id=customer_id,
            )


def on_post_migrate(sender=None, **kwargs) -> None:
    """Retries are sent by a schedule that exists wherever the database is migrated."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=DUE_SCHEDULE,
        defaults={
            "func": DUE_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


def connect_receivers(app_config) -> None:
    post_migrate.connect(on_post_migrate, sender=app_config, dispatch_uid="portal.webhooks")
    connection_connected.connect(on_connection_connected, dispatch_uid="portal.webhooks.conn")
    connection_lost.connect(on_connection_lost, dispatch_uid="portal.webhooks.lost")
    sync_run_finished.connect(on_sync_run_finished, dispatch_uid="portal.webhooks.sync")
    record_events_wanted.connect(on_record_events_wanted, dispatch_uid="portal.webhooks.want")
    records_changed.connect(on_records_changed, dispatch_uid="portal.webhooks.records")
