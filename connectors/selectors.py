"""Reads: from the provider (pages for syncs, one record) and of the connect flow's rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.conf import settings

from connectors.base import Page
from connectors.models import Connection, MagicLink
from connectors.ratelimit import OnWait, Priority
from connectors.ratelimit.shared import shared_store


def _client(connection: Connection, **kwargs: Any) -> Any:
    from connectors.services import connection_client  # services re-exports this module

    return connection_client(connection=connection, **kwargs)


def stream_pages(
    *,
    connection: Connection,
    object_name: str,
    since: datetime | None = None,
    on_wait: OnWait | None = None,
) -> Iterator[Page]:
    """Pages of unified records of `object_name`, oldest change first, one at a time.

    `since=None` reads everything; otherwise records with `last_modified_at >= since`
    (the boundary is re-read; upserts are idempotent). `Page.cursor` is safe to resume
    from; `Page.cost` is the rate cost the provider charged for the page. `on_wait(seconds)`
    is called before waiting for rate budget. Raises the errors of `connectors.exceptions`
    (`InvalidInput` for an unknown `object_name`, `AuthRevoked` when the connection's
    credentials are gone).
    """
    client = _client(connection, priority=Priority.SYNC, on_wait=on_wait)
    return client.stream_pages(object_name, since)


def record_fetch(*, connection: Connection, object_name: str, remote_id: str) -> dict:
    """One record as a unified dict, read now from the provider (sequences with `steps`)."""
    client = _client(connection, priority=Priority.INTERACTIVE)
    return client.fetch(object_name, remote_id)


def sequence_steps_fetch(*, connection: Connection, sequence_id: str) -> list[dict]:
    """A sequence's steps (unified sequence_step dicts), read now from the provider."""
    client = _client(connection, priority=Priority.INTERACTIVE)
    return client.sequence_steps(sequence_id)


def magic_link_list(*, customer_id: str | None = None) -> Any:
    """Magic links, newest first, optionally for one customer."""
    links = MagicLink.objects.select_related("customer", "provider")
    if customer_id is not None:
        links = links.filter(customer__customer_id=customer_id)
    return links


def rate_budget_windows(*, now: float | None = None) -> dict[str, dict[str, Any]]:
    """The current rate window of every provider account (`provider:account` keys): what
    is left of its budget and when it resets. A window that has ended shows its full limit."""
    import time

    now = time.time() if now is None else now
    windows = {}
    for key, state in shared_store(redis_url=settings.REDIS_URL).states().items():
        ended = state.window_end <= now
        windows[key] = {
            "limit": state.limit,
            "remaining": state.limit if ended else state.remaining,
            "resets_in": 0 if ended else round(state.window_end - now),
        }
    return windows
