"""Real-time changes end to end, over real HTTP: the sandbox (Salesloft) delivers signed
webhooks to Glue on a live server, and Glue's mirror follows without any sync running.
Django-Q runs tasks inline here (as a worker would, just without the queue)."""

from __future__ import annotations

import time

import pytest
import requests
from django_q.conf import Conf

from connectors.models import ConnectionWebhook, WebhookEvent
from connectors.services import connection_create_with_api_key
from portal.services import api_key_create
from salesloft_sandbox.testing import run_sandbox
from syncs.engine import run_sync
from syncs.models import Contact, Sync, SyncConfig
from tests.connectors.conftest import provider_for
from tests.factories import CustomerFactory


@pytest.fixture
def sandbox():
    """Each test's own Salesloft: no subscription of an earlier test receives its changes."""
    with run_sandbox(people=30, rate_limit=False, webhook_retry_seconds=0.1) as running:
        yield running


@pytest.fixture
def world(live_server, settings, sandbox, monkeypatch):
    """A customer connected by API key to a real-time config; contacts synced once."""
    monkeypatch.setattr(Conf, "SYNC", True)  # the tasks run inline, as a worker would
    settings.PUBLIC_URL = live_server.url
    provider = provider_for(sandbox)
    SyncConfig.objects.create(provider=provider, common_objects=["contacts"], realtime=True)
    connection = connection_create_with_api_key(
        customer=CustomerFactory(customer_id="rt"), provider=provider, api_key=sandbox.api_key
    )
    assert ConnectionWebhook.objects.get(connection=connection).subscriptions  # subscribed
    run_sync(Sync.objects.get(connection=connection, object_name="contacts"))
    person_id = Contact.objects.filter(connection=connection).order_by("remote_id")[0].remote_id
    api = {
        "x-api-key": api_key_create(name="app")[1],
        "x-customer-id": "rt",
        "x-provider-name": "salesloft",
    }
    return {"glue": live_server.url, "connection": connection, "person": person_id, "api": api}


def _rename(sandbox, person_id: str, first_name: str) -> None:
    answer = requests.put(
        f"{sandbox.api_base}/people/{person_id}",
        json={"first_name": first_name},
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def _mirrored_name(world: dict) -> str | None:
    """The contact's first name as the unified API serves it (None if the read failed: the
    tests' in-memory SQLite can answer "table is locked" while a delivery is being applied)."""
    answer = requests.get(
        f"{world['glue']}/engagement/v2/contacts/{world['person']}",
        headers=world["api"],
        timeout=10,
    )
    return answer.json()["first_name"] if answer.status_code == 200 else None


def _within(seconds: float, check) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_change_in_salesloft_reaches_the_api_within_two_seconds(world, sandbox):
    _rename(sandbox, world["person"], "Realtime")
    assert _within(2.0, lambda: _mirrored_name(world) == "Realtime")
    event = WebhookEvent.objects.get(connection=world["connection"])
    assert (event.event_type, event.status) == ("person_updated", "applied")


@pytest.mark.django_db(transaction=True)
def test_duplicated_and_forged_deliveries_change_nothing_wrong(world, sandbox):
    sandbox.control.faults(next_webhook_duplicate=1)
    _rename(sandbox, world["person"], "Twice")
    sandbox.control.webhooks_wait()
    assert _within(2.0, lambda: _mirrored_name(world) == "Twice")
    assert WebhookEvent.objects.filter(connection=world["connection"]).count() == 1

    hook = ConnectionWebhook.objects.get(connection=world["connection"])
    forged = requests.post(
        hook.callback_url,
        data=b'{"id": 1, "first_name": "Forged"}',
        headers={"x-salesloft-event": "person_updated", "x-salesloft-signature": "00" * 20},
        timeout=10,
    )
    assert forged.status_code == 401
    assert _within(2.0, lambda: _mirrored_name(world) == "Twice")
    assert WebhookEvent.objects.filter(connection=world["connection"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_dropped_delivery_is_repaired_by_the_next_incremental_run(world, sandbox):
    sandbox.control.faults(next_webhook_drop=1)
    _rename(sandbox, world["person"], "Dropped")
    assert sandbox.control.webhooks_wait()["dropped"] == 1
    assert _mirrored_name(world) not in ("Dropped", None)
    run = run_sync(Sync.objects.get(connection=world["connection"], object_name="contacts"))
    assert run.strategy == "incremental" and run.status == "success"
    assert _within(2.0, lambda: _mirrored_name(world) == "Dropped")


@pytest.mark.django_db(transaction=True)
def test_the_developers_app_receives_a_verified_record_updated(world, sandbox):
    from standardwebhooks.webhooks import Webhook

    from portal.webhooks.services import webhook_endpoint_create
    from tests.listener import Listener

    with Listener() as app:
        _, secret = webhook_endpoint_create(url=f"{app.url}/hooks", event_types=["record.updated"])
        _rename(sandbox, world["person"], "Announced")
        assert _within(2.0, lambda: len(app.requests) == 1)
    _, _, headers, body = app.requests[0]
    event = Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()})
    assert event["type"] == "record.updated"
    assert event["data"]["object"] == "contacts" and event["data"]["customer_id"] == "rt"
    assert [(r["id"], r["first_name"]) for r in event["data"]["records"]] == [
        (world["person"], "Announced")
    ]
    assert event["data"]["records"][0]["updated_at"].endswith("Z")  # as the API writes it


@pytest.mark.django_db(transaction=True)
def test_a_reordered_older_delivery_is_ignored_as_stale(world, sandbox):
    """The first change's delivery is held back until after the second's: it arrives
    older than the stored row and moves nothing backwards."""
    sandbox.control.faults(next_webhook_reorder=1, webhook_reorder_ms=600)
    _rename(sandbox, world["person"], "First")
    time.sleep(0.05)  # a later updated_at for the second change
    _rename(sandbox, world["person"], "Second")
    sandbox.control.webhooks_wait()
    assert _within(2.0, lambda: _mirrored_name(world) == "Second")
    statuses = list(
        WebhookEvent.objects.filter(connection=world["connection"])
        .order_by("received_at")
        .values_list("status", flat=True)
    )
    assert statuses == ["applied", "ignored_stale"]
    assert _mirrored_name(world) == "Second"
