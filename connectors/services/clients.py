"""Provider API clients: one per connection (its tokens, refresh and shared rate budget),
and a throwaway one to ask which provider account a new credential belongs to."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from connectors.base import RemoteIdentity
from connectors.exceptions import AuthRevoked
from connectors.models import Connection, Provider
from connectors.ratelimit import BudgetStore, OnWait, Priority, RateBudget
from connectors.ratelimit.memory import MemoryStore
from connectors.ratelimit.shared import shared_store
from connectors.registry import provider_spec
from connectors.services.endpoints import endpoint_check
from connectors.services.tokens import (
    connection_access_token,
    connection_mark_needs_reauth,
    connection_refresh,
)


class _ConnectionTokens:
    """The `TokenSource` a provider client gets: tokens from this connection's row."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def token(self) -> str:
        return connection_access_token(connection=self.connection)

    def refresh(self, *, stale: str) -> str:
        return connection_refresh(connection=self.connection, stale_token=stale)

    def revoked(self, *, reason: str) -> None:
        connection_mark_needs_reauth(connection=self.connection, reason=reason)


def connection_budget_key(*, connection: Connection) -> str:
    """Connections to one provider account share its rate budget."""
    account = connection.remote_account_id or f"connection-{connection.pk}"
    return f"{connection.provider.name}:{account}"


def connection_rate_window(*, connection: Connection, now: float | None = None) -> dict[str, Any]:
    """The current rate window of the provider account `connection` spends from (shared
    with every other connection to that account): `limit`, `remaining`, and `resets_at`
    (epoch seconds; None when no window is open, the whole budget being available). A
    read, next to the key it reads by."""
    now = time.time() if now is None else now
    state = (
        shared_store(redis_url=settings.REDIS_URL)
        .states()
        .get(connection_budget_key(connection=connection))
    )
    if state is None or state.window_end <= now:
        limit = state.limit if state is not None and state.limit else None
        limit = limit or settings.CONNECTOR_RATE_LIMIT_PER_MINUTE
        return {"limit": limit, "remaining": limit, "resets_at": None}
    return {"limit": state.limit, "remaining": state.remaining, "resets_at": int(state.window_end)}


def _rate_budget(*, store: BudgetStore) -> RateBudget:
    # The deployment's settings are read here, where a client is built, and passed in: the
    # budget itself knows no Django.
    return RateBudget(
        store=store,
        default_limit=settings.CONNECTOR_RATE_LIMIT_PER_MINUTE,
        sync_reserve=settings.CONNECTOR_RATE_SYNC_RESERVE,
        margin=settings.CONNECTOR_RATE_WINDOW_MARGIN,
    )


def connection_client(
    *,
    connection: Connection,
    priority: Priority = Priority.SYNC,
    on_wait: OnWait | None = None,
) -> Any:
    """The provider's API client for this connection (token, refresh, budget applied);
    `ProviderError` before any call when the API host is not one credentials may go to."""
    endpoint_check(provider=connection.provider, url=connection.provider.api_base_url)
    make_client = provider_spec(connection.provider.name).client_factory
    return make_client(
        api_base_url=connection.provider.api_base_url,
        tokens=_ConnectionTokens(connection),
        budget=_rate_budget(store=shared_store(redis_url=settings.REDIS_URL)),
        budget_key=connection_budget_key(connection=connection),
        priority=priority,
        on_wait=on_wait,
    )


def provider_identity(*, provider: Provider, token: str) -> RemoteIdentity:
    """The provider account (team) and user behind `token`, asked with interactive priority."""

    class _Fixed:
        def token(self) -> str:
            return token

        def refresh(self, *, stale: str) -> str:
            raise AuthRevoked("The provider refused these credentials.", status=401)

        def revoked(self, *, reason: str) -> None:
            pass

    endpoint_check(provider=provider, url=provider.api_base_url)
    make_client = provider_spec(provider.name).client_factory
    client = make_client(
        api_base_url=provider.api_base_url,
        tokens=_Fixed(),
        budget=_rate_budget(store=MemoryStore()),
        budget_key=f"{provider.name}:identify",
        priority=Priority.INTERACTIVE,
    )
    return client.identify()
