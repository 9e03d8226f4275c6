"""Shared fixtures. Tests use the real database (SQLite or DATABASE_URL's)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.factories import ConnectionFactory, CustomerFactory, ProviderFactory


@pytest.fixture(autouse=True, scope="session")
def provider_allowed_hosts():
    """The local sandbox's hosts are allowed provider endpoints, as `make demo` sets them
    (settings are loaded before this file, so the environment cannot be used here)."""
    with override_settings(PROVIDER_ALLOWED_HOSTS=["127.0.0.1", "localhost"]):
        yield


@pytest.fixture
def provider(db):
    return ProviderFactory()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def connection(db, provider, customer):
    return ConnectionFactory(provider=provider, customer=customer)
