"""Writes of single records at the provider, for the unified API (reads, and the pages a
sync streams, are in `connectors.selectors`)."""

from __future__ import annotations

from connectors.models import Connection
from connectors.ratelimit import Priority
from connectors.services.clients import connection_client


def record_create(*, connection: Connection, object_name: str, record: dict) -> dict:
    """Create `record` (a unified dict) at the provider; the unified record it now holds.

    `InvalidInput` (a 400 naming the field) before any call for what the provider cannot
    take; `ProviderError(status=422, body={"errors": ...})` when the provider refuses it.
    """
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    return client.create(object_name, record)


def record_update(
    *, connection: Connection, object_name: str, remote_id: str, record: dict
) -> dict:
    """Change the fields present in `record`; the unified record as the provider holds it."""
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    return client.update(object_name, remote_id, record)


def record_delete(*, connection: Connection, object_name: str, remote_id: str) -> None:
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    client.delete(object_name, remote_id)
