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
    monkeypatch.setattr(connector_services, "stream_pages", provider.stream_pages, raising=False)
    return provider


@pytest.fixture
def sync_config(db, provider):
    return sync_config_save(provider=provider, fields={"period_ms": 600_000})


@pytest.fixture
def contacts_sync(connection, sync_config) -> Sync:
    return Sync.objects.select_related("connection__customer", "connection__provider").get(
        connection=connection, object_name="contacts"
    )
