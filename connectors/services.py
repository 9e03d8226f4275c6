"""Writes on providers, customers and connections, and the facade other apps call:
connect flows, token refresh, records, passthrough (reads live in `selectors.py` and are
re-exported here)."""

from __future__ import annotations

import importlib
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone

from connectors.exceptions import AuthRevoked, ConnectorError, InvalidInput, ProviderError
from connectors.http import default_client, error_message
from connectors.models import AuthType, Connection, Customer, MagicLink, OAuthState, Provider
from connectors.ratelimit import MemoryStore, Priority, RateBudget
from connectors.registry import provider_spec
from connectors.selectors import (  # noqa: F401  reads, re-exported: callers find the facade here
    record_fetch,
    sequence_steps_fetch,
    stream_pages,
)
from connectors.signals import connection_connected, connection_lost


def provider_redirect_url() -> str:
    """The OAuth redirect URL to register in the provider's developer app."""
    return f"{settings.PUBLIC_URL}/oauth/callback"


def provider_defaults(*, name: str) -> dict[str, str]:
    """Field values for a new provider row: the real provider's hosts and scopes."""
    spec = provider_spec(name)
    return {
        "name": spec.name,
        "category": spec.category,
        "authorize_url": spec.authorize_url,
        "token_url": spec.token_url,
        "api_base_url": spec.api_base_url,
        "scopes": spec.default_scopes,
    }


@transaction.atomic
def provider_save(
    *, provider: Provider, client_secret: str | None = None, fields: dict | None = None
) -> Provider:
    """Save a provider. A blank or None `client_secret` keeps the stored one (write-only)."""
    for name, value in (fields or {}).items():
        setattr(provider, name, value)
    if client_secret:
        provider.client_secret = client_secret
    provider.category = provider_spec(provider.name).category
    provider.full_clean()
    provider.save()
    return provider


def customer_upsert(*, customer_id: str, name: str = "", email: str = "") -> Customer:
    """Create or update the customer known to the developer as `customer_id`."""
    customer = Customer.objects.filter(customer_id=customer_id).first() or Customer(
        customer_id=customer_id
    )
    customer.name, customer.email = name, email
    customer.full_clean()
    customer.save()
    return customer


def encrypted_fields_rotate() -> int:
    """Re-encrypt every encrypted value under the newest key; returns the rows rewritten."""
    from django.apps import apps

    from connectors.fields import EncryptedTextField

    rewritten = 0
    for model in apps.get_models():
        names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if not names:
            continue
        # Reading decrypts with whichever key made the value; writing encrypts with the first.
        for row in model.objects.values("pk", *names).iterator(chunk_size=500):
            pk = row.pop("pk")
            with transaction.atomic():
                model.objects.filter(pk=pk).update(**row)
            rewritten += 1
    return rewritten


# ------------------------------------------------------------------------------------------
# Connections: credentials, refresh, status
# ------------------------------------------------------------------------------------------

logger = logging.getLogger(__name__)
STATE_SALT = "connectors.oauth.state"


def _refresh_margin() -> timedelta:
    return timedelta(seconds=settings.CONNECTOR_TOKEN_REFRESH_MARGIN)


def provider_client_module(*, provider_name: str) -> Any:
    """A provider package's client module, `connectors/<name>/client.py`.

    It exposes `make_client(api_base_url=, tokens=, budget=, budget_key=, priority=,
    on_wait=)`, whose clients offer `send`, `identify`, `stream_pages`, `fetch`, `create`,
    `update`, `delete` and `sequence_steps`. The registry names the packages; this is the
    one place that finds their clients, so nothing here names a provider.
    """
    provider_spec(provider_name)  # KeyError names the known providers
    return importlib.import_module(f"connectors.{provider_name}.client")


def _token_request(*, provider: Provider, data: dict[str, str]) -> dict[str, Any]:
    """POST to the provider's OAuth token endpoint (RFC 6749 §4.1.3, §6); the answer's JSON.

    400 `invalid_grant` raises `AuthRevoked`; other failures raise `ProviderError`.
    """
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
            raise AuthRevoked(message, status=response.status, body=payload)
        raise ProviderError(message, status=response.status, body=payload)
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


