"""Record-level changes: which records of a page (or an event) were created, updated or
deleted in the mirror, told to whoever asked for them (`syncs.signals`). Nothing is
compared, and no query is made, unless a receiver wants them."""

from __future__ import annotations

from typing import Any

from connectors.models import Connection
from syncs.selectors import record_model
from syncs.signals import record_events_wanted, records_changed


def record_events_requested(*, connection: Connection) -> bool:
    """True when some receiver wants record-level events of `connection`."""
    answers = record_events_wanted.send(sender=Connection, connection=connection)
    return any(answer for _, answer in answers)


def records_stored_state(
    *, connection: Connection, object_name: str, records: list[dict[str, Any]]
) -> dict[str, tuple[bool, Any]]:
    """{remote id: (is_deleted, updated_at)} of the records already stored (one query, made
    before the write)."""
    model = record_model(object_name=object_name)
    rows = model.objects.filter(
        connection=connection, remote_id__in=[record["id"] for record in records]
    ).values_list("remote_id", "is_deleted", "updated_at")
    return {remote_id: (is_deleted, updated_at) for remote_id, is_deleted, updated_at in rows}


def records_changes_announce(
    *,
    connection: Connection,
    object_name: str,
    records: list[dict[str, Any]],
    stored: dict[str, tuple[bool, Any]],
) -> None:
    """Tell receivers what writing `records` over the `stored` state changed: new records
    are created, live ones with another `updated_at` updated, and records arriving deleted
    that were live, deleted. A record read again unchanged (an incremental run re-reads its
    boundary), a deleted one arriving deleted again, or one never seen, is no change."""
    created, updated, deleted = [], [], []
    for record in records:
        was_deleted, was_updated_at = stored.get(record["id"], (None, None))
        if record["is_deleted"]:
            if was_deleted is False:
                deleted.append(record)
        elif was_deleted is None:
            created.append(record)
        elif was_deleted or record.get("updated_at") != was_updated_at:
            updated.append(record)
    if created or updated or deleted:
        records_changed.send(
            sender=Connection,
            connection=connection,
            object_name=object_name,
            created=created,
            updated=updated,
            deleted=deleted,
        )
