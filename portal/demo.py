"""`make demo`: a portal a newcomer can open and click through, syncing the local provider
sandbox. Never for production: the admin password is `admin` and is printed."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from connectors.base import COMMON_OBJECTS
from connectors.models import Connection, Provider
from connectors.services import (
    connection_create_with_api_key,
    customer_upsert,
    provider_defaults,
    provider_save,
)
from portal.models import ApiKey
from portal.services import api_key_create
from syncs.models import SyncConfig
from syncs.services import sync_config_save

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "admin"  # noqa: S105 (demo only: printed by `make demo`)
DEMO_API_KEY_NAME = "demo (make demo)"
DEMO_CUSTOMER = "demo-customer"
DEMO_PERIOD_MS = 5 * 60_000  # often enough to watch scheduled runs appear in the admin


@dataclass
class DemoSetup:
    username: str
    password: str
    api_key: str = ""
    provider: Provider | None = None
    connection: Connection | None = None
    sync_config: SyncConfig | None = None


def demo_admin_ensure() -> None:
    """Create (or reset) the demo admin user."""
    user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
    user.is_staff = user.is_superuser = True
    user.set_password(DEMO_PASSWORD)
    user.save()


def demo_api_key_rotate() -> str:
    """A fresh demo API key; the previous demo keys are revoked so re-runs don't pile up."""
    ApiKey.objects.filter(name=DEMO_API_KEY_NAME, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _, raw_key = api_key_create(name=DEMO_API_KEY_NAME)
    return raw_key


def demo_setup(
    *,
    sandbox_url: str | None = None,
    customer_id: str = DEMO_CUSTOMER,
    api_key: str = "",
    client_id: str = "",
    client_secret: str = "",
) -> DemoSetup:
    """Prepare the demo; safe to run again. Without `sandbox_url`, only the admin user.

    With it: an API key, the provider (`salesloft`) pointed at the sandbox (with its OAuth
    client), the customer, its API-key connection (checked against the running sandbox:
    `InvalidInput` if the key is refused) and a sync config for all seven objects.
    The sandbox's credentials are passed in (the sandbox prints them; `scripts/demo.sh`
    passes its defaults): the product never imports the sandbox.
    """
    if sandbox_url is not None and not (api_key and client_id and client_secret):
        raise ValueError("the sandbox's api_key, client_id and client_secret are needed")
    demo_admin_ensure()
    result = DemoSetup(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    if sandbox_url is None:
        return result
    base = sandbox_url.rstrip("/")
    with transaction.atomic():
        provider = Provider.objects.filter(name="salesloft").first() or Provider(
            **provider_defaults(name="salesloft")
        )
        provider = provider_save(
            provider=provider,
            client_secret=client_secret,
            fields={
                "client_id": client_id,
                "authorize_url": f"{base}/oauth/authorize",
                "token_url": f"{base}/oauth/token",
                "api_base_url": f"{base}/v2",
            },
        )
        # The config first: making the connection then creates its syncs from it.
        result.sync_config = sync_config_save(
            provider=provider,
            fields={
                "name": "Demo: every object",
                "common_objects": list(COMMON_OBJECTS),
                "period_ms": DEMO_PERIOD_MS,
                "auto_start_on_connection": True,
                # The sandbox posts every change to Glue as it happens (webhooks).
                "realtime": True,
            },
        )
        customer = customer_upsert(
            customer_id=customer_id, name="Demo Customer", email="demo@example.com"
        )
        result.connection = connection_create_with_api_key(
            customer=customer, provider=provider, api_key=api_key
        )
        result.api_key = demo_api_key_rotate()
    result.provider = provider
    return result
