"""A connection's credentials over time: the token endpoint, refresh under a row lock,
bearer tokens for calls, the keep-alive, and losing or ending the connection."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from connectors.exceptions import AuthRevoked, ConnectorError, ProviderError
from connectors.http import default_client, error_message
from connectors.models import AuthType, Connection, Provider
from connectors.services.endpoints import endpoint_check
from connectors.signals import connection_lost

logger = logging.getLogger(__name__)


def _refresh_margin() -> timedelta:
    return timedelta(seconds=settings.CONNECTOR_TOKEN_REFRESH_MARGIN)


def _token_request(*, provider: Provider, data: dict[str, str]) -> dict[str, Any]:
    """POST to the provider's OAuth token endpoint (RFC 6749 §4.1.3, §6); the answer's JSON.

    400 `invalid_grant` raises `AuthRevoked`; other failures raise `ProviderError`.
    """
    endpoint_check(provider=provider, url=provider.token_url)  # before any secret leaves
    body = {**data, "client_id": provider.client_id, "client_secret": provider.client_secret}
    response = default_client().request(
        "POST",
        provider.token_url,
        data=body,
        headers={"Accept": "application/json"},
        raise_errors=False,
    )
    payload = response.body if isinstance(response.body, Mapping) else {}
    if response.status >= 400 or "access_token" not in payload:
        message = f"The token endpoint answered {response.status}: {error_message(payload)}"
        if payload.get("error") == "invalid_grant":
            raise AuthRevoked(message, status=response.status, body=payload, url=provider.token_url)
        raise ProviderError(message, status=response.status, body=payload, url=provider.token_url)
    return dict(payload)


def _apply_tokens(connection: Connection, payload: Mapping[str, Any]) -> None:
    now = timezone.now()
    connection.access_token = payload["access_token"]
    # Rotating providers send a new refresh token; keep the old one if none came.
    connection.refresh_token = payload.get("refresh_token") or connection.refresh_token
    expires_in = payload.get("expires_in")
    connection.expires_at = now + timedelta(seconds=int(expires_in)) if expires_in else None
    connection.scope = payload.get("scope") or connection.scope
    connection.last_refreshed_at = now


_TOKEN_FIELDS = ["access_token", "refresh_token", "expires_at", "scope", "last_refreshed_at"]


def _copy_credentials(source: Connection, target: Connection) -> None:
    for name in [*_TOKEN_FIELDS, "status", "status_reason", "api_key", "remote_account_id"]:
        setattr(target, name, getattr(source, name))


def connection_refresh(
    *,
    connection: Connection,
    stale_token: str | None = None,
    min_remaining: timedelta | None = None,
) -> str:
    """Refresh the connection's access token once, however many callers ask at once.

    Under a row lock, the row is read again: if another worker refreshed meanwhile (the
    token changed since `stale_token` was refused, or now lasts `min_remaining` more), its
    token is used. Otherwise the provider is asked, and the rotated refresh token is saved
    before the new access token is handed out, so a crash cannot lose it. `invalid_grant`
    marks the connection `needs_reauth` and raises `AuthRevoked`.
    """
    min_remaining = _refresh_margin() if min_remaining is None else min_remaining
    asked = []  # set once the token endpoint was called: from then on, never retry
    for attempt in range(20):
        try:
            token, reason = _refresh_locked(connection, stale_token, min_remaining, asked)
            break
        except OperationalError as exc:
            # SQLite answers "locked" instead of waiting in some setups (shared-cache test
            # databases, an expired busy timeout). Before the provider was asked, waiting
            # and trying again is safe; after, it could spend the refresh token twice.
            if "locked" not in str(exc) or asked or attempt == 19:
                raise
            time.sleep(0.05 * (attempt + 1))
    if token is not None:
        return token
    connection_mark_needs_reauth(connection=connection, reason=reason)
    raise AuthRevoked(reason)


def _refresh_locked(
    connection: Connection, stale_token: str | None, min_remaining: timedelta, asked: list
) -> tuple[str | None, str]:
    """One attempt of `connection_refresh` under the row lock: (token, "") or (None, why)."""
    reason = ""
    with transaction.atomic():
        row = (
            Connection.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=connection.pk)
        )
        if row.status != Connection.Status.ACTIVE:
            _copy_credentials(row, connection)
            raise AuthRevoked(f"The connection is {row.get_status_display().lower()}.")
        if row.auth_type == AuthType.API_KEY:
            reason = "The provider refused the API key."
        elif stale_token is not None and row.access_token != stale_token:
            pass  # refreshed by someone else after our call was refused
        elif (
            stale_token is None
            and row.expires_at is not None
            and row.expires_at - timezone.now() > min_remaining
        ):
            pass  # refreshed by someone else while we waited for the lock
        elif not row.refresh_token:
            reason = "The connection has no refresh token."
        else:
            asked.append(True)
            try:
                payload = _token_request(
                    provider=row.provider,
                    data={"grant_type": "refresh_token", "refresh_token": row.refresh_token},
                )
            except AuthRevoked as exc:
                reason = f"Refreshing the token failed: {exc}"
            else:
                _apply_tokens(row, payload)
                row.save(update_fields=[*_TOKEN_FIELDS, "updated_at"])
                logger.info("Refreshed the token of connection %s", row.pk)
        if reason:
            return None, reason
        _copy_credentials(row, connection)
        return row.access_token, ""


def connection_access_token(*, connection: Connection) -> str:
    """A bearer token for the connection, refreshed first when under 5 minutes remain."""
    if connection.status != Connection.Status.ACTIVE:
        raise AuthRevoked(f"The connection is {connection.get_status_display().lower()}.")
    if connection.auth_type == AuthType.API_KEY:
        return connection.api_key
    if connection.expires_at is None or connection.expires_at - timezone.now() > _refresh_margin():
        return connection.access_token
    return connection_refresh(connection=connection)


def connection_mark_needs_reauth(*, connection: Connection, reason: str) -> None:
    """The credentials stopped working: the customer must connect again."""
    reason = reason[:500]
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.NEEDS_REAUTH, status_reason=reason, updated_at=timezone.now()
    )
    connection.status, connection.status_reason = Connection.Status.NEEDS_REAUTH, reason
    logger.warning("Connection %s needs re-authorisation: %s", connection.pk, reason)
    connection_lost.send(sender=Connection, connection=connection, reason=reason)


def connection_disconnect(*, connection: Connection) -> None:
    """Revoke the connection: status `revoked`, every credential wiped."""
    reason = "Disconnected."
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.REVOKED,
        status_reason=reason,
        access_token="",
        refresh_token="",
        api_key="",
        expires_at=None,
        updated_at=timezone.now(),
    )
    connection.refresh_from_db()
    connection_lost.send(sender=Connection, connection=connection, reason=reason)


def connections_keepalive(*, within: timedelta = timedelta(minutes=30)) -> int:
    """Refresh active OAuth connections whose token expires within `within`, so idle
    connections keep a live refresh token. Returns how many were refreshed; a connection
    that fails is logged (and marked, if its grant is gone) without stopping the rest."""
    due = Connection.objects.filter(
        status=Connection.Status.ACTIVE,
        auth_type=AuthType.OAUTH2,
        expires_at__lt=timezone.now() + within,
    ).exclude(refresh_token="")
    refreshed = 0
    for connection in due.iterator():
        try:
            connection_refresh(connection=connection, min_remaining=within)
            refreshed += 1
        except ConnectorError as exc:
            logger.warning("Keep-alive of connection %s failed: %s", connection.pk, exc)
    return refreshed
