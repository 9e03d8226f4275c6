"""The provider contract: what `syncs` and `portal` may ask of any provider package.

A provider is data (a `ProviderSpec` with one `Stream` per common object) plus a client;
paging, retries, rate budget and token refresh are written once, inside the provider package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

# The seven common objects of the engagement category, in sync order (parents first).
COMMON_OBJECTS: tuple[str, ...] = (
    "users",
    "mailboxes",
    "accounts",
    "contacts",
    "sequences",
    "sequence_states",
    "emails",
)


@dataclass(frozen=True)
class Stream:
    """One common object as the provider serves it.

    `to_unified` maps one provider record to the unified dict (see unified-model.md §1):
    every unified field, `id` as a string, timestamps as aware datetimes, `raw_data` the record.
    """

    name: str
    path: str
    to_unified: Callable[[Mapping[str, Any]], dict[str, Any]]
    cursor_field: str = "updated_at"
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteIdentity:
    """Who a credential speaks for at the provider: its account (a team) and its user."""

    account_id: str
    user_id: str = ""


@dataclass
class Page:
    """One page of unified records, as a sync consumes it.

    `cursor` is the greatest `last_modified_at` on this page and every earlier one: once the
    page is stored, a resumed incremental run may start from it without losing a record.
    `cost` is the rate-limit cost the provider charged for this page.
    """

    records: list[dict[str, Any]]
    cursor: datetime | None
    cost: int = 1


@dataclass(frozen=True)
class ProviderSpec:
    """What a provider package declares about itself; the registry maps names to these.

    The URLs are the real provider's; a `Provider` row may point them elsewhere (a sandbox).
    `streams` maps each common object name to its `Stream`.

    `client_factory(api_base_url=, tokens=, budget=, budget_key=, priority=, on_wait=)`
    makes the provider's API client, which offers `send`, `url`, `identify`,
    `stream_pages`, `fetch`, `create`, `update`, `delete` and `sequence_steps`. It is the
    one way `connectors.services` reaches a provider's client, so nothing there names one.
    `error_detail(body)` says in words what one of the provider's error bodies holds (a
    refused write's field messages); None shows the body as it is.
    """

    name: str
    label: str
    category: str
    authorize_url: str
    token_url: str
    api_base_url: str
    client_factory: Callable[..., Any]
    default_scopes: str = ""
    setup_steps: tuple[str, ...] = ()
    streams: Mapping[str, Stream] = field(default_factory=dict)
    error_detail: Callable[[Any], str] | None = None

    @property
    def hosts(self) -> frozenset[str]:
        """The real provider's host names, read from its default URLs: the only hosts its
        credentials may be sent to unless the operator allows more (PROVIDER_ALLOWED_HOSTS)."""
        urls = (self.authorize_url, self.token_url, self.api_base_url)
        return frozenset(host for url in urls if (host := urlsplit(url).hostname))
