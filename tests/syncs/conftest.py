from __future__ import annotations

import pytest

from connectors import services as connector_services
from syncs.models import Sync
from syncs.services import sync_config_save
from tests.syncs.fakes import FakeProvider


@pytest.fixture
def fake(monkeypatch):
    """The connector's stream replaced by an in-memory provider (unit tests only)."""
    provider = FakeProvider()
    monkeypatch.setattr(connector_services, "stream_pages", provider.stream_pages)
    return provider


@pytest.fixture
def sync_config(db, provider):
    return sync_config_save(provider=provider, fields={"period_ms": 600_000})


@pytest.fixture
def contacts_sync(connection, sync_config) -> Sync:
    return Sync.objects.select_related("connection__customer", "connection__provider").get(
        connection=connection, object_name="contacts"
    )


# --- the real sandbox, over HTTP ---------------------------------------------------------

# Which sandbox collection each synced object comes from (mailboxes are users).
SANDBOX_RESOURCES = {
    "users": "users",
    "mailboxes": "users",
    "accounts": "accounts",
    "contacts": "people",
    "sequences": "cadences",
    "sequence_states": "cadence_memberships",
    "emails": "activities/emails",
}


@pytest.fixture
def sandbox():
    from salesloft_sandbox.testing import run_sandbox

    with run_sandbox(people=300, rate_limit=False) as running:
        yield running


@pytest.fixture
def sandbox_connection(db, sandbox):
    """An API-key connection to the sandbox, made the way the product makes one: the
    connectors' service, whose signal creates the syncs from the provider's config."""
    from connectors.services import connection_create_with_api_key, customer_upsert
    from tests.connectors.conftest import sandbox_provider_saved

    provider = sandbox_provider_saved(sandbox)
    sync_config_save(provider=provider)
    customer = customer_upsert(customer_id="acme", name="Acme")
    return connection_create_with_api_key(
        customer=customer, provider=provider, api_key=sandbox.api_key
    )
