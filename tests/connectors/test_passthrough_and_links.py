"""Passthrough (never leaves the provider's API base), API-key connections, magic links,
and the provider check behind the admin's "Test connection" button."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from connectors.exceptions import InvalidInput, ProviderError
from connectors.models import AuthType, Connection, Customer, MagicLink
from connectors.services import (
    connection_create_with_api_key,
    magic_link_create,
    passthrough_request,
    provider_test,
)
from tests.connectors.conftest import api_key_connection

pytestmark = pytest.mark.django_db


def test_passthrough_returns_the_providers_answer_as_sent(sandbox):
    connection = api_key_connection(sandbox)
    ok = passthrough_request(
        connection=connection, method="GET", path="/people", query={"per_page": "2"}
    )
    assert ok.status == 200 and len(ok.body["data"]) == 2
    assert ok.url.startswith(sandbox.api_base + "/people?")
    assert "x-ratelimit-remaining-minute" in ok.headers
    same = passthrough_request(connection=connection, method="GET", path="/v2/people/")
    assert same.status == 200  # Supaglue clients send the /v2 prefix

    missing = passthrough_request(connection=connection, method="GET", path="/people/1")
    assert missing.status == 404 and "error" in missing.body  # not raised: passed through

    created = passthrough_request(
        connection=connection,
        method="POST",
        path="/accounts",
        body={"name": "Via Passthrough", "domain": "via-passthrough.test"},
    )
    assert created.status == 200 and created.body["data"]["domain"] == "via-passthrough.test"


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/v2/people",
        "//evil.example/v2/people",
        "http:/evil.example",
        "/../../evil",
        "/people/../../admin",
        "/people/%2e%2e/%2e%2e/x",
        "/people/%252e%252e/x",
        "\\\\evil.example\\share",
        "/people?ids[]=1",
        "/people#frag",
        "/people\r\nHost: evil.example",
        "",
    ],
)
def test_passthrough_refuses_paths_that_could_leave_the_api(sandbox, path):
    connection = api_key_connection(sandbox)
    sandbox.control.reset_stats()
    with pytest.raises(InvalidInput) as caught:
        passthrough_request(connection=connection, method="GET", path=path)
    assert caught.value.field == "path"
    assert sandbox.control.stats()["requests"] == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"Authorization": "Bearer someone-else"},
        {"X-Forwarded-Host": "evil.example"},
        {"X-Note": "line\r\nHost: evil"},
    ],
)
def test_passthrough_refuses_host_and_credential_headers(sandbox, headers):
    connection = api_key_connection(sandbox)
    with pytest.raises(InvalidInput) as caught:
        passthrough_request(connection=connection, method="GET", path="/me", headers=headers)
    assert caught.value.field.startswith("headers.")


@pytest.mark.parametrize(
    "name", ["X-Note\r\nHost", "X Note", "X-Note:", "", "X-Nöte", "X-Note\x00"]
)
def test_passthrough_refuses_header_names_that_are_not_http_tokens(sandbox, name):
    # Refused as bad input before anything is sent, never retried as a provider failure.
    connection = api_key_connection(sandbox)
    sandbox.control.reset_stats()
    with pytest.raises(InvalidInput) as caught:
        passthrough_request(connection=connection, method="GET", path="/me", headers={name: "x"})
    assert caught.value.field.startswith("headers")
    assert sandbox.control.stats()["requests"] == 0


def test_passthrough_refuses_unknown_methods(sandbox):
    with pytest.raises(InvalidInput, match="method"):
        passthrough_request(connection=api_key_connection(sandbox), method="TRACE", path="/me")


def test_an_api_key_connection_is_checked_then_saved(sandbox, sandbox_provider):
    customer = Customer.objects.create(customer_id="keyed")
    connection = connection_create_with_api_key(
        customer=customer, provider=sandbox_provider, api_key=sandbox.api_key
    )
    assert connection.auth_type == AuthType.API_KEY and connection.status == "active"
    assert connection.remote_account_id == "700" and connection.api_key == sandbox.api_key

    with pytest.raises(InvalidInput) as caught:
        connection_create_with_api_key(
            customer=customer, provider=sandbox_provider, api_key="ak" + "0" * 64
        )
    assert caught.value.field == "api_key" and "refused" in caught.value.message
    connection.refresh_from_db()
    assert connection.api_key == sandbox.api_key  # the good connection is untouched


def test_magic_links_are_single_use_and_expire(client, sandbox, sandbox_provider):
    customer = Customer.objects.create(customer_id="linked", name="Linked Inc")
    link = magic_link_create(
        customer=customer,
        provider_name="salesloft",
        return_url="http://localhost/back",
        expiration_secs=3600,
    )
    assert link.url.endswith(f"/links/{link.token}") and len(link.token) >= 40

    page = client.get(f"/links/{link.token}")
    assert page.status_code == 200
    assert b"Connect Salesloft" in page.content and b"Linked Inc" in page.content
    link.refresh_from_db()
    assert link.status == MagicLink.Status.OPENED

    pressed = client.post(f"/links/{link.token}")
    assert pressed.status_code == 302 and pressed["Location"].startswith(sandbox.authorize_url)
    link.refresh_from_db()
    assert link.status == MagicLink.Status.USED

    assert client.post(f"/links/{link.token}").status_code == 410
    assert client.get(f"/links/{link.token}").status_code == 410
    assert client.get("/links/not-a-token").status_code == 404

    stale = magic_link_create(
        customer=customer,
        provider_name="salesloft",
        return_url="http://localhost/back",
        expiration_secs=60,
    )
    MagicLink.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = client.post(f"/links/{stale.token}")
    assert answer.status_code == 410 and b"expired" in answer.content


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"return_url": "https://evil.example/"}, "return_url"),
        ({"provider_name": "outreach"}, "provider_name"),
        ({"expiration_secs": 0}, "expiration_secs"),
    ],
)
def test_magic_link_input_is_checked(sandbox_provider, kwargs, field):
    customer = Customer.objects.create(customer_id="c-links")
    arguments = {
        "customer": customer,
        "provider_name": "salesloft",
        "return_url": "http://localhost/back",
        "expiration_secs": 600,
        **kwargs,
    }
    with pytest.raises(InvalidInput) as caught:
        magic_link_create(**arguments)
    assert caught.value.field == field
    assert not MagicLink.objects.exists()


def test_provider_test_checks_hosts_and_client_credentials(sandbox_provider):
    summary = provider_test(provider=sandbox_provider)
    assert "API reachable" in summary and "accepts the Application ID" in summary

    sandbox_provider.client_secret = "wrong"
    with pytest.raises(ProviderError, match="refused the Application ID"):
        provider_test(provider=sandbox_provider)

    sandbox_provider.client_id = ""
    with pytest.raises(ProviderError, match="Application ID"):
        provider_test(provider=sandbox_provider)


@responses.activate
def test_provider_test_reports_an_unreachable_api(sandbox_provider):
    import requests

    responses.get(sandbox_provider.api_base_url + "/", body=requests.ConnectionError("refused"))
    with pytest.raises(ProviderError):
        provider_test(provider=sandbox_provider)


def test_connections_of_one_team_share_a_rate_budget_key(sandbox):
    from connectors.services import connection_budget_key

    first = api_key_connection(sandbox, "team-a")
    second = api_key_connection(sandbox, "team-b")
    assert connection_budget_key(connection=first) == connection_budget_key(connection=second)
    orphan = Connection.objects.create(
        customer=Customer.objects.create(customer_id="no-team"), provider=first.provider
    )
    assert connection_budget_key(connection=orphan) == f"salesloft:connection-{orphan.pk}"


@responses.activate
def test_passthrough_keeps_the_providers_headers_but_not_its_cookies(connection):
    responses.get(
        "https://api.salesloft.com/v2/me",
        json={"data": {"id": 1}},
        headers={"Set-Cookie": "session=abc", "x-ratelimit-remaining-minute": "599"},
    )
    answer = passthrough_request(connection=connection, method="GET", path="/me")
    assert answer.status == 200 and answer.body == {"data": {"id": 1}}
    assert answer.headers["x-ratelimit-remaining-minute"] == "599"
    assert "set-cookie" not in {name.lower() for name in answer.headers}
