"""The connect flow's rules: return URLs, the provider a flow targets, and storing the
connection an OAuth code exchange or an API key gives (never another account's over it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connectors.base import RemoteIdentity
from connectors.exceptions import AuthRevoked, ConnectorError, InvalidInput, ProviderError
from connectors.models import AuthType, Connection, ConnectSession, Customer, Provider
from connectors.services.clients import provider_identity
from connectors.services.tokens import _TOKEN_FIELDS, _apply_tokens
from connectors.signals import connection_connected


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


def _account_changed(connection: Connection, identity: RemoteIdentity) -> bool:
    """True when `identity` is another provider account than the one `connection` holds."""
    if not connection.remote_account_id:
        return False
    if connection.remote_account_id != identity.account_id:
        return True
    return bool(connection.remote_user_id and identity.user_id) and (
        connection.remote_user_id != identity.user_id
    )


def _connection_store(
    *,
    customer: Customer,
    provider: Provider,
    identity: RemoteIdentity,
    fields: dict[str, Any],
    replace: bool,
) -> Connection:
    """Create or update the (customer, provider) connection as active, then announce it.

    A connection already made with another provider account (team or user) is kept as it
    is unless `replace`: otherwise whoever reached a connect flow could swap the customer's
    credentials for their own account and mix two accounts' records under one connection.
    When it is replaced, `account_changed=True` tells the syncs to drop the old records.

    Runs in the caller's transaction; `connection_connected` receivers (the syncs) write
    in it too, so a failure leaves nothing half-saved.
    """
    connection = Connection.objects.select_for_update().filter(
        customer=customer, provider=provider
    ).first() or Connection(customer=customer, provider=provider)
    account_changed = _account_changed(connection, identity)
    if account_changed and not replace:
        raise ConnectFlowError(
            "account_mismatch",
            f"Customer {customer.customer_id!r} is already connected to another {provider} "
            "account. To switch accounts, start a connect session with replace=true.",
        )
    for name, value in {
        "status": Connection.Status.ACTIVE,
        "status_reason": "",
        "access_token": "",
        "refresh_token": "",
        "api_key": "",
        "expires_at": None,
        "scope": "",
        "remote_account_id": identity.account_id,
        "remote_user_id": identity.user_id,
        **fields,
    }.items():
        setattr(connection, name, value)
    connection.save()
    connection_connected.send(
        sender=Connection, connection=connection, account_changed=account_changed
    )
    return connection


def connection_save_oauth(
    *, session: ConnectSession, token: Mapping[str, Any], identity: RemoteIdentity
) -> Connection:
    """Store what the code exchange of `session`'s flow returned, and spend the session.

    The customer exists already: a connect session is only issued for a known customer."""
    with transaction.atomic():
        spent = ConnectSession.objects.filter(pk=session.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not spent:
            raise ConnectFlowError("session_used", "This connect link was already used.")
        connection = Connection(customer=session.customer, provider=session.provider)
        _apply_tokens(connection, token)
        fields = {name: getattr(connection, name) for name in _TOKEN_FIELDS}
        connection = _connection_store(
            customer=session.customer,
            provider=session.provider,
            identity=identity,
            fields={**fields, "auth_type": AuthType.OAUTH2},
            replace=session.replace,
        )
    return connection


def connection_create_with_api_key(
    *, customer: Customer, provider: Provider, api_key: str, replace: bool = False
) -> Connection:
    """Connect `customer` with an API key, after checking the key works (`InvalidInput`
    naming `api_key` when the provider refuses it, or when it belongs to another account
    than the customer's connection and `replace` is not set)."""
    api_key = (api_key or "").strip()
    if not api_key:
        raise InvalidInput("api_key", "is required")
    try:
        identity = provider_identity(provider=provider, token=api_key)
    except AuthRevoked as exc:
        raise InvalidInput("api_key", "the provider refused this API key") from exc
    except ProviderError as exc:
        if exc.status == 403:
            raise InvalidInput("api_key", f"the key lacks a needed scope: {exc}") from exc
        raise
    try:
        with transaction.atomic():
            return _connection_store(
                customer=customer,
                provider=provider,
                identity=identity,
                fields={
                    "auth_type": AuthType.API_KEY,
                    "api_key": api_key,
                    "last_refreshed_at": timezone.now(),
                },
                replace=replace,
            )
    except ConnectFlowError as exc:
        raise InvalidInput("api_key", exc.message) from exc
