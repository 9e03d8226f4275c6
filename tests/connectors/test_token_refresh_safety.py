"""Refreshing a single-use refresh token safely: no transaction open during the token call,
a lease so two workers never both spend one, and ambiguous outcomes (timeouts, 5xx) never
retried blindly nor taken for a dead grant. Focused, with `responses` playing a provider
whose refresh tokens rotate; tests/connectors/test_tokens.py covers the same over real HTTP."""

from __future__ import annotations

import time
import types
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import requests
import responses
from django.db import connection as db
from django.utils import timezone

from connectors import services
from connectors.exceptions import AuthRevoked, ProviderUnavailable
from connectors.models import Connection
from connectors.services import tokens
from connectors.signals import connection_lost
from tests.concurrency import run_at_once
from tests.factories import ConnectionFactory, ProviderFactory

TOKEN_URL = "https://accounts.salesloft.com/oauth/token"


class RotatingProvider:
    """A token endpoint with single-use refresh tokens. `faults` lists what the next calls
    do: "ok", "504-after" (rotates, then the answer is lost behind a 504), "502-before"
    (a gateway refuses; nothing happens), "timeout-after" (rotates, the read times out)."""

    def __init__(self, live: str) -> None:
        self.live = live
        self.faults: list[str] = []
        self.calls: list[str] = []
        self.during_call = lambda: None
        self.issued = 0

    def __call__(self, request):
        sent = parse_qs(request.body)["refresh_token"][0]
        self.calls.append(sent)
        self.during_call()
        fault = self.faults.pop(0) if self.faults else "ok"
        if fault == "502-before":
            return 502, {}, "Bad gateway"
        if sent != self.live:
            return 400, {"Content-Type": "application/json"}, '{"error": "invalid_grant"}'
        self.issued += 1
        self.live = f"rt-{self.issued}"
        if fault == "504-after":
            return 504, {}, "Gateway timeout"
        if fault == "timeout-after":
            raise requests.exceptions.ReadTimeout("read timed out")
        body = (
            f'{{"access_token": "at-{self.issued}", "refresh_token": "{self.live}", '
            '"expires_in": 7200, "token_type": "bearer"}'
        )
        return 200, {"Content-Type": "application/json"}, body


@pytest.fixture
def provider_endpoint():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        endpoint = RotatingProvider(live="rt-0")
        mock.add_callback(responses.POST, TOKEN_URL, callback=endpoint)
        yield endpoint


