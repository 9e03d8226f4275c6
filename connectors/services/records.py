"""The provider's records, read and written now for a connection: the pages a sync
streams, one record or a sequence's steps fetched, single-record writes. These are
services, not selectors: each call may refresh the connection's token and spends (and
records) rate budget."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from connectors.base import Page
from connectors.exceptions import Unsupported
from connectors.models import Connection
from connectors.ratelimit import Priority
from connectors.registry import PROVIDERS
from connectors.services.clients import connection_client


def stream_pages(
    *,
    connection: Connection,
    object_name: str,
    since: datetime | None = None,
    on_wait: Callable[[float], None] | None = None,
) -> Iterator[Page]:
    """Pages of unified records of `object_name`, oldest change first, one at a time.

    `since=None` reads everything; otherwise records with `last_modified_at >= since`
    (the boundary is re-read; upserts are idempotent). `Page.cursor` is safe to resume
    from; `Page.cost` is the rate cost the provider charged for the page. `on_wait(seconds)`
    is called before waiting for rate budget. Raises the errors of `connectors.exceptions`
    (`InvalidInput` for an unknown `object_name`, `AuthRevoked` when the connection's
    credentials are gone).
    """
    client = connection_client(connection=connection, priority=Priority.SYNC, on_wait=on_wait)
    return client.stream_pages(object_name, since)


def record_fetch(*, connection: Connection, object_name: str, remote_id: str) -> dict:
    """One record as a unified dict, read now from the provider (sequences with `steps`)."""
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    return client.fetch(object_name, remote_id)


def sequence_steps_fetch(*, connection: Connection, sequence_id: str) -> list[dict]:
    """A sequence's steps (unified sequence_step dicts), read now from the provider at
    interactive priority: a caller asking for one sequence should not wait behind a sync."""
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    return client.sequence_steps(sequence_id)


def sequence_step_create(*, connection: Connection, sequence_id: str, step: dict) -> dict:
    """Add `step` (a unified sequence_step) after the last step of a sequence; the new step
    as the provider now holds it, with its `id`. `Unsupported` when the provider's API
    cannot add steps; `InvalidInput` (naming the step's field) for what it cannot take."""
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    create = getattr(client, "sequence_step_create", None)
    if create is None:
        raise Unsupported(f"{connection.provider} cannot add steps to a sequence through its API.")
    return create(sequence_id, step)


def sequence_step_update(
    *, connection: Connection, sequence_id: str, step_id: str, step: dict
) -> dict:
    """Change a sequence step's template; the step as the provider now holds it.
    `Unsupported` when the provider's API cannot change steps."""
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    update = getattr(client, "sequence_step_update", None)
    if update is None:
        raise Unsupported(f"{connection.provider} cannot change sequence steps through its API.")
    return update(sequence_id, step_id, step)


def record_create(*, connection: Connection, object_name: str, record: dict) -> dict:
    """Create `record` (a unified dict) at the provider; the unified record it now holds.

    `InvalidInput` (a 400 naming the field) before any call for what the provider cannot
    take; `ProviderError(status=422, body=...)` when the provider refuses it
    (`provider_error_detail` says why in words).
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


def provider_error_detail(*, provider_name: str, body: Any) -> str:
    """What a provider's error body says, in words, as its package reads it (the spec's
    `error_detail`); the body as text for a provider without a reader."""
    spec = PROVIDERS.get(provider_name)
    if spec is not None and spec.error_detail is not None:
        return spec.error_detail(body)
    return str(body) if body else "validation failed"
