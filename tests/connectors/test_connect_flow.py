"""The OAuth connect flow end to end over real HTTP: Glue's /oauth/connect → the sandbox's
consent page → /oauth/callback → the developer's returnUrl, plus its failure modes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection as db_connection
from social_django.models import UserSocialAuth

from connectors.models import Connection, Customer, OAuthState
from connectors.salesloft.sandbox.testing import run_sandbox
from connectors.signals import connection_connected
from tests.connectors.conftest import provider_for


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
    """Load the consent page like a browser and press a button; returns the redirect."""
    page = session.get(authorize_url, allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "Approve" in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
    answer = session.post(
        origin + action, data={**fields, "decision": decision}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    return answer.headers["Location"]


def _start(glue: str, session: requests.Session, customer_id: str, return_url: str) -> str:
    answer = session.get(
        f"{glue}/oauth/connect",
        params={
            "customerId": customer_id,
            "providerName": "salesloft",
            "returnUrl": return_url,
            "applicationId": "ignored",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def test_a_customer_connects_through_the_consent_page_and_lands_back(glue, consent_sandbox):
    announced = []
    connection_connected.connect(lambda **kw: announced.append(kw["connection"].pk), weak=False,
                                 dispatch_uid="test-announce")  # fmt: skip
    session = requests.Session()
    return_url = f"{glue}/done?tab=integrations"

    authorize = _start(glue, session, "cust-e2e", return_url)
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
    assert not Customer.objects.filter(customer_id="cust-denied").exists()
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_a_return_url_on_another_host_is_refused_with_a_page(client, sandbox_provider):
    answer = client.get(
        "/oauth/connect",
        {"customerId": "c1", "providerName": "salesloft", "returnUrl": "https://evil.example/x"},
    )
    assert answer.status_code == 400
    assert b"evil.example" in answer.content and b"invalid_return_url" in answer.content
    assert not OAuthState.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "return_url",
    [
        "http://evil.example\\@localhost/x",  # Python reads host localhost; browsers evil.example
        "http://evil.example\\.localhost/x",
        "http:/\\evil.example/x",
        "http://local\thost/x",
    ],
)
def test_a_return_url_browsers_read_as_another_host_is_refused(
    client, sandbox_provider, return_url
):
    answer = client.get(
        "/oauth/connect",
        {"customerId": "c1", "providerName": "salesloft", "returnUrl": return_url},
    )
    assert answer.status_code == 400
    assert b"invalid_return_url" in answer.content
    assert not OAuthState.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"providerName": "outreach", "customerId": "c1"}, "unknown_provider"),
        ({"providerName": "salesloft", "customerId": "has space"}, "invalid_customer_id"),
        ({"providerName": "salesloft", "customerId": ""}, "invalid_customer_id"),
    ],
)
def test_bad_connect_requests_go_back_with_an_error_code(client, sandbox_provider, params, error):
    answer = client.get("/oauth/connect", {**params, "returnUrl": "http://localhost/back"})
    assert answer.status_code == 302
    assert _query(answer["Location"])["error"] == error
    assert answer["Location"].startswith("http://localhost/back?")


@pytest.mark.django_db
def test_a_forged_or_expired_state_is_refused(client, sandbox_provider, settings):
    forged = client.get("/oauth/callback", {"state": "made-up:value", "code": "x"})
    assert forged.status_code == 400 and b"invalid_state" in forged.content

    start = client.get(
        "/oauth/connect",
        {"customerId": "c2", "providerName": "salesloft", "returnUrl": "http://localhost/b"},
    )
    state = _query(start["Location"])["state"]
    settings.OAUTH_STATE_MAX_AGE = -1  # every state is now older than allowed
    expired = client.get("/oauth/callback", {"state": state, "code": "x"})
    assert _query(expired["Location"])["error"] == "expired_state"
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_a_failed_code_exchange_goes_back_with_an_error(client, sandbox_provider):
    start = client.get(
        "/oauth/connect",
        {"customerId": "c3", "providerName": "salesloft", "returnUrl": "http://localhost/b"},
    )
    state = _query(start["Location"])["state"]
    answer = client.get("/oauth/callback", {"state": state, "code": "not-a-real-code"})
    outcome = _query(answer["Location"])
    assert outcome["error"] == "connection_failed"
    assert (
        "invalid_grant" in outcome["error_description"] or "grant" in outcome["error_description"]
    )
    assert not Connection.objects.exists() and not Customer.objects.exists()


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
