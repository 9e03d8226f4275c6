"""Writes through the unified API, with data invalidation.

Each write goes to the provider (through `connectors.services`, which validates what the
provider cannot take and reads the record back), then the returned unified record is
upserted into the synced table before the API answers, so the very next read sees it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from connectors import services as connector_services
from connectors.exceptions import Conflict
from connectors.models import Connection
from portal.api.selectors import account_search
from syncs.selectors import record_model
from syncs.upserts import records_upsert


def _store(*, connection: Connection, object_name: str, record: dict[str, Any]) -> dict[str, Any]:
    with transaction.atomic():
        records_upsert(connection=connection, object_name=object_name, records=[record])
    return record


def record_create(
    *, connection: Connection, object_name: str, record: dict[str, Any]
) -> dict[str, Any]:
    """Create `record` at the provider, store what it reads back; returns that unified
    record (its `id` is the new one)."""
    created = connector_services.record_create(
        connection=connection, object_name=object_name, record=record
    )
    return _store(connection=connection, object_name=object_name, record=created)


def record_update(
    *, connection: Connection, object_name: str, remote_id: str, record: dict[str, Any]
) -> dict[str, Any]:
    """Change the fields in `record` at the provider, store and return what it reads back."""
    updated = connector_services.record_update(
        connection=connection, object_name=object_name, remote_id=remote_id, record=record
    )
    return _store(connection=connection, object_name=object_name, record=updated)


def record_delete(*, connection: Connection, object_name: str, remote_id: str) -> None:
    """Delete at the provider, then mark the stored row deleted, as a sync would: its
    `last_modified_at` moves to now, so `modified_after` readers learn of it."""
    connector_services.record_delete(
        connection=connection, object_name=object_name, remote_id=remote_id
    )
    now = timezone.now()
    record_model(object_name=object_name).objects.filter(
        connection=connection, remote_id=remote_id
    ).update(is_deleted=True, last_modified_at=now, synced_at=now)


def account_upsert(
    *, connection: Connection, record: dict[str, Any], upsert_on: dict[str, str]
) -> dict[str, Any]:
    """Update the one account matching `upsert_on` (name and/or domain, among the synced
    accounts), or create it. More than one match is a 409: the caller must choose."""
    matches = list(
        account_search(
            connection=connection, name=upsert_on.get("name"), domain=upsert_on.get("domain")
        )
        .filter(is_deleted=False)
        .values_list("remote_id", flat=True)[:2]
    )
    if len(matches) > 1:
        raise Conflict(f"More than one account matches upsert_on {upsert_on}; refine it.")
    if matches:
        return record_update(
            connection=connection, object_name="accounts", remote_id=matches[0], record=record
        )
    return record_create(connection=connection, object_name="accounts", record=record)


def sequence_steps(*, connection: Connection, remote_id: str) -> list[dict[str, Any]]:
    """The steps of a sequence, read from the provider (steps are not synced)."""
    return connector_services.sequence_steps_fetch(connection=connection, sequence_id=remote_id)
