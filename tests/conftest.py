"""Shared fixtures. Tests use the real database (SQLite or DATABASE_URL's)."""

from __future__ import annotations

import pytest

from tests.factories import ConnectionFactory, CustomerFactory, ProviderFactory


@pytest.fixture
def provider(db):
    return ProviderFactory()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def connection(db, provider, customer):
    return ConnectionFactory(provider=provider, customer=customer)
