"""The connect flow: return URLs, the provider a flow targets, signed single-use states,
and storing the connection an OAuth code exchange or an API key gives."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connectors.exceptions import AuthRevoked, ConnectorError, InvalidInput, ProviderError
from connectors.models import AuthType, Connection, Customer, MagicLink, OAuthState, Provider
from connectors.services.clients import provider_account_id
from connectors.services.tokens import _TOKEN_FIELDS, _apply_tokens
from connectors.signals import connection_connected

STATE_SALT = "connectors.oauth.state"


class ConnectFlowError(ConnectorError):
    """A connect flow cannot go on. `code` is what the return URL receives as `error`;
    `return_url` is where to send the customer, when it is known and allowed."""

    def __init__(self, code: str, message: str, *, return_url: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.return_url = code, message, return_url


def return_url_check(*, return_url: str) -> str:
    """`return_url` if it is an http(s) URL on an allowed host, else `ConnectFlowError`."""
    # Browsers read "\\" as "/", urlsplit does not: `http://evil\\@allowed/` names the
    # allowed host to this check and evil to the browser. Spaces and controls go too.
    if any(ch == "\\" or ord(ch) < 33 for ch in return_url or ""):
        raise ConnectFlowError(
            "invalid_return_url", "returnUrl must not contain backslashes, spaces or controls."
        )
    parts = urlsplit(return_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectFlowError("invalid_return_url", "returnUrl must be an http(s) URL.")
    if parts.hostname.lower() not in {h.lower() for h in settings.OAUTH_RETURN_URL_HOSTS}:
        raise ConnectFlowError(
            "invalid_return_url", f"returnUrl's host {parts.hostname!r} is not allowed."
        )
    return return_url


def return_url_with(return_url: str, **params: str) -> str:
    """`return_url` with `params` added to its query (the outcome of a connect flow)."""
    parts = urlsplit(return_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


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
