"""A connection's credentials over time: the token endpoint, refresh under a lease,
bearer tokens for calls, the keep-alive, and losing or ending the connection."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from connectors.exceptions import AuthRevoked, ConnectorError, ProviderError, ProviderUnavailable
from connectors.http import default_client, error_message
from connectors.models import AuthType, Connection, Provider
from connectors.services.endpoints import endpoint_check
from connectors.signals import connection_disconnecting, connection_lost

logger = logging.getLogger(__name__)

# Seconds between two reads of a row whose refresh token another worker is spending.
REFRESH_POLL = 0.1
T = TypeVar("T")


def _refresh_margin() -> timedelta:
    return timedelta(seconds=settings.CONNECTOR_TOKEN_REFRESH_MARGIN)


def _lease_length() -> timedelta:
    """Longer than one token call can last (connect and read timeouts) plus a margin: a live
    worker keeps its lease for its whole call, a dead worker's lease frees itself."""
    connect, read = default_client().timeout
    return timedelta(seconds=connect + read + 30)


def _token_request(*, provider: Provider, data: dict[str, str]) -> dict[str, Any]:
    """POST to the provider's OAuth token endpoint once (RFC 6749 §4.1.3, §6); its JSON.

    Sent without automatic retries: the grant it carries (an authorization code, a rotating
    refresh token) is single-use, so whether sending it again is safe is for the caller to
    judge. 400 `invalid_grant` raises `AuthRevoked`; an outcome that may hide a request the
    provider carried out (no answer, or a 5xx) raises `ProviderUnavailable`; any other
    failure raises `ProviderError`.
    """
    endpoint_check(provider=provider, url=provider.token_url)  # before any secret leaves
    body = {**data, "client_id": provider.client_id, "client_secret": provider.client_secret}
    response = default_client().request(
        "POST",
        provider.token_url,
        data=body,
        headers={"Accept": "application/json"},
        raise_errors=False,
        retry=False,
    )
    payload = response.body if isinstance(response.body, Mapping) else {}
    if response.status >= 400 or "access_token" not in payload:
        message = f"The token endpoint answered {response.status}: {error_message(payload)}"
        if payload.get("error") == "invalid_grant":
            raise AuthRevoked(message, status=response.status, body=payload, url=provider.token_url)
        if response.status >= 500:
            raise ProviderUnavailable(
                message, status=response.status, body=payload, url=provider.token_url
            )
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


class _GrantGone(Exception):
    """The connection cannot be refreshed at all: mark it `needs_reauth`."""


@dataclass(frozen=True)
class _Lease:
    """Our claim on a connection's refresh token: `until` is the value we stored in
    `refresh_claimed_until` (ours while it is still there), `refresh_token` the one we spend."""

    connection_id: int
    until: datetime
    refresh_token: str
    provider: Provider


def connection_refresh(
    *,
    connection: Connection,
    stale_token: str | None = None,
    min_remaining: timedelta | None = None,
) -> str:
    """Refresh the connection's access token once, however many callers ask at once.

    Rotating refresh tokens are single-use, so two workers must never both spend one,
    and the token call (up to a minute when the provider is slow) must not hold a database
    write lock (on SQLite, a lock on every table of the app). So a refresh is three steps:

    1. a short transaction reads the row and, unless another worker refreshed meanwhile
       (the token changed since `stale_token` was refused, or now lasts `min_remaining`
       more; then its token is used), claims a lease on it (`refresh_claimed_until`);
       a worker that finds a live lease waits and reads the row again;
    2. the token call, with no transaction open;
    3. a short transaction stores the rotated tokens, unless a newer refresh token was
       stored meanwhile, and clears the lease; the new access token is handed out only
       after the rotated refresh token is committed, so a crash cannot lose it.

    What a token call's outcome proves decides what happens next (see `_lease_spend`):
    `invalid_grant` to a first attempt marks the connection `needs_reauth` and raises
    `AuthRevoked`; no answer or a 5xx is ambiguous (the provider may have rotated the
    token and the answer got lost), so it is never blindly repeated and never taken for
    a dead grant.
    """
    min_remaining = _refresh_margin() if min_remaining is None else min_remaining
    lease_length = _lease_length()
    give_up = time.monotonic() + lease_length.total_seconds() + 5
    while True:
        try:
            claim = _when_unlocked(
                lambda: _lease_claim(connection, stale_token, min_remaining, lease_length)
            )
        except _GrantGone as gone:
            reason = str(gone)
            connection_mark_needs_reauth(connection=connection, reason=reason)
            raise AuthRevoked(reason) from None
        if isinstance(claim, _Lease):
            token = _lease_spend(connection, claim)
            if token is not None:
                return token
        elif claim is not None:
            return claim
        # Another worker holds the lease: its tokens will be on the row when it is done.
        if time.monotonic() > give_up:
            raise ProviderUnavailable(
                f"Connection {connection.pk} has been refreshing for too long elsewhere."
            )
        time.sleep(REFRESH_POLL)


