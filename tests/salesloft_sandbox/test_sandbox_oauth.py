"""docs/salesloft-api.md §2: authorization code, rotating refresh tokens, client credentials."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from .conftest import session_for

REDIRECT = "http://localhost:8000/oauth/callback"


def authorize(sb, **params):
    query = {
        "client_id": sb.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "state": "xyz",
        "scope": "people:read accounts:read",
        **params,
    }
    return requests.get(sb.authorize_url, params=query, allow_redirects=False)


def redirected(response):
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}


def exchange(sb, code, **extra):
    return requests.post(
        sb.token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": sb.client_id,
            "client_secret": sb.client_secret,
            **extra,
        },
    )


@pytest.fixture
def manual(make_sandbox):
    return make_sandbox(people=50, auto_approve=False)


@pytest.fixture
def auto(make_sandbox):
    return make_sandbox(people=50, auto_approve=True)


def test_consent_page_approve_and_deny(manual):
    page = authorize(manual)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert (
        'value="approve"' in page.text
        and 'value="deny"' in page.text
        and 'method="post"' in page.text
    )
    form = {
        "client_id": manual.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "state": "xyz",
        "scope": "people:read",
    }
    approved = redirected(
        requests.post(
            manual.authorize_url, data={**form, "decision": "approve"}, allow_redirects=False
        )
    )
    assert set(approved) == {"code", "context", "scope", "state"}
    assert approved["state"] == "xyz" and approved["scope"] == "people:read"
    denied = redirected(
        requests.post(
            manual.authorize_url, data={**form, "decision": "deny"}, allow_redirects=False
        )
    )
    assert denied == {"error": "access_denied", "state": "xyz"}


def test_unknown_client_gets_no_redirect(manual):
    assert authorize(manual, client_id="nope").status_code == 400


def test_code_exchange_shape_and_single_use(auto):
    code = redirected(authorize(auto))["code"]
    response = exchange(auto, code)
    assert response.status_code == 200
    token = response.json()
    assert set(token) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
        "created_at",
    }
    assert token["token_type"] == "bearer" and token["expires_in"] == 7200
    assert (
        token["scope"] == "people:read accounts:read"
        and abs(token["created_at"] - time.time()) < 60
    )
    assert (
        session_for(auto, token["access_token"]).get(f"{auto.api_base}/people").status_code == 200
    )
    reused = exchange(auto, code)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_code_exchange_json_body_and_basic_auth(auto):
    code = redirected(authorize(auto))["code"]
    response = requests.post(
        auto.token_url,
        json={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=(auto.client_id, auto.client_secret),
    )
    assert response.status_code == 200 and response.json()["access_token"]


def test_redirect_uri_must_match_and_client_must_authenticate(auto):
    code = redirected(authorize(auto))["code"]
    assert exchange(auto, code, client_secret="wrong").status_code == 401
    mismatch = exchange(auto, code, redirect_uri="http://evil.example/cb")
    assert mismatch.status_code == 400 and mismatch.json()["error"] == "invalid_grant"


def test_refresh_tokens_rotate_and_are_single_use(auto):
    first = exchange(auto, redirected(authorize(auto))["code"]).json()
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": auto.client_id,
        "client_secret": auto.client_secret,
    }
    second = requests.post(auto.token_url, json=refresh)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert second.json()["access_token"] != first["access_token"]
    again = requests.post(auto.token_url, data=refresh)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    third = requests.post(
        auto.token_url, data={**refresh, "refresh_token": second.json()["refresh_token"]}
    )
    assert third.status_code == 200


def test_client_credentials_has_no_refresh_token(auto):
    token = requests.post(
        auto.token_url,
        data={"grant_type": "client_credentials"},
        auth=(auto.client_id, auto.client_secret),
    ).json()
    assert "refresh_token" not in token and token["expires_in"] == 7200
    assert (
        session_for(auto, token["access_token"]).get(f"{auto.api_base}/me").json()["data"]["id"]
        == 9001
    )


def test_unsupported_grant(auto):
    response = requests.post(
        auto.token_url, data={"grant_type": "password"}, auth=(auto.client_id, auto.client_secret)
    )
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_access_tokens_expire_after_the_lifetime(make_sandbox):
    sb = make_sandbox(people=20, token_lifetime=60)
    token = requests.post(
        sb.token_url,
        data={"grant_type": "client_credentials"},
        auth=(sb.client_id, sb.client_secret),
    ).json()
    assert token["expires_in"] == 60
    session = session_for(sb, token["access_token"])
    assert session.get(f"{sb.api_base}/people").status_code == 200
    sb.control.clock(advance=55)  # the sandbox's time, not the test's: no sleeping
    assert session.get(f"{sb.api_base}/people").status_code == 200
    sb.control.clock(advance=6)
    expired = session.get(f"{sb.api_base}/people")
    assert expired.status_code == 401 and expired.json()["error"] == "invalid_token"


def test_expire_tokens_fault_then_refresh_recovers(auto):
    token = exchange(auto, redirected(authorize(auto))["code"]).json()
    session = session_for(auto, token["access_token"])
    assert session.get(f"{auto.api_base}/people").status_code == 200
    assert auto.control.faults(expire_tokens=True)["expired_tokens"] >= 1
    assert session.get(f"{auto.api_base}/people").status_code == 401
    fresh = requests.post(
        auto.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": auto.client_id,
            "client_secret": auto.client_secret,
        },
    ).json()
    assert (
        session_for(auto, fresh["access_token"]).get(f"{auto.api_base}/people").status_code == 200
    )
    assert (
        session_for(auto).get(f"{auto.api_base}/people").status_code == 200
    )  # the API key never expires
