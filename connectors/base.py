"""The provider contract: what `syncs` and `portal` may ask of any provider package.

A provider is a package exporting `SPEC`, a `ProviderSpec`: its names and real hosts, one
`Stream` per common object it serves (how it is listed, and which writes it takes), and
`client_factory`, which makes a `ProviderClient` for one connection. The registry
(`connectors.registry`) loads the packages named in `settings.GLUE_PROVIDERS`; nothing
outside a provider's package names it. Paging, retries, rate budget and token refresh are
the client's business, written once inside the package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

Operation = Literal["create", "update", "delete"]
# What a provider's webhook event does to the mirror: upsert the record it carries, or
# soft-delete it.
ChangeKind = Literal["upsert", "delete"]

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
class Writes:
    """The writes a stream takes. `create(record)` and `update(record)` map a unified record
    (only the fields sent, for an update) to the body the provider takes; None: the write is
    not offered. `delete`: records can be deleted."""

    create: Callable[[Mapping[str, Any]], Any] | None = None
    update: Callable[[Mapping[str, Any]], Any] | None = None
    delete: bool = False

    def offers(self, operation: Operation) -> bool:
        return bool(getattr(self, operation))


@dataclass(frozen=True)
class Stream:
    """One common object as the provider serves it: where it is listed (`path`, `params`),
    how one record becomes unified (`to_unified`: every unified field, `id` as a string,
    timestamps as aware datetimes, `raw_data` the record; docs/unified-model.md §2), and
    which writes it takes. A provider package may subclass it to carry its own details."""

    name: str
    path: str
    to_unified: Callable[[Mapping[str, Any]], dict[str, Any]]
    cursor_field: str = "updated_at"
    params: Mapping[str, str] = field(default_factory=dict)
    writes: Writes = Writes()


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


class TokenSource(Protocol):
    """Where a provider client gets its credentials (`connectors.services` implements it
    for a connection: its token, refreshed under a lease, or its API key)."""

    def token(self) -> str: ...

    def refresh(self, *, stale: str) -> str:
        """A new token after `stale` was refused; raises AuthRevoked if there is none."""
        ...

    def revoked(self, *, reason: str) -> None:
        """The credentials are dead: mark the connection for re-authorisation."""
        ...


class ProviderClient(Protocol):
    """A provider's API client for one connection (made by `ProviderSpec.client_factory`).

    Every method raises the errors of `connectors.exceptions`: `InvalidInput` naming the
    field before any call for what the provider cannot take, `AuthRevoked`, `RateLimited`,
    `ProviderUnavailable`, `ProviderError` (with the provider's status and body).

    Optional: `sequence_step_create(sequence_id, step) -> step` (appends one unified
    sequence_step, answered with its id) and `sequence_step_update(sequence_id, step_id,
    step) -> step`; a client without one (or raising `Unsupported`) cannot do it."""

    def url(self, path: str) -> str:
        """The absolute URL of an API path (for passthrough)."""
        ...

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        raise_errors: bool = True,
    ) -> Any:
        """One API call with credentials and rate budget applied (an `HttpResponse`)."""
        ...

    def identify(self) -> RemoteIdentity:
        """The provider account and user the credentials belong to."""
        ...

    def stream_pages(self, object_name: str, since: datetime | None) -> Iterator[Page]:
        """Pages of unified records changed at or after `since` (all when None)."""
        ...

    def fetch(self, object_name: str, remote_id: str) -> dict[str, Any]: ...

    def create(self, object_name: str, record: Mapping[str, Any]) -> dict[str, Any]: ...

    def update(
        self, object_name: str, remote_id: str, record: Mapping[str, Any]
    ) -> dict[str, Any]: ...

    def delete(self, object_name: str, remote_id: str) -> None: ...

    def sequence_steps(self, sequence_id: str) -> list[dict[str, Any]]: ...

    def webhook_subscribe(self, callback_url: str, token: str, event_type: str) -> str:
        """Subscribe `callback_url` to one event type, signed with `token`; returns the
        provider's subscription id (only for a spec with `webhook_events`)."""
        ...

    def webhook_unsubscribe(self, subscription_id: str) -> None:
        """Delete one subscription (an already-deleted one is not an error)."""
        ...


@dataclass(frozen=True)
class ProviderSpec:
    """What a provider package declares about itself; the registry maps names to these.

    The URLs are the real provider's; a `Provider` row may point them elsewhere (a sandbox
    on a host the operator allowed). `streams` maps each common object it serves to its
    `Stream`. `client_factory(api_base_url=, tokens=, budget=, budget_key=, priority=,
    on_wait=)` makes its `ProviderClient`: the one way `connectors.services` reaches it.
    Connecting uses OAuth 2.0 with `connectors.oauth.ConnectOAuth2` (or `oauth_backend`, a
    subclass, when the provider needs more) and API keys when `auth_types` has them.
    `error_detail(body)` says in words what one of the provider's error bodies holds (a
    refused write's field messages); None shows the body as it is.

    Real-time changes (optional): `webhook_events` maps each event type the provider posts
    to (object name, change kind); `webhook_event_type(headers)` reads a delivery's event
    type, `webhook_delivery_id(headers)` its id when the provider sends one ("" when not),
    and `webhook_verify(body, headers, token)` says whether the raw body was signed with the
    connection's callback token. `webhook_record(object_name, body)` turns a delivery's
    parsed body into a unified record (default: the stream's `to_unified`).
    """

    name: str
    label: str
    category: str
    authorize_url: str
    token_url: str
    api_base_url: str
    client_factory: Callable[..., ProviderClient]
    default_scopes: str = ""
    setup_steps: tuple[str, ...] = ()
    streams: Mapping[str, Stream] = field(default_factory=dict)
    oauth_backend: type | None = None
    error_detail: Callable[[Any], str] | None = None
    webhook_events: Mapping[str, tuple[str, ChangeKind]] = field(default_factory=dict)
    webhook_event_type: Callable[[Mapping[str, str]], str] | None = None
    webhook_delivery_id: Callable[[Mapping[str, str]], str] | None = None
    webhook_verify: Callable[[bytes, Mapping[str, str], str], bool] | None = None

    def webhook_record(self, object_name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """The unified record a delivery carries (its `id` at least, for a delete)."""
        return self.streams[object_name].to_unified(body)

    def offers(self, object_name: str, operation: Operation) -> bool:
        """True when this provider takes `operation` on `object_name`."""
        stream = self.streams.get(object_name)
        return stream is not None and stream.writes.offers(operation)

    @property
    def hosts(self) -> frozenset[str]:
        """The real provider's host names, read from its default URLs: the only hosts its
        credentials may be sent to unless the operator allows more (PROVIDER_ALLOWED_HOSTS)."""
        urls = (self.authorize_url, self.token_url, self.api_base_url)
        return frozenset(host for url in urls if (host := urlsplit(url).hostname))