def _when_unlocked(step: Callable[[], T]) -> T:
    """Run a short database step, again if SQLite answered "locked" instead of waiting
    (shared-cache test databases, an expired busy timeout). Every step passed here is safe
    to repeat: it either committed nothing or commits the same thing again."""
    for attempt in range(20):
        try:
            return step()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 19:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _lease_claim(
    connection: Connection, stale_token: str | None, min_remaining: timedelta, length: timedelta
) -> str | _Lease | None:
    """Step 1: the row's fresh token, a lease on its refresh token, or None while another
    worker's lease is live."""
    with transaction.atomic():
        row = (
            Connection.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=connection.pk)
        )
        now = timezone.now()
        if row.status != Connection.Status.ACTIVE:
            _copy_credentials(row, connection)
            raise AuthRevoked(f"The connection is {row.get_status_display().lower()}.")
        if row.auth_type == AuthType.API_KEY:
            raise _GrantGone("The provider refused the API key.")
        if stale_token is not None and row.access_token != stale_token:
            pass  # refreshed by someone else after our call was refused
        elif (
            stale_token is None
            and row.expires_at is not None
            and row.expires_at - now > min_remaining
        ):
            pass  # refreshed by someone else while we waited
        elif row.refresh_claimed_until is not None and row.refresh_claimed_until > now:
            return None
        elif not row.refresh_token:
            raise _GrantGone("The connection has no refresh token.")
        else:
            until = now + length
            Connection.objects.filter(pk=row.pk).update(refresh_claimed_until=until)
            return _Lease(row.pk, until, row.refresh_token, row.provider)
    _copy_credentials(row, connection)
    return row.access_token


