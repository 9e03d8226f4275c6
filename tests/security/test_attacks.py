"""The attacks of issue 10 replayed end to end over real HTTP: Glue on a live server, the
sandbox serving two Salesloft teams (team 2 is the attacker's account), browsers played
by `requests` sessions with their own cookie jars. Each must be refused and change
nothing. (The provider-endpoint attack is replayed in tests/connectors/test_provider_hosts.py.)
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from connectors.models import Connection, Customer
from portal.services import api_key_create
from salesloft_sandbox.testing import run_sandbox
from syncs.models import Contact
from tests.connectors.conftest import consent, provider_for
from tests.portal.api.conftest import make_record


@pytest.fixture(scope="module")
def two_teams():
    with run_sandbox(people=20, teams=2, auto_approve=False, rate_limit=False) as running:
        yield running


@pytest.fixture
def glue(live_server, settings, two_teams):
    settings.PUBLIC_URL = live_server.url
    provider_for(two_teams)
    return live_server.url


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _session(glue: str, customer_id: str, **options) -> str:
    """A connect session issued by the developer's backend (API key): its connect_url."""
    answer = requests.post(
        f"{glue}/mgmt/v2/connect_sessions",
        json={
            "customer_id": customer_id,
            "provider_name": "salesloft",
            "return_url": f"{glue}/back",
            **options,
        },
        headers={"x-api-key": api_key_create(name="backend")[1]},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["connect_url"]


def _connect(glue: str, browser: requests.Session, connect_url: str, user_id: int) -> dict:
    authorize = browser.get(connect_url, allow_redirects=False, timeout=10)
    assert authorize.status_code == 302, authorize.text
    callback = consent(browser, authorize.headers["Location"], "approve", user_id=user_id)
    landed = browser.get(callback, allow_redirects=False, timeout=10)
    assert landed.status_code == 302
    return _query(landed.headers["Location"])


def _victim(glue: str, two_teams) -> Connection:
    """Customer `victim`, connected to team 1 through a real flow, with a synced record."""
    team1 = two_teams.teams[0]
    outcome = _connect(glue, requests.Session(), _session(glue, "victim"), team1.admin_user_id)
    assert outcome["connected"] == "1"
    connection = Connection.objects.get(customer__customer_id="victim")
    make_record(connection, "contacts", "1")
    return connection


def _credentials(connection: Connection) -> tuple:
    connection.refresh_from_db()
    return (
        connection.access_token,
        connection.refresh_token,
        connection.remote_account_id,
        connection.remote_user_id,
    )


def test_an_anonymous_connect_url_cannot_take_over_a_customer(glue, two_teams):
    victim = _victim(glue, two_teams)
    before = _credentials(victim)
    attacker = requests.Session()
    answer = attacker.get(
        f"{glue}/oauth/connect",
        params={"customerId": "victim", "providerName": "salesloft", "returnUrl": f"{glue}/x"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 400 and "connect_session_required" in answer.text
    assert _credentials(victim) == before
    # Nor can an unknown customer be created on the fly.
    attacker.get(
        f"{glue}/oauth/connect",
        params={"customerId": "made-up", "providerName": "salesloft", "returnUrl": f"{glue}/x"},
        timeout=10,
    )
    assert not Customer.objects.filter(customer_id="made-up").exists()


def test_approving_with_another_account_cannot_replace_the_customers(glue, two_teams):
    victim = _victim(glue, two_teams)
    before = _credentials(victim)
    attacker_user = two_teams.teams[1].admin_user_id
    # Even holding a genuine session of the victim (say, a leaked reconnect link), approving
    # as the attacker's own Salesloft user is refused.
    outcome = _connect(glue, requests.Session(), _session(glue, "victim"), attacker_user)
    assert outcome["error"] == "account_mismatch"
    assert _credentials(victim) == before
    assert Contact.objects.filter(connection=victim).count() == 1

    # The developer can allow a switch explicitly: then the old account's records go.
    outcome = _connect(
        glue, requests.Session(), _session(glue, "victim", replace=True), attacker_user
    )
    assert outcome["connected"] == "1"
    after = _credentials(victim)
    assert after[2] == str(two_teams.teams[1].team_id) and after[3] == str(attacker_user)
    assert Contact.objects.filter(connection=victim).count() == 0


def test_a_forwarded_authorize_link_connects_nothing(glue, two_teams):
    """The attacker opens a session link, then mails the consent page's link to someone:
    that person's approval comes back to Glue without the attacker's browser cookie."""
    attacker, victim_browser = requests.Session(), requests.Session()
    connect_url = _session(glue, "target")
    opened = attacker.get(connect_url, allow_redirects=False, timeout=10)
    authorize = opened.headers["Location"]

    callback = consent(
        victim_browser, authorize, "approve", user_id=two_teams.teams[0].admin_user_id
    )
    landed = victim_browser.get(callback, allow_redirects=False, timeout=10)
    assert _query(landed.headers["Location"])["error"] == "browser_mismatch"
    assert not Connection.objects.filter(customer__customer_id="target").exists()

    # And the session link itself, forwarded after it was opened, does not open again.
    again = victim_browser.get(connect_url, allow_redirects=False, timeout=10)
    assert again.status_code == 400 and "session_opened_elsewhere" in again.text
