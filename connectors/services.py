"""Writes on providers, customers and connections."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from connectors.models import Customer, Provider
from connectors.registry import provider_spec


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