def connection_client(
    *,
    connection: Connection,
    priority: Priority = Priority.SYNC,
    on_wait: Callable[[float], None] | None = None,
) -> Any:
    """The provider's API client for this connection (token, refresh, budget applied)."""
    module = provider_client_module(provider_name=connection.provider.name)
    return module.make_client(
        api_base_url=connection.provider.api_base_url,
        tokens=_ConnectionTokens(connection),
        budget=RateBudget(),
        budget_key=connection_budget_key(connection=connection),
        priority=priority,
        on_wait=on_wait,
    )


def provider_account_id(*, provider: Provider, token: str) -> str:
    """The provider account (team) id behind `token`, asked with interactive priority."""

    class _Fixed:
        def token(self) -> str:
            return token

        def refresh(self, *, stale: str) -> str:
            raise AuthRevoked("The provider refused these credentials.", status=401)

        def revoked(self, *, reason: str) -> None:
            pass

    module = provider_client_module(provider_name=provider.name)
    client = module.make_client(
        api_base_url=provider.api_base_url,
        tokens=_Fixed(),
        budget=RateBudget(store=MemoryStore()),
        budget_key=f"{provider.name}:identify",
        priority=Priority.INTERACTIVE,
    )
    return client.identify()


def _connection_store(
    *, customer: Customer, provider: Provider, fields: dict[str, Any]
) -> Connection:
    """Create or update the (customer, provider) connection as active, then announce it.

    Runs in the caller's transaction; `connection_connected` receivers (the syncs) write
    in it too, so a failure leaves nothing half-saved.
    """
    connection = Connection.objects.select_for_update().filter(
        customer=customer, provider=provider
    ).first() or Connection(customer=customer, provider=provider)
    for name, value in {
        "status": Connection.Status.ACTIVE,
        "status_reason": "",
        "access_token": "",
        "refresh_token": "",
        "api_key": "",
        "expires_at": None,
        "scope": "",
        **fields,
    }.items():
        setattr(connection, name, value)
    connection.save()
    connection_connected.send(sender=Connection, connection=connection)
    return connection


def connection_save_oauth(
    *,
    customer_id: str,
    provider: Provider,
    token: Mapping[str, Any],
    remote_account_id: str,
) -> Connection:
    """Store what an OAuth code exchange returned. The customer is created if unknown
    (as Supaglue's connect flow did): a connect link names the developer's own id."""
    with transaction.atomic():
        customer, _ = Customer.objects.get_or_create(customer_id=customer_id)
        connection = Connection(customer=customer, provider=provider)
        _apply_tokens(connection, token)
        fields = {name: getattr(connection, name) for name in _TOKEN_FIELDS}
        connection = _connection_store(
            customer=customer,
            provider=provider,
            fields={**fields, "auth_type": AuthType.OAUTH2, "remote_account_id": remote_account_id},
        )
    return connection


def connection_create_with_api_key(
    *, customer: Customer, provider: Provider, api_key: str
) -> Connection:
    """Connect `customer` with an API key, after checking the key works (`InvalidInput`
    naming `api_key` when the provider refuses it)."""
    api_key = (api_key or "").strip()
    if not api_key:
        raise InvalidInput("api_key", "is required")
    try:
        team_id = provider_account_id(provider=provider, token=api_key)
    except AuthRevoked as exc:
        raise InvalidInput("api_key", "the provider refused this API key") from exc
    except ProviderError as exc:
        if exc.status == 403:
            raise InvalidInput("api_key", f"the key lacks a needed scope: {exc}") from exc
        raise
    with transaction.atomic():
        return _connection_store(
            customer=customer,
            provider=provider,
            fields={
                "auth_type": AuthType.API_KEY,
                "api_key": api_key,
                "remote_account_id": team_id,
                "last_refreshed_at": timezone.now(),
            },
        )


