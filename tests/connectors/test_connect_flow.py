"""The OAuth connect flow end to end over real HTTP: a connect session issued through the
management API → Glue's /oauth/connect → the sandbox's consent page → /oauth/callback → the
developer's return URL, plus its failure modes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection as db_connection
from social_django.models import UserSocialAuth

from connectors.models import Connection, ConnectSession, Customer, OAuthState
from connectors.services import connect_session_create, connect_session_url
from connectors.signals import connection_connected
from portal.services import api_key_create
from salesloft_sandbox.testing import run_sandbox
from tests.connectors.conftest import consent, provider_for


@pytest.fixture(scope="module")
def consent_sandbox():
    """A sandbox that shows its consent page (as Salesloft does) instead of auto-approving."""
    with run_sandbox(people=50, auto_approve=False, rate_limit=False) as running:
        yield running


@pytest.fixture
def glue(live_server, settings, consent_sandbox):
    settings.PUBLIC_URL = live_server.url
    provider_for(consent_sandbox)
    return live_server.url


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _consent(session: requests.Session, authorize_url: str, decision: str) -> str:
    return consent(session, authorize_url, decision)


def _session_url(customer_id: str, return_url: str, **options) -> str:
    """A connect session's link, issued as the developer's backend or the admin would."""
    customer, _ = Customer.objects.get_or_create(customer_id=customer_id)
    _, token = connect_session_create(
        customer=customer, provider_name="salesloft", return_url=return_url, **options
    )
    return connect_session_url(token=token)


def _open(session: requests.Session, connect_url: str) -> str:
    answer = session.get(connect_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def _start(glue: str, session: requests.Session, customer_id: str, return_url: str) -> str:
    return _open(session, _session_url(customer_id, return_url))


def test_a_customer_connects_through_the_consent_page_and_lands_back(glue, consent_sandbox):
    announced = []
    connection_connected.connect(lambda **kw: announced.append(kw["connection"].pk), weak=False,
                                 dispatch_uid="test-announce")  # fmt: skip
    session = requests.Session()
    return_url = f"{glue}/done?tab=integrations"
    issued = requests.post(
        f"{glue}/mgmt/v2/connect_sessions",
        json={"customer_id": "cust-e2e", "provider_name": "salesloft", "return_url": return_url},
        headers={"x-api-key": api_key_create(name="backend")[1]},
        timeout=10,
    )
    assert issued.status_code == 201, issued.text
    assert set(issued.json()) >= {"token", "connect_url", "expires_at"}
    assert issued.json()["connect_url"] == f"{glue}/oauth/connect?session={issued.json()['token']}"

    authorize = _open(session, issued.json()["connect_url"])
    assert authorize.startswith(consent_sandbox.authorize_url)
    params = _query(authorize)
    assert params["client_id"] == consent_sandbox.client_id
    assert params["redirect_uri"] == f"{glue}/oauth/callback"
    assert params["state"]
    callback = _consent(session, authorize, "approve")
    assert callback.startswith(f"{glue}/oauth/callback?")
    landed = session.get(callback, allow_redirects=False, timeout=10)

    assert landed.status_code == 302
    assert landed.headers["Location"].startswith(f"{glue}/done?")
    assert _query(landed.headers["Location"]) == {
        "tab": "integrations",
        "connected": "1",
        "customerId": "cust-e2e",
        "providerName": "salesloft",
    }
    connection = Connection.objects.get(customer__customer_id="cust-e2e")
    assert connection.status == Connection.Status.ACTIVE
    assert connection.access_token.startswith("sl_at_") and connection.refresh_token
    assert connection.expires_at is not None and connection.remote_account_id == "700"
    assert connection.remote_user_id
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM connectors_connection WHERE id = %s",
            [connection.pk],
        )
        stored = cursor.fetchone()
    assert connection.access_token not in stored[0] and connection.refresh_token not in stored[1]
    assert announced == [connection.pk]
    assert get_user_model().objects.count() == 0
    assert UserSocialAuth.objects.count() == 0
    # The tokens work: the connection can read its team.
    from connectors.services import passthrough_request

    assert passthrough_request(connection=connection, method="GET", path="/me").status == 200

    # The same callback again (a replayed state) is refused and changes nothing.
    replay = session.get(callback, allow_redirects=False, timeout=10)
    assert _query(replay.headers["Location"])["error"] == "invalid_state"
    connection_connected.disconnect(dispatch_uid="test-announce")


def test_reconnecting_updates_the_same_connection(glue):
    session = requests.Session()
    for round_ in range(2):
        callback = _consent(session, _start(glue, session, "cust-again", f"{glue}/x"), "approve")
        session.get(callback, allow_redirects=False, timeout=10)
        connection = Connection.objects.get(customer__customer_id="cust-again")
        if round_ == 0:
            first = (connection.pk, connection.access_token)
            Connection.objects.filter(pk=connection.pk).update(
                status=Connection.Status.NEEDS_REAUTH, status_reason="expired"
            )
    assert connection.pk == first[0] and connection.access_token != first[1]
    assert connection.status == Connection.Status.ACTIVE and connection.status_reason == ""
    assert Connection.objects.filter(customer__customer_id="cust-again").count() == 1


def test_denied_consent_returns_an_error_and_saves_nothing(glue):
    session = requests.Session()
    callback = _consent(session, _start(glue, session, "cust-denied", f"{glue}/x"), "deny")
    landed = session.get(callback, allow_redirects=False, timeout=10)

    outcome = _query(landed.headers["Location"])
    assert outcome["error"] == "access_denied"
    assert outcome["error_description"] and outcome["customerId"] == "cust-denied"
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_the_bare_supaglue_url_is_refused_with_how_to_get_a_session(client, sandbox_provider):
    Customer.objects.create(customer_id="victim")  # a known customer: still refused
    answer = client.get(
        "/oauth/connect",
        {"customerId": "victim", "providerName": "salesloft", "returnUrl": "http://localhost/x"},
    )
    assert answer.status_code == 400
    assert b"connect_session_required" in answer.content
    assert b"/mgmt/v2/connect_sessions" in answer.content
    assert not OAuthState.objects.exists() and not ConnectSession.objects.exists()


@pytest.mark.django_db
def test_unsigned_urls_when_allowed_never_create_customers(client, sandbox_provider, settings):
    settings.CONNECT_ALLOW_UNSIGNED = True
    params = {"providerName": "salesloft", "returnUrl": "http://localhost/back"}
    unknown = client.get("/oauth/connect", {**params, "customerId": "new-one"})
    assert _query(unknown["Location"])["error"] == "unknown_customer"
    assert not Customer.objects.exists() and not ConnectSession.objects.exists()

    Customer.objects.create(customer_id="known")
    known = client.get("/oauth/connect", {**params, "customerId": "known"})
    assert known.status_code == 302 and "state=" in known["Location"]
    assert ConnectSession.objects.get().origin == "unsigned connect URL"

    settings.CONNECT_MAX_PENDING_UNSIGNED = 1  # bounded: an anonymous caller cannot fill the DB
    Customer.objects.create(customer_id="other")
    client.cookies.clear()
    client.get("/oauth/connect", {**params, "customerId": "other"})  # one pending, unopened…
    ConnectSession.objects.update(opened_at=None)
    refused = client.get("/oauth/connect", {**params, "customerId": "other"})
    assert refused.status_code == 400 and b"too_many_pending" in refused.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"return_url": "https://evil.example/x"}, "return_url"),
        ({"return_url": "http://evil.example\\@localhost/x"}, "return_url"),
        ({"return_url": "http://local\thost/x"}, "return_url"),
        ({"provider_name": "outreach"}, "provider_name"),
        ({"customer_id": "has space"}, "customer_id"),
        ({"customer_id": ""}, "customer_id"),
        ({"scopes": ["people:read", "bad scope"]}, "scopes"),
        ({"scopes": "people:read"}, "scopes"),
        ({"replace": "maybe"}, "replace"),
    ],
)
def test_bad_connect_session_requests_are_400s_naming_the_field(sandbox_provider, body, field):
    from rest_framework.test import APIClient

    good = {"customer_id": "c1", "provider_name": "salesloft", "return_url": "http://localhost/b"}
    answer = APIClient().post(
        "/mgmt/v2/connect_sessions",
        {**good, **body},
        format="json",
        headers={"x-api-key": api_key_create(name="k")[1]},
    )
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["errors"][0]["detail"]
    assert not ConnectSession.objects.exists()


@pytest.mark.django_db
def test_sessions_without_an_api_key_are_refused(client, sandbox_provider):
    body = {"customer_id": "c1", "provider_name": "salesloft", "return_url": "http://localhost/b"}
    answer = client.post("/mgmt/v2/connect_sessions", body, content_type="application/json")
    assert answer.status_code == 401
    assert not ConnectSession.objects.exists() and not Customer.objects.exists()


@pytest.mark.django_db
def test_a_session_link_is_single_browser_and_expires(client, sandbox_provider, settings):
    from django.test import Client

    url = _session_url("c1", "http://localhost/b")
    first = client.get(url)
    assert first.status_code == 302 and "state=" in first["Location"]
    again_same_browser = client.get(url)  # Back, then the link again: still this browser's
    assert again_same_browser.status_code == 302

    forwarded = Client().get(url)  # another browser, after it was opened
    assert forwarded.status_code == 400 and b"session_opened_elsewhere" in forwarded.content

    settings.CONNECT_SESSION_MAX_AGE = -1
    late = Client().get(_session_url("c1", "http://localhost/b"))
    assert late.status_code == 400 and b"session_expired" in late.content
    unknown = Client().get("/oauth/connect", {"session": "made-up"})
    assert unknown.status_code == 400 and b"invalid_session" in unknown.content


@pytest.mark.django_db
def test_a_forged_or_expired_state_is_refused(client, sandbox_provider, settings):
    forged = client.get("/oauth/callback", {"state": "made-up:value", "code": "x"})
    assert forged.status_code == 400 and b"invalid_state" in forged.content

    start = client.get(_session_url("c2", "http://localhost/b"))
    state = _query(start["Location"])["state"]
    settings.OAUTH_STATE_MAX_AGE = -1  # every state is now older than allowed
    expired = client.get("/oauth/callback", {"state": state, "code": "x"})
    assert _query(expired["Location"])["error"] == "expired_state"
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_a_callback_in_another_browser_is_refused_and_keeps_the_state(client, sandbox_provider):
    from django.test import Client

    start = client.get(_session_url("c2", "http://localhost/b"))
    state = _query(start["Location"])["state"]
    elsewhere = Client().get("/oauth/callback", {"state": state, "code": "x"})
    assert _query(elsewhere["Location"])["error"] == "browser_mismatch"
    assert OAuthState.objects.get().used_at is None
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_a_failed_code_exchange_goes_back_with_an_error(client, sandbox_provider):
    start = client.get(_session_url("c3", "http://localhost/b"))
    state = _query(start["Location"])["state"]
    answer = client.get("/oauth/callback", {"state": state, "code": "not-a-real-code"})
    outcome = _query(answer["Location"])
    assert outcome["error"] == "connection_failed"
    assert (
        "invalid_grant" in outcome["error_description"] or "grant" in outcome["error_description"]
    )
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_expired_sessions_and_states_are_pruned(client, sandbox_provider, settings):
    from datetime import timedelta

    from django.utils import timezone

    from connectors.services import connect_sessions_prune

    client.get(_session_url("c4", "http://localhost/b"))  # opened: one state
    _session_url("c4", "http://localhost/b")  # never opened
    assert connect_sessions_prune() == {"sessions": 0, "states": 0}
    past = timezone.now() - timedelta(seconds=settings.OAUTH_STATE_MAX_AGE + 5)
    OAuthState.objects.update(created_at=past)
    ConnectSession.objects.update(expires_at=past)
    assert connect_sessions_prune() == {"sessions": 2, "states": 1}
    assert not ConnectSession.objects.exists() and not OAuthState.objects.exists()


def test_a_magic_link_takes_the_customer_through_the_same_flow(glue, consent_sandbox):
    from connectors.models import MagicLink
    from connectors.services import magic_link_create

    customer = Customer.objects.create(customer_id="cust-link", name="Link Co")
    link = magic_link_create(
        customer=customer,
        provider_name="salesloft",
        return_url=f"{glue}/welcome",
        expiration_secs=600,
    )
    session = requests.Session()
    page = session.get(link.url, timeout=10)
    assert page.status_code == 200 and "Connect Salesloft" in page.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    pressed = session.post(
        link.url,
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": link.url},
        allow_redirects=False,
        timeout=10,
    )
    assert pressed.status_code == 302
    callback = _consent(session, pressed.headers["Location"], "approve")
    landed = session.get(callback, allow_redirects=False, timeout=10)

    assert _query(landed.headers["Location"])["connected"] == "1"
    assert Connection.objects.get(customer=customer).status == Connection.Status.ACTIVE
    assert MagicLink.objects.get(pk=link.pk).status == MagicLink.Status.USED
    again = session.post(link.url, data={"csrfmiddlewaretoken": csrf}, timeout=10)
    assert again.status_code == 410
