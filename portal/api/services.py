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
from connectors.exceptions import Conflict, ConnectorError
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


def sequence_step_create(
    *, connection: Connection, sequence_id: str, step: dict[str, Any]
) -> dict[str, Any]:
    """Add `step` after the sequence's last step at the provider; the new step (with its
    `id`). The sequence is read back and stored, so its `num_steps` is right at once."""
    created = connector_services.sequence_step_create(
        connection=connection, sequence_id=sequence_id, step=step
    )
    sequence = connector_services.record_fetch(
        connection=connection, object_name="sequences", remote_id=sequence_id
    )
    _store(connection=connection, object_name="sequences", record=sequence)
    return created


def sequence_step_update(
    *, connection: Connection, sequence_id: str, step_id: str, step: dict[str, Any]
) -> dict[str, Any]:
    """Change a step's template at the provider (`Unsupported` where it cannot)."""
    return connector_services.sequence_step_update(
        connection=connection, sequence_id=sequence_id, step_id=step_id, step=step
    )


class BatchStopped(Exception):
    """A batch write failed at `records[index]` with `error`; `created` holds the ids of the
    records written before it (the API reports both)."""

    def __init__(self, *, index: int, created: list[str], error: ConnectorError) -> None:
        super().__init__(f"records[{index}]: {error}")
        self.index = index
        self.created = created
        self.error = error


def sequence_states_create(
    *, connection: Connection, records: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Add each contact to its sequence, in order; the stored sequence states.

    The provider has no batch call, so this is one create per record, not atomic: it stops
    at the first failure and raises `BatchStopped` saying which record failed and which
    were created. Sending the batch again is safe: adding a contact already in the sequence
    answers its existing state (Supaglue's createSequenceState contract).
    """
    stored: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        try:
            stored.append(
                record_create(connection=connection, object_name="sequence_states", record=record)
            )
        except ConnectorError as exc:
            created = [row["id"] for row in stored]
            raise BatchStopped(index=index, created=created, error=exc) from exc
    return stored
