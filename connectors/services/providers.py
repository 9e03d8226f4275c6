"""Writes on provider and customer rows, and the admin's check of a provider's settings."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction

from connectors.exceptions import AuthRevoked, ProviderError
from connectors.http import default_client
from connectors.models import AuthType, Customer, Provider
from connectors.registry import provider_spec
from connectors.services import tokens


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


def provider_test(*, provider: Provider) -> str:
    """Check a provider row for the admin's "Test connection" button: settings complete,
    API host reachable, token endpoint reachable and accepting the client id and secret.

    Returns a summary; raises `ProviderError` saying what failed.
    """
    required = [
        ("authorize URL", provider.authorize_url),
        ("token URL", provider.token_url),
        ("API base URL", provider.api_base_url),
    ]
    if provider.auth_type == AuthType.OAUTH2:
        required += [("Application ID", provider.client_id), ("Secret", provider.client_secret)]
    missing = [label for label, value in required if not value]
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
            tokens._token_request(
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