def _lease_spend(connection: Connection, lease: _Lease) -> str | None:
    """Steps 2 and 3: spend the leased refresh token; the new access token, or None when
    the lease was lost to another worker (then wait for its result).

    Why each outcome is handled as it is:

    * an answer with tokens is stored (`_lease_store`);
    * `invalid_grant` is proof only if no one stored a newer refresh token meanwhile (a
      worker whose lease had expired may have), and only to a first attempt: after an
      ambiguous one it may just mean our lost answer spent the token, so it raises
      `ProviderUnavailable` and leaves the connection active (the next refresh's own first
      attempt decides);
    * no answer, a dropped connection or a 5xx is ambiguous. The row is read again: if
      another process stored a newer token, it is used and ours is never re-sent
      (re-presenting a rotated token can make a provider revoke the whole grant). If not,
      and the lease is still ours, the token is sent once more, which recovers a gateway
      that failed before the provider saw the request, or a provider that honours a
      repeated refresh within a grace period; then the outcome stands;
    * any other error answer is passed on.
    """
    ambiguous: ProviderUnavailable | None = None
    for attempt in (1, 2):
        try:
            payload = _token_request(
                provider=lease.provider,
                data={"grant_type": "refresh_token", "refresh_token": lease.refresh_token},
            )
        except AuthRevoked as exc:
            row = _lease_check(connection, lease)
            if row.refresh_token != lease.refresh_token:
                return _lease_yield(connection, lease, row)
            _lease_release(lease)
            if ambiguous is None:
                reason = f"Refreshing the token failed: {exc}"
                connection_mark_needs_reauth(connection=connection, reason=reason)
                raise AuthRevoked(reason, status=exc.status, body=exc.body) from exc
            raise ProviderUnavailable(
                f"The token endpoint gave no usable answer ({ambiguous}), then refused the "
                "refresh token: its first answer may have been lost after it rotated the token."
            ) from exc
        except ProviderUnavailable as exc:
            ambiguous = exc
            row = _lease_check(connection, lease)
            if row.refresh_token != lease.refresh_token:
                return _lease_yield(connection, lease, row)
            if row.refresh_claimed_until != lease.until:
                return None  # our lease ran out and another worker now holds the token
            if attempt == 2:
                _lease_release(lease)
                raise
            logger.warning(
                "Refreshing connection %s had no clear outcome (%s); sending it once more",
                connection.pk,
                exc,
            )
            client = default_client()
            client.sleep(client.backoff(0))
        except ProviderError:
            _lease_release(lease)
            raise
        else:
            return _lease_store(connection, lease, payload)
    raise AssertionError("unreachable")


def _lease_check(connection: Connection, lease: _Lease) -> Connection:
    """The row as it is now; `AuthRevoked` (lease released) if it was disconnected."""
    row = _when_unlocked(lambda: Connection.objects.get(pk=connection.pk))
    if row.status != Connection.Status.ACTIVE:
        _lease_release(lease)
        _copy_credentials(row, connection)
        raise AuthRevoked(f"The connection is {row.get_status_display().lower()}.")
    return row


def _lease_yield(connection: Connection, lease: _Lease, row: Connection) -> str:
    """Another process stored a newer token while ours was in flight: use theirs."""
    _lease_release(lease)
    _copy_credentials(row, connection)
    return row.access_token


def _lease_release(lease: _Lease) -> None:
    _when_unlocked(
        lambda: Connection.objects.filter(
            pk=lease.connection_id, refresh_claimed_until=lease.until
        ).update(refresh_claimed_until=None)
    )


def _lease_store(connection: Connection, lease: _Lease, payload: Mapping[str, Any]) -> str:
    """Step 3: store the rotated tokens and clear our lease, in one short transaction.

    The condition is that the row still holds the refresh token we spent (implied while
    the lease is ours). If our lease ran out mid-call and another worker then spent the
    same token, the provider answered one of us with `invalid_grant`: when it was them,
    these tokens are the only live ones and must be stored; when it was us, we never get
    here. A newer token stored meanwhile (a reconnect) is kept, and ours dropped.
    """

    def store() -> tuple[Connection, bool]:
        with transaction.atomic():
            row = Connection.objects.select_for_update(of=("self",)).get(pk=connection.pk)
            fields = ["refresh_claimed_until"]
            if row.status == Connection.Status.ACTIVE and row.refresh_token == lease.refresh_token:
                _apply_tokens(row, payload)
                fields += [*_TOKEN_FIELDS, "updated_at"]
            if row.refresh_claimed_until == lease.until:
                row.refresh_claimed_until = None
            row.save(update_fields=fields)
            return row, "access_token" in fields

    row, stored = _when_unlocked(store)
    _copy_credentials(row, connection)
    if row.status != Connection.Status.ACTIVE:
        raise AuthRevoked(f"The connection is {row.get_status_display().lower()}.")
    if stored:
        logger.info("Refreshed the token of connection %s", row.pk)
    else:
        logger.warning("Connection %s got newer tokens elsewhere during a refresh", row.pk)
    return row.access_token


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
    # While the credentials still work: receivers undo what they set up at the provider.
    connection_disconnecting.send(sender=Connection, connection=connection)
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