@pytest.fixture
def expired(db):
    connection = ConnectionFactory(
        provider=ProviderFactory(token_url=TOKEN_URL),
        access_token="at-0",
        refresh_token="rt-0",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    return Connection.objects.select_related("provider").get(pk=connection.pk)


@pytest.fixture
def lost():
    seen = []
    connection_lost.connect(lambda **kw: seen.append(kw), weak=False, dispatch_uid="t-safety")
    yield seen
    connection_lost.disconnect(dispatch_uid="t-safety")


def stored(connection: Connection) -> Connection:
    return Connection.objects.get(pk=connection.pk)


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_during_the_token_call(provider_endpoint, expired):
    seen = []
    provider_endpoint.during_call = lambda: seen.append(
        (db.in_atomic_block, stored(expired).refresh_claimed_until is not None)
    )

    assert services.connection_access_token(connection=expired) == "at-1"

    assert seen == [(False, True)]  # no transaction open, and the lease was taken
    row = stored(expired)
    assert (row.refresh_token, row.refresh_claimed_until) == ("rt-1", None)


@pytest.mark.django_db
def test_a_504_after_the_provider_rotated_the_token_is_not_a_dead_grant(
    provider_endpoint, expired, lost
):
    provider_endpoint.faults = ["504-after"]

    with pytest.raises(ProviderUnavailable):
        services.connection_access_token(connection=expired)

    row = stored(expired)
    assert row.status == Connection.Status.ACTIVE and lost == []
    assert row.refresh_claimed_until is None  # the lease is released for the next attempt
    # Sent once more after reading the row again (no one had stored a newer token); the
    # provider's invalid_grant to that repeat proves nothing, as our first call spent it.
    assert provider_endpoint.calls == ["rt-0", "rt-0"]


@pytest.mark.django_db
def test_a_gateway_failure_before_the_provider_saw_the_call_is_sent_once_more(
    provider_endpoint, expired
):
    provider_endpoint.faults = ["502-before"]

    assert services.connection_access_token(connection=expired) == "at-1"

    assert provider_endpoint.calls == ["rt-0", "rt-0"]
    row = stored(expired)
    assert (row.status, row.refresh_token, row.access_token) == ("active", "rt-1", "at-1")


@pytest.mark.django_db(transaction=True)
def test_after_a_timeout_a_token_stored_by_another_process_is_used_not_resent(
    provider_endpoint, expired
):
    provider_endpoint.faults = ["timeout-after"]

    def reconnected_meanwhile():
        Connection.objects.filter(pk=expired.pk).update(
            access_token="at-elsewhere",
            refresh_token="rt-elsewhere",
            expires_at=timezone.now() + timedelta(hours=2),
        )

    provider_endpoint.during_call = reconnected_meanwhile

    assert services.connection_access_token(connection=expired) == "at-elsewhere"

    assert provider_endpoint.calls == ["rt-0"]  # our possibly-spent token is not re-sent
    row = stored(expired)
    assert (row.status, row.refresh_token, row.refresh_claimed_until) == (
        "active",
        "rt-elsewhere",
        None,
    )


@pytest.mark.django_db
def test_a_revoked_grant_still_marks_the_connection_needs_reauth(provider_endpoint, expired, lost):
    provider_endpoint.live = "rt-someone-else"  # the grant behind rt-0 is gone

    with pytest.raises(AuthRevoked, match="invalid_grant"):
        services.connection_access_token(connection=expired)

    assert provider_endpoint.calls == ["rt-0"]
    row = stored(expired)
    assert row.status == Connection.Status.NEEDS_REAUTH
    assert row.refresh_claimed_until is None
    assert [item["connection"].pk for item in lost] == [expired.pk]


@pytest.mark.django_db
def test_a_live_lease_makes_a_second_worker_wait_for_its_tokens(
    provider_endpoint, expired, monkeypatch
):
    Connection.objects.filter(pk=expired.pk).update(
        refresh_claimed_until=timezone.now() + timedelta(minutes=1)
    )
    sleeps = []

    def other_worker_finishes(seconds: float) -> None:
        sleeps.append(seconds)
        Connection.objects.filter(pk=expired.pk).update(
            access_token="at-other",
            refresh_token="rt-other",
            expires_at=timezone.now() + timedelta(hours=2),
            refresh_claimed_until=None,
        )

    monkeypatch.setattr(
        tokens, "time", types.SimpleNamespace(sleep=other_worker_finishes, monotonic=time.monotonic)
    )

    assert services.connection_access_token(connection=expired) == "at-other"
    assert provider_endpoint.calls == [] and len(sleeps) == 1


@pytest.mark.django_db
def test_the_lease_of_a_dead_worker_frees_itself(provider_endpoint, expired):
    Connection.objects.filter(pk=expired.pk).update(
        refresh_claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.connection_access_token(connection=expired) == "at-1"
    assert provider_endpoint.calls == ["rt-0"]


@pytest.mark.django_db(transaction=True)
def test_two_refreshers_at_once_spend_the_refresh_token_once(provider_endpoint, expired):
    provider_endpoint.during_call = lambda: time.sleep(0.3)  # a slow provider: they overlap

    def refresher(name: str) -> str:
        mine = Connection.objects.select_related("provider").get(pk=expired.pk)
        return services.connection_access_token(connection=mine)

    results, errors = run_at_once(refresher)

    assert errors == []
    assert provider_endpoint.calls == ["rt-0"]  # spent once; a second spend: invalid_grant
    assert results == {"a": "at-1", "b": "at-1"}
    row = stored(expired)
    assert (row.status, row.refresh_token, row.refresh_claimed_until) == ("active", "rt-1", None)
