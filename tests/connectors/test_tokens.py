"""Token refresh: proactive and on a 401, once however many workers ask, rotated refresh
tokens saved first; dead grants mark the connection; the keep-alive; disconnecting."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors import services
from connectors.exceptions import AuthRevoked
from connectors.models import Connection
from connectors.services import tokens
from connectors.signals import connection_lost
from tests.concurrency import run_at_once
from tests.connectors.conftest import api_key_connection, oauth_connection


def _expire(connection: Connection, minutes: float = -1) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        expires_at=timezone.now() + timedelta(minutes=minutes)
    )
    connection.refresh_from_db()


@pytest.fixture
def token_calls(monkeypatch):
    """Counts calls to the token endpoint (still made, to the sandbox), slowed down so
    concurrent callers really overlap."""
    calls = []
    real = tokens._token_request

    def counting(**kwargs):
        calls.append(kwargs["data"]["grant_type"])
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(tokens, "_token_request", counting)
    return calls


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_make_one_token_call_and_both_proceed(sandbox, token_calls):
    connection = oauth_connection(sandbox, "concurrent")
    old_access, old_refresh = connection.access_token, connection.refresh_token
    _expire(connection)

    def worker(name: str) -> str:
        mine = Connection.objects.select_related("provider").get(pk=connection.pk)
        return services.connection_access_token(connection=mine)

    results, errors = run_at_once(worker)

    assert errors == []
    assert token_calls == ["refresh_token"]
    assert results["a"] == results["b"] != old_access
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE
    assert connection.access_token == results["a"]
    assert connection.refresh_token not in ("", old_refresh)  # the rotated one was saved
    assert connection.expires_at > timezone.now() + timedelta(hours=1)
    # The saved refresh token is the live one: the sandbox accepts it.
    _expire(connection)
    assert services.connection_access_token(connection=connection) != results["a"]


@pytest.mark.django_db
def test_a_token_about_to_expire_is_refreshed_before_the_call(sandbox, token_calls):
    connection = oauth_connection(sandbox, "proactive")
    _expire(connection, minutes=4)  # under the 5-minute margin
    pages = services.stream_pages(connection=connection, object_name="users")
    assert next(iter(pages)).records
    assert token_calls == ["refresh_token"]
    _expire(connection, minutes=30)
    services.connection_access_token(connection=connection)
    assert token_calls == ["refresh_token"]


@pytest.mark.django_db
def test_a_401_refreshes_once_and_repeats_the_call(fresh_sandbox, token_calls):
    connection = oauth_connection(fresh_sandbox, "expired-early")
    before = connection.access_token
    fresh_sandbox.control.faults(expire_tokens=True)  # revoked before their time

    response = services.passthrough_request(connection=connection, method="GET", path="/me")

    assert response.status == 200
    assert token_calls == ["refresh_token"]
    connection.refresh_from_db()
    assert connection.access_token != before and connection.status == "active"


@pytest.mark.django_db
def test_invalid_grant_marks_the_connection_and_raises_auth_revoked(sandbox):
    connection = oauth_connection(sandbox, "dead-grant")
    lost = []
    connection_lost.connect(lambda **kw: lost.append(kw), weak=False, dispatch_uid="t-lost")
    try:
        Connection.objects.filter(pk=connection.pk).update(refresh_token="sl_rt_spent")
        connection.refresh_from_db()
        _expire(connection)
        with pytest.raises(AuthRevoked, match="invalid"):
            services.connection_access_token(connection=connection)
    finally:
        connection_lost.disconnect(dispatch_uid="t-lost")
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTH
    assert "invalid_grant" in connection.status_reason or "grant" in connection.status_reason
    assert [item["connection"].pk for item in lost] == [connection.pk]
    with pytest.raises(AuthRevoked):  # and it stays unusable until reconnected
        list(services.stream_pages(connection=connection, object_name="users"))


@pytest.mark.django_db
def test_a_refused_api_key_marks_the_connection(sandbox):
    connection = api_key_connection(sandbox, "bad-key")
    Connection.objects.filter(pk=connection.pk).update(api_key="ak_not_valid")
    connection.refresh_from_db()
    with pytest.raises(AuthRevoked):
        services.passthrough_request(connection=connection, method="GET", path="/me")
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTH


@pytest.mark.django_db
def test_keepalive_refreshes_only_connections_expiring_soon(sandbox, token_calls):
    soon = oauth_connection(sandbox, "idle-soon")
    later = oauth_connection(sandbox, "idle-later")
    _expire(soon, minutes=10)
    _expire(later, minutes=110)
    dead = oauth_connection(sandbox, "idle-dead")
    _expire(dead, minutes=5)
    Connection.objects.filter(pk=dead.pk).update(refresh_token="sl_rt_spent")

    assert services.connections_keepalive(within=timedelta(minutes=30)) == 1

    soon.refresh_from_db()
    later.refresh_from_db()
    dead.refresh_from_db()
    assert soon.expires_at > timezone.now() + timedelta(hours=1)
    assert later.expires_at < timezone.now() + timedelta(minutes=111)
    assert dead.status == Connection.Status.NEEDS_REAUTH
    assert len(token_calls) == 2


@pytest.mark.django_db
def test_disconnect_revokes_and_wipes_credentials(sandbox):
    connection = oauth_connection(sandbox, "leaving")
    services.connection_disconnect(connection=connection)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    assert (connection.access_token, connection.refresh_token, connection.api_key) == ("", "", "")
    with pytest.raises(AuthRevoked):
        services.connection_access_token(connection=connection)
