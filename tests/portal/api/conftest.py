"""Fixtures for the REST API: a key, two customers with connections, and stored records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from connectors.models import AuthType, Connection, Provider
from portal.services import api_key_create
from salesloft_sandbox.testing import run_sandbox
from syncs.models import RECORD_MODELS
from tests.factories import ConnectionFactory, CustomerFactory, ProviderFactory

BASE_TIME = datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def raw_key(db) -> str:
    return api_key_create(name="tests")[1]


@pytest.fixture
def conn_a(db):
    return ConnectionFactory(
        provider=ProviderFactory(), customer=CustomerFactory(customer_id="cust-a")
    )


@pytest.fixture
def conn_b(db):
    return ConnectionFactory(
        provider=ProviderFactory(), customer=CustomerFactory(customer_id="cust-b")
    )


class Api:
    """A test client that sends the key and, unless told otherwise, customer A's headers."""

    def __init__(self, raw_key: str, customer_id: str = "cust-a") -> None:
        # Enforce CSRF as a real server does: API calls must not depend on cookies.
        self.client = APIClient(enforce_csrf_checks=True)
        self.headers = {
            "x-api-key": raw_key,
            "x-customer-id": customer_id,
            "x-provider-name": "salesloft",
        }

    def as_customer(self, customer_id: str) -> Api:
        return Api(self.headers["x-api-key"], customer_id)

    def call(self, method: str, path: str, body: Any = None, headers: dict | None = None, **query):
        merged = {**self.headers, **(headers or {})}
        merged = {k: v for k, v in merged.items() if v is not None}
        kwargs: dict[str, Any] = {"headers": merged}
        if body is not None:
            kwargs["data"] = body
            kwargs["format"] = "json"
        if query:
            kwargs["QUERY_STRING"] = "&".join(f"{k}={v}" for k, v in query.items())
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **kwargs):
        return self.call("get", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs):
        return self.call("post", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs):
        return self.call("patch", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs):
        return self.call("put", path, body, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.call("delete", path, **kwargs)


@pytest.fixture
def api(raw_key, conn_a) -> Api:
    return Api(raw_key)


def make_record(connection, object_name: str, remote_id: str, *, minutes: float = 0, **fields):
    """Store one synced record of `connection`, changed `minutes` after BASE_TIME."""
    model = RECORD_MODELS[object_name]
    when = BASE_TIME + timedelta(minutes=minutes)
    values = {
        "connection": connection,
        "customer_id": connection.customer.customer_id,
        "provider_name": connection.provider.name,
        "remote_id": remote_id,
        "created_at": BASE_TIME,
        "updated_at": when,
        "last_modified_at": when,
        "raw_data": {"id": int(remote_id) if remote_id.isdigit() else remote_id},
        **fields,
    }
    return model.objects.create(**values)


def error(response) -> dict:
    """The one error of an error envelope (and a check that it is one)."""
    body = response.json()
    assert set(body) == {"errors"} and len(body["errors"]) == 1, body
    item = body["errors"][0]
    # Supaglue's `errors` schema: these keys required, `status` a string, two origins.
    assert set(item) >= {"id", "title", "detail", "code", "problem_type", "status", "meta"}
    assert item["status"] == str(response.status_code)
    assert item["problem_type"] == item["code"]
    assert item["meta"]["origin"] in {"supaglue", "remote-provider"}
    assert isinstance(item["meta"].get("cause", {}), dict)
    return item


# --- the Salesloft sandbox, over real HTTP (integration tests) ------------------------------


@pytest.fixture(scope="module")
def sandbox():
    with run_sandbox(people=30, accounts=10, users=3, cadences=3, memberships=10, emails=5) as box:
        yield box


@pytest.fixture
def live(sandbox, raw_key):
    """Customer `live` connected to the sandbox by API key; its API client."""
    provider, _ = Provider.objects.update_or_create(
        name="salesloft",
        defaults={
            "authorize_url": sandbox.authorize_url,
            "token_url": sandbox.token_url,
            "api_base_url": sandbox.api_base,
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
        },
    )
    Connection.objects.create(
        customer=CustomerFactory(customer_id="live"),
        provider=provider,
        auth_type=AuthType.API_KEY,
        api_key=sandbox.api_key,
    )
    return Api(raw_key, "live")


def remote(sandbox, path):
    """What the sandbox itself holds at `path` (its `data`)."""
    import requests

    response = requests.get(
        f"{sandbox.api_base}{path}",
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["data"]
