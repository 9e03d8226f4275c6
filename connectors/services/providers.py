"""Writes on provider and customer rows, and the admin's check of a provider's settings."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from connectors.exceptions import AuthRevoked, ProviderError
from connectors.http import default_client
from connectors.models import AuthType, Customer, Provider
from connectors.registry import provider_spec
from connectors.services import tokens
from connectors.services.endpoints import (
    URL_FIELDS,
    endpoint_check,
    endpoint_problem,
    url_on_provider_host,
)


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


# Moving these sends the customers' tokens (and the client secret) somewhere else.
CREDENTIAL_URL_FIELDS = ("token_url", "api_base_url")
SECRET_AGAIN = "Enter the Secret again to change where credentials are sent."  # noqa: S105
# The author of admin-log entries for changes made without a person (API keys, commands).
SERVICE_USERNAME = "glue-service"


def _origin(url: str) -> str:
    """scheme://host:port: a listener on another port of the same host is another place."""
    parts = urlsplit(url or "")
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{parts.hostname or ''}:{port}"


def provider_endpoint_changes(
    *,
    provider_name: str,
    stored: Provider | None,
    urls: Mapping[str, str],
    client_secret: str | None,
) -> list[tuple[str, str, str]]:
    """Check a provider's endpoints before they are saved; the admin form calls it for its
    field errors, `provider_save` to enforce it.

    Every URL must satisfy `endpoints.endpoint_problem`; moving the token or API URL to
    another scheme, host or port (compared with `stored`, the saved row) needs
    `client_secret` in the same request, so the stored secret never follows a host change
    it was not entered for. Returns the moves as (field, old origin, new origin); raises
    `ValidationError` naming each bad field (`client_secret` for a missing secret).
    """
    errors: dict[str, str] = {}
    for field, url in urls.items():
        problem = endpoint_problem(provider_name=provider_name, url=url)
        if problem:
            errors[field] = problem
    changes = []
    if stored is not None:
        for field, url in urls.items():
            old, new = _origin(getattr(stored, field)), _origin(url)
            if old != new:
                changes.append((field, old, new))
    if not client_secret and any(field in CREDENTIAL_URL_FIELDS for field, _, _ in changes):
        errors["client_secret"] = SECRET_AGAIN
    if errors:
        raise ValidationError(errors)
    return changes


def service_user() -> AbstractBaseUser:
    """The inactive user that authors admin-log entries for changes no person made in the
    admin (management API calls, commands); it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=SERVICE_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def provider_save(
    *,
    provider: Provider,
    client_secret: str | None = None,
    fields: dict | None = None,
    changed_by: AbstractBaseUser | None = None,
    change_note: str = "",
) -> Provider:
    """Save a provider. A blank or None `client_secret` keeps the stored one (write-only).

    Endpoints are checked by `provider_endpoint_changes` (`ValidationError` naming the
    field). A move of an endpoint to another host is written to the admin log as
    `changed_by` (a person in the admin; else the service user, with `change_note` saying
    who, e.g. which API key).
    """
    for name, value in (fields or {}).items():
        setattr(provider, name, value)
    stored = Provider.objects.filter(pk=provider.pk).first() if provider.pk else None
    errors: dict[str, list] = {}
    try:
        provider.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    try:
        changes = provider_endpoint_changes(
            provider_name=provider.name,
            stored=stored,
            urls={f: getattr(provider, f) for f in URL_FIELDS if f not in errors},
            client_secret=client_secret,
        )
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    if client_secret:
        provider.client_secret = client_secret
    provider.category = provider_spec(provider.name).category
    provider.save()
    if changes:
        moves = "; ".join(f"{field}: {old} → {new}" for field, old, new in changes)
        LogEntry.objects.create(
            user=changed_by or service_user(),
            content_type=ContentType.objects.get_for_model(Provider),
            object_id=str(provider.pk),
            object_repr=str(provider)[:200],
            action_flag=CHANGE,
            change_message=" ".join(filter(None, [f"Endpoints moved: {moves}.", change_note])),
        )
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

    Returns a summary; raises `ProviderError` saying what failed. Nothing is sent to an
    endpoint credentials may not go to, and an answer from a host other than the real
    provider's is reported by its status only.
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
    for field in URL_FIELDS:
        endpoint_check(provider=provider, url=getattr(provider, field))
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
            if not url_on_provider_host(exc.url):
                # Not the real provider: say what happened, not what that host wrote.
                raise ProviderError(
                    f"The token endpoint answered {exc.status}.", status=exc.status
                ) from exc
            raise
    return "; ".join(summary) + "."
