"""Fixtures for the connectors tests: a local Salesloft sandbox, providers and connections
pointing at it, and an HTTP client that does not sleep between retries."""

from __future__ import annotations

import pytest

from connectors import http
from connectors.models import AuthType, Connection, Customer, Provider
from salesloft_sandbox.testing import run_sandbox


@pytest.fixture(autouse=True)
def fast_http(monkeypatch):
    """Retries without the backoff sleeps, and a short read timeout."""
    client = http.HttpClient(sleep=lambda seconds: None, timeout=(2.0, 5.0))
    monkeypatch.setattr(http, "_default", client)
    return client


@pytest.fixture(autouse=True)
def db_rate_budget(settings):
    """The database store unless a test asks for Redis; no clock-skew margin."""
    settings.REDIS_URL = ""
    settings.CONNECTOR_RATE_WINDOW_MARGIN = 0.0


@pytest.fixture(scope="session")
def sandbox():
    """A small sandbox shared by the session (tests that change data use their own)."""
    with run_sandbox(people=300, rate_limit=False) as running:
        yield running


@pytest.fixture
def fresh_sandbox():
    with run_sandbox(people=120, rate_limit=False) as running:
        yield running


def provider_for(sandbox) -> Provider:
    provider, _ = Provider.objects.update_or_create(
        name="salesloft",
        defaults={
            "auth_type": AuthType.OAUTH2,
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
            "authorize_url": sandbox.authorize_url,
            "token_url": sandbox.token_url,
            "api_base_url": sandbox.api_base,
        },
    )
    return provider


def sandbox_provider_saved(sandbox) -> Provider:
    """The provider pointed at `sandbox`, saved the way the product saves one (validated,
    through `provider_save`); `provider_for` writes the row directly."""
    from connectors.services import provider_defaults, provider_save

    return provider_save(
        provider=Provider(**provider_defaults(name="salesloft")),
        client_secret=sandbox.client_secret,
        fields={
            "client_id": sandbox.client_id,
            "authorize_url": sandbox.authorize_url,
            "token_url": sandbox.token_url,
            "api_base_url": sandbox.api_base,
        },
    )


def api_key_connection(sandbox, customer_id: str = "acme") -> Connection:
    customer, _ = Customer.objects.get_or_create(customer_id=customer_id)
    return Connection.objects.create(
        customer=customer,
        provider=provider_for(sandbox),
        auth_type=AuthType.API_KEY,
        api_key=sandbox.api_key,
        remote_account_id="700",
    )


def oauth_connection(sandbox, customer_id: str = "acme") -> Connection:
    """A connection holding real sandbox tokens (client-credentials exchange would give no
    refresh token, so this runs the authorization-code grant directly)."""
    import requests

    provider = provider_for(sandbox)
    redirect = "http://localhost/oauth/callback"
    answer = requests.get(
        sandbox.authorize_url,
        params={"client_id": sandbox.client_id, "redirect_uri": redirect, "state": "s"},
        allow_redirects=False,
        timeout=10,
    )
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    token = requests.post(
        sandbox.token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
        },
        timeout=10,
    ).json()
    from connectors.services import (
        connect_session_create,
        connection_save_oauth,
        provider_identity,
    )

    customer, _ = Customer.objects.get_or_create(customer_id=customer_id)
    session, _ = connect_session_create(
        customer=customer, provider_name=provider.name, return_url="http://localhost/done"
    )
    identity = provider_identity(provider=provider, token=token["access_token"])
    return connection_save_oauth(session=session, token=token, identity=identity)


@pytest.fixture
def sandbox_provider(db, sandbox):
    return provider_for(sandbox)


@pytest.fixture
def key_connection(db, sandbox):
    return api_key_connection(sandbox)


def consent(browser, authorize_url: str, decision: str, *, user_id: int | None = None) -> str:
    """Load the sandbox's consent page like a browser, pick the user to approve as (team 1's
    admin by default) and press a button; returns where the sandbox redirects."""
    import re
    from urllib.parse import urlsplit

    page = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "Approve" in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
    if user_id is not None:
        fields["user_id"] = str(user_id)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
    answer = browser.post(
        origin + action, data={**fields, "decision": decision}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]