# ------------------------------------------------------------------------------------------
# The connect flow: return URLs, signed single-use states, magic links
# ------------------------------------------------------------------------------------------


class ConnectFlowError(ConnectorError):
    """A connect flow cannot go on. `code` is what the return URL receives as `error`;
    `return_url` is where to send the customer, when it is known and allowed."""

    def __init__(self, code: str, message: str, *, return_url: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.return_url = code, message, return_url


def return_url_check(*, return_url: str) -> str:
    """`return_url` if it is an http(s) URL on an allowed host, else `ConnectFlowError`."""
    parts = urlsplit(return_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectFlowError("invalid_return_url", "returnUrl must be an http(s) URL.")
    if parts.hostname.lower() not in {h.lower() for h in settings.OAUTH_RETURN_URL_HOSTS}:
        raise ConnectFlowError(
            "invalid_return_url", f"returnUrl's host {parts.hostname!r} is not allowed."
        )
    return return_url


def connect_provider(*, provider_name: str, return_url: str = "") -> Provider:
    """The provider a connect flow targets, ready for OAuth (else `ConnectFlowError`)."""
    provider = Provider.objects.filter(name=provider_name).first()
    if provider is None:
        raise ConnectFlowError(
            "unknown_provider", f"No provider {provider_name!r} is set up.", return_url=return_url
        )
    if (
        provider.auth_type != AuthType.OAUTH2
        or not provider.client_id
        or not provider.client_secret
    ):
        raise ConnectFlowError(
            "provider_not_configured",
            f"The {provider} app has no OAuth client id and secret yet.",
            return_url=return_url,
        )
    return provider


def oauth_state_create(
    *,
    customer_id: str,
    provider: Provider,
    return_url: str,
    magic_link: MagicLink | None = None,
) -> str:
    """Start a connect flow; returns the signed `state` to send to the provider."""
    try:
        Customer._meta.get_field("customer_id").run_validators(customer_id)
        if not customer_id:
            raise ValidationError("is required")
    except ValidationError as exc:
        raise ConnectFlowError(
            "invalid_customer_id", f"customerId: {' '.join(exc.messages)}", return_url=return_url
        ) from exc
    nonce = secrets.token_urlsafe(24)
    OAuthState.objects.create(
        nonce=nonce,
        customer_id=customer_id,
        provider=provider,
        return_url=return_url,
        magic_link=magic_link,
    )
    return signing.TimestampSigner(salt=STATE_SALT).sign(nonce)


def oauth_state_consume(*, state: str) -> OAuthState:
    """The flow `state` names, spent: a state is valid once, for OAUTH_STATE_MAX_AGE."""
    signer = signing.TimestampSigner(salt=STATE_SALT)
    try:
        nonce = signer.unsign(state or "", max_age=settings.OAUTH_STATE_MAX_AGE)
        expired = False
    except signing.SignatureExpired:
        nonce, expired = signer.unsign(state), True
    except signing.BadSignature as exc:
        raise ConnectFlowError("invalid_state", "The connect request is not valid.") from exc
    with transaction.atomic():
        row = (
            OAuthState.objects.select_for_update(of=("self",))
            .select_related("provider", "magic_link")
            .filter(nonce=nonce)
            .first()
        )
        if row is None:
            raise ConnectFlowError("invalid_state", "The connect request is not valid.")
        if row.used_at is not None:
            raise ConnectFlowError(
                "invalid_state", "This connect request was already used.", return_url=row.return_url
            )
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
    if expired:
        raise ConnectFlowError(
            "expired_state",
            "The connect request expired; please start again.",
            return_url=row.return_url,
        )
    return row


def magic_link_create(
    *, customer: Customer, provider_name: str, return_url: str, expiration_secs: int
) -> MagicLink:
    """A single-use link (`MagicLink.url`) to send a customer to connect `provider_name`."""
    try:
        return_url_check(return_url=return_url)
    except ConnectFlowError as exc:
        raise InvalidInput("return_url", exc.message) from exc
    if not Provider.objects.filter(name=provider_name).exists():
        raise InvalidInput("provider_name", f"no provider {provider_name!r} is set up")
    if not isinstance(expiration_secs, int) or not 0 < expiration_secs <= 60 * 60 * 24 * 90:
        raise InvalidInput("expiration_secs", "must be a whole number of seconds, at most 90 days")
    return MagicLink.objects.create(
        customer=customer,
        provider=Provider.objects.get(name=provider_name),
        return_url=return_url,
        expires_at=timezone.now() + timedelta(seconds=expiration_secs),
    )


def magic_link_open(*, token: str) -> MagicLink:
    """The link behind `token` for its landing page (marked opened); `ConnectFlowError`
    when it is unknown, used or expired."""
    link = MagicLink.objects.select_related("customer", "provider").filter(token=token).first()
    if link is None:
        raise ConnectFlowError("invalid_link", "This link is not valid.")
    if link.status == MagicLink.Status.USED:
        raise ConnectFlowError("magic_link_used", "This link was already used.")
    if link.is_expired:
        raise ConnectFlowError("magic_link_expired", "This link has expired.")
    if link.status == MagicLink.Status.NEW:
        MagicLink.objects.filter(pk=link.pk, status=MagicLink.Status.NEW).update(
            status=MagicLink.Status.OPENED
        )
        link.status = MagicLink.Status.OPENED
    return link


def magic_link_use(*, token: str) -> MagicLink:
    """Spend the link (its Connect button was pressed): used once, never again."""
    with transaction.atomic():
        link = (
            MagicLink.objects.select_for_update(of=("self",))
            .select_related("customer", "provider")
            .filter(token=token)
            .first()
        )
        if link is None:
            raise ConnectFlowError("invalid_link", "This link is not valid.")
        if link.status == MagicLink.Status.USED:
            raise ConnectFlowError("magic_link_used", "This link was already used.")
        if link.is_expired:
            raise ConnectFlowError("magic_link_expired", "This link has expired.")
        link.status, link.used_at = MagicLink.Status.USED, timezone.now()
        link.save(update_fields=["status", "used_at"])
    return link


# ------------------------------------------------------------------------------------------
# The facade other apps call: records, passthrough, provider checks
# ------------------------------------------------------------------------------------------


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


@dataclass
class PassthroughResponse:
    url: str
    status: int
    headers: dict[str, str]
    body: Any


# Headers a caller may not set: Glue sets the credentials and the target host itself.
_FORBIDDEN_HEADERS = frozenset(
    {"host", "authorization", "proxy-authorization", "cookie", "forwarded", "x-forwarded-host"}
)
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length", "trailer"}
)
_ALLOWED_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def passthrough_path(*, provider: Provider, path: str) -> str:
    """`path` checked to stay under the provider's API base; returned relative to it.

    Refused (`InvalidInput` on `path`): absolute or scheme-relative URLs, backslashes,
    `.`/`..` segments (also percent-encoded), a query or fragment in the path, control
    characters. A path repeating the base's own prefix (`/v2/people` with a base ending in
    `/v2`) is accepted, as Supaglue clients send it.
    """
    if not isinstance(path, str) or not path.strip():
        raise InvalidInput("path", "is required")
    decoded = path
    for _ in range(3):  # undo nested percent-encoding before looking for tricks
        decoded = unquote(decoded)
    if any(ord(ch) < 32 or ch == "\\" for ch in decoded):
        raise InvalidInput("path", "must not contain backslashes or control characters")
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or path.lstrip().startswith("//") or "://" in decoded:
        raise InvalidInput("path", "must be a path relative to the provider's API, not a URL")
    if "?" in path or "#" in path:
        raise InvalidInput("path", "must not carry a query or fragment; use `query`")
    segments = decoded.strip("/").split("/")
    if any(segment in (".", "..") for segment in segments):
        raise InvalidInput("path", "must not contain '.' or '..' segments")
    base_path = urlsplit(provider.api_base_url).path.rstrip("/")
    relative = "/" + path.strip("/")
    if base_path and (relative == base_path or relative.startswith(base_path + "/")):
        relative = relative[len(base_path) :] or "/"
    return relative


def passthrough_request(
    *,
    connection: Connection,
    method: str,
    path: str,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
) -> PassthroughResponse:
    """Send any call of the provider's API with the connection's credentials, refresh and
    rate budget (interactive priority); the provider's status, headers and body as sent.

    Only the provider's API base is ever reached (see `passthrough_path`); `Host`,
    credential and forwarding headers are refused.
    """
    method = (method or "").upper()
    if method not in _ALLOWED_METHODS:
        raise InvalidInput("method", f"must be one of {', '.join(sorted(_ALLOWED_METHODS))}")
    relative = passthrough_path(provider=connection.provider, path=path)
    clean_headers: dict[str, str] = {}
    for name, value in (headers or {}).items():
        lower = str(name).lower()
        if lower in _FORBIDDEN_HEADERS or lower.startswith(("x-forwarded-", "proxy-")):
            raise InvalidInput(f"headers.{name}", "is set by Glue and cannot be passed through")
        if lower in _HOP_BY_HOP:
            continue
        if not isinstance(value, str) or any(ord(ch) < 32 for ch in value):
            raise InvalidInput(f"headers.{name}", "must be a single-line string")
        clean_headers[str(name)] = value
    if query is not None and not isinstance(query, Mapping):
        raise InvalidInput("query", "must be an object")
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    expected_host = urlsplit(connection.provider.api_base_url).netloc
    if urlsplit(client.url(relative)).netloc != expected_host:  # belt and braces
        raise InvalidInput("path", "must stay on the provider's API host")
    response = client.send(
        method,
        relative,
        params=dict(query or {}),
        json=body,
        headers=clean_headers,
        priority=Priority.INTERACTIVE,
        raise_errors=False,
    )
    return PassthroughResponse(
        url=response.url, status=response.status, headers=response.headers, body=response.body
    )


def provider_test(*, provider: Provider) -> str:
    """Check a provider row for the admin's "Test connection" button: settings complete,
    API host reachable, token endpoint reachable and accepting the client id and secret.

    Returns a summary; raises `ProviderError` saying what failed.
    """
    missing = [
        label
        for label, value in (
            ("authorize URL", provider.authorize_url),
            ("token URL", provider.token_url),
            ("API base URL", provider.api_base_url),
        )
        if not value
    ]
    if provider.auth_type == AuthType.OAUTH2:
        missing += [
            label
            for label, value in (
                ("Application ID", provider.client_id),
                ("Secret", provider.client_secret),
            )
            if not value
        ]
    if missing:
        raise ProviderError(f"Not configured: {', '.join(missing)}.")
    http = default_client()
    api = http.request("GET", provider.api_base_url.rstrip("/") + "/", raise_errors=False)
    if api.status >= 500:
        raise ProviderError(f"The API answered {api.status}.", status=api.status)
    summary = [f"API reachable ({api.status} without credentials)"]
    if provider.auth_type == AuthType.OAUTH2:
        # A made-up refresh token: a server that knows the client answers invalid_grant
        # (400); one that does not, invalid_client (401). Nothing is created either way.
        try:
            _token_request(
                provider=provider,
                data={"grant_type": "refresh_token", "refresh_token": "glue-connection-test"},
            )
        except AuthRevoked:
            summary.append("token endpoint accepts the Application ID and Secret")
        except ProviderError as exc:
            if exc.status == 401 or (
                isinstance(exc.body, Mapping) and exc.body.get("error") == "invalid_client"
            ):
                raise ProviderError(
                    "The token endpoint refused the Application ID and Secret.", status=exc.status
                ) from exc
            raise
    return "; ".join(summary) + "."


def return_url_with(return_url: str, **params: str) -> str:
    """`return_url` with `params` added to its query (the outcome of a connect flow)."""
    from urllib.parse import parse_qsl, urlencode, urlunsplit

    parts = urlsplit(return_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))
