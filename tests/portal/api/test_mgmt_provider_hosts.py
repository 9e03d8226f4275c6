"""The API-key attack, replayed: `PUT /mgmt/v2/providers/salesloft` cannot send the
customers' credentials (or the client secret) elsewhere, and provider failures from a host
someone configured are not echoed."""

from __future__ import annotations

import re

import pytest
import responses
from django.contrib.admin.models import LogEntry

from connectors.models import Connection, Provider
from portal.models import ApiKey
from tests.listener import Listener
from tests.portal.api.conftest import error

pytestmark = pytest.mark.django_db

REAL = {
    "authorize_url": "https://accounts.salesloft.com/oauth/authorize",
    "token_url": "https://accounts.salesloft.com/oauth/token",
    "api_base_url": "https://api.salesloft.com/v2",
}
SECRET_FIELD = "config.oauth.credentials.oauth_client_secret"


def _body(secret: str = "", **urls) -> dict:
    credentials = {"oauth_client_id": "app-client-id"}
    if secret:
        credentials["oauth_client_secret"] = secret
    return {
        "name": "salesloft",
        "auth_type": "oauth2",
        "config": {"oauth": {"credentials": credentials}},
        **REAL,
        **urls,
    }


def _unchanged() -> None:
    provider = Provider.objects.get()
    assert {f: getattr(provider, f) for f in REAL} == REAL
    assert provider.client_secret == "app-client-secret-plaintext"
    assert not LogEntry.objects.exists()


def test_an_unlisted_host_is_refused_naming_the_field(api, conn_a):
    with Listener(host="127.0.0.2") as listener:
        response = api.put(
            "/mgmt/v2/providers/salesloft",
            _body(
                secret="attacker-secret",
                token_url=f"{listener.url}/oauth/token",
                api_base_url="https://evil.example/v2",
            ),
        )
        assert response.status_code == 400, response.json()
        detail = error(response)["detail"]
        assert "token_url: 127.0.0.2 is not a Salesloft host" in detail
        assert "api_base_url: evil.example is not a Salesloft host" in detail
        _unchanged()
        assert listener.requests == []


def test_an_allowed_host_without_the_secret_is_refused(api, conn_a):
    response = api.put("/mgmt/v2/providers/salesloft", _body(api_base_url="http://127.0.0.1:9/v2"))
    assert response.status_code == 400
    assert error(response)["detail"] == (
        f"{SECRET_FIELD}: Enter the Secret again to change where credentials are sent."
    )
    _unchanged()


def test_with_the_secret_the_move_is_saved_and_logged(api, conn_a, raw_key):
    response = api.put(
        "/mgmt/v2/providers/salesloft",
        _body(secret="re-entered", token_url="http://localhost:8765/oauth/token"),
    )
    assert response.status_code == 200, response.json()
    provider = Provider.objects.get()
    assert provider.token_url == "http://localhost:8765/oauth/token"
    assert provider.client_secret == "re-entered"
    key = ApiKey.objects.get()
    entry = LogEntry.objects.get()
    assert entry.get_edited_object() == provider
    assert entry.change_message == (
        "Endpoints moved: token_url: https://accounts.salesloft.com:443 → "
        f"http://localhost:8765. Via the management API with key 'tests' ({key.prefix}…)."
    )
    assert not entry.user.is_active


def test_a_put_that_moves_nothing_keeps_the_secret_without_a_log(api, conn_a):
    response = api.put("/mgmt/v2/providers/salesloft", _body())
    assert response.status_code == 200
    _unchanged()


# --- the error envelope -------------------------------------------------------------------

LEAK = {"errors": {"internal": ["contents of some internal page"]}}
WRITE = {"record": {"name": "Acme", "domain": "acme.io"}}


def test_a_host_nobody_allowed_is_never_called_nor_echoed(api, conn_a):
    with Listener(host="127.0.0.2", status=422, body=LEAK) as listener:
        Provider.objects.update(api_base_url=f"{listener.url}/v2")  # around the service
        response = api.post("/engagement/v2/accounts", WRITE)
        assert listener.requests == []
    assert response.status_code == 502
    assert "internal" not in response.content.decode()
    assert "cause" not in error(response)["meta"]


def test_an_operator_allowed_hosts_answer_is_echoed(api, conn_a):
    """PROVIDER_ALLOWED_HOSTS is the operator's choice (the sandbox, a proxy), not a caller's."""
    with Listener(host="127.0.0.1", status=422, body=LEAK) as listener:
        Provider.objects.update(api_base_url=f"{listener.url}/v2")
        response = api.post("/engagement/v2/accounts", WRITE)
        assert len(listener.requests) == 1
    assert response.status_code == 422
    assert "contents of some internal page" in error(response)["detail"]
    assert Connection.objects.get().status == Connection.Status.ACTIVE


def test_the_real_providers_answer_is_echoed(api, conn_a):
    with responses.RequestsMock() as mock:
        mock.post(re.compile(r"https://api\.salesloft\.com/v2/accounts"), status=422, json=LEAK)
        response = api.post("/engagement/v2/accounts", WRITE)
    assert response.status_code == 422
    item = error(response)
    assert "internal contents of some internal page" in item["detail"]
    assert item["meta"]["cause"] == LEAK
