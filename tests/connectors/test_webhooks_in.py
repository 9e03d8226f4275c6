"""Real-time changes in: the receiver (signature over the raw bytes, dedupe, durable store),
the worker's apply, and Salesloft's subscription calls (replayed with `responses`)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from pathlib import Path

import pytest
import responses
from django.conf import settings
from django.test import Client

from connectors.models import Connection, ConnectionWebhook, WebhookEvent
from connectors.salesloft import webhooks as salesloft_webhooks
from connectors.services import (
    connection_disconnect,
    connection_webhook,
    connection_webhooks_subscribe,
    connection_webhooks_unsubscribe,
)
from syncs.models import Contact
from syncs.services import sync_config_save, webhook_event_apply
from tests.factories import ConnectionFactory, ProviderFactory

pytestmark = pytest.mark.django_db

PEOPLE = json.loads((Path(__file__).parents[1] / "fixtures/salesloft/people.json").read_text())
API = "https://api.salesloft.com/v2"


@pytest.fixture
def connection():
    provider = ProviderFactory()
    sync_config_save(provider=provider)
    return ConnectionFactory(provider=provider)


@pytest.fixture
def hook(connection) -> ConnectionWebhook:
    return connection_webhook(connection=connection)


def person(**changes) -> dict:
    return {**copy.deepcopy(PEOPLE["data"][0]), **changes}


def sign(body: bytes, token: str) -> str:
    # Salesloft's documented scheme, computed independently of the code under test.
    return hmac.new(token.encode(), body, hashlib.sha1).hexdigest()


def deliver(hook, event: str, record: dict, *, signature: str | None = None, path=None):
    body = json.dumps(record).encode()
    return Client().post(
        path or f"/webhooks/salesloft/{hook.public_id}",
        data=body,
        content_type="application/json",
        headers={
            "x-salesloft-event": event,
            "x-salesloft-signature": signature or sign(body, hook.callback_token),
        },
    )


def deliver_and_apply(hook, event, record, capture):
    with capture(execute=False) as callbacks:
        answer = deliver(hook, event, record)
    assert answer.status_code == 200
    statuses = []
    for event_row in WebhookEvent.objects.filter(status="received"):
        statuses.append(webhook_event_apply(event_id=event_row.pk))
    return answer, callbacks, statuses


# --- refusing what is not provably the provider's ----------------------------------------


@pytest.mark.parametrize(
    "forgery",
    ["bad signature", "signed with another token", "unknown id", "other provider", "no signature"],
)
def test_forged_deliveries_get_401_and_store_nothing(hook, forgery):
    record = person()
    body = json.dumps(record).encode()
    kwargs = {}
    if forgery == "bad signature":
        kwargs["signature"] = "0" * 40
    elif forgery == "signed with another token":
        kwargs["signature"] = sign(body, "not-the-token")
    elif forgery == "unknown id":
        kwargs["path"] = "/webhooks/salesloft/not-a-public-id"
    elif forgery == "other provider":
        kwargs["path"] = f"/webhooks/fakecrm/{hook.public_id}"
    if forgery == "no signature":
        answer = Client().post(
            f"/webhooks/salesloft/{hook.public_id}",
            data=body,
            content_type="application/json",
            headers={"x-salesloft-event": "person_updated"},
        )
    else:
        answer = deliver(hook, "person_updated", record, **kwargs)
    assert answer.status_code == 401
    assert not WebhookEvent.objects.exists()
    hook.refresh_from_db()
    assert hook.last_event_at is None


def test_a_tampered_body_fails_the_signature(hook):
    body = json.dumps(person()).encode()
    answer = Client().post(
        f"/webhooks/salesloft/{hook.public_id}",
        data=body.replace(b"Robin", b"Mallory"),
        content_type="application/json",
        headers={"x-salesloft-event": "person_updated",
                 "x-salesloft-signature": sign(body, hook.callback_token)},
    )  # fmt: skip
    assert answer.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_a_revoked_connection_refuses_deliveries(hook):
    Connection.objects.filter(pk=hook.connection_id).update(status=Connection.Status.REVOKED)
    assert deliver(hook, "person_updated", person()).status_code == 401
    assert not WebhookEvent.objects.exists()


def test_get_is_not_allowed(hook):
    assert Client().get(f"/webhooks/salesloft/{hook.public_id}").status_code == 405


# --- storing, deduplicating and applying -------------------------------------------------


def test_a_delivery_is_stored_enqueued_and_applied(hook, django_capture_on_commit_callbacks):
    answer, callbacks, statuses = deliver_and_apply(
        hook, "person_updated", person(), django_capture_on_commit_callbacks
    )
    assert answer.json() == {"status": "received"}
    assert len(callbacks) == 1  # the apply task, enqueued once the row is committed
    assert statuses == ["applied"]
    row = Contact.objects.get(connection=hook.connection, remote_id=str(PEOPLE["data"][0]["id"]))
    assert row.first_name == "Robin" and not row.is_deleted
    hook.refresh_from_db()
    assert (hook.events_applied, hook.events_ignored_stale, hook.events_rejected) == (1, 0, 0)
    assert hook.last_event_at is not None


def test_a_duplicate_delivery_is_applied_once(hook, django_capture_on_commit_callbacks):
    deliver_and_apply(hook, "person_updated", person(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = deliver(hook, "person_updated", person())
    assert answer.status_code == 200 and answer.json() == {"status": "duplicate"}
    assert callbacks == []  # nothing enqueued again
    assert WebhookEvent.objects.count() == 1
    event = WebhookEvent.objects.get()
    assert webhook_event_apply(event_id=event.pk) == "applied"  # a re-run task does nothing
    hook.refresh_from_db()
    assert hook.events_applied == 1


def test_an_older_delivery_is_ignored_as_stale(hook, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    newer = person(first_name="Newer", updated_at="2024-03-09T10:00:00-05:00")
    older = person(first_name="Older", updated_at="2024-03-08T10:00:00-05:00")
    deliver_and_apply(hook, "person_updated", newer, capture)
    _, _, statuses = deliver_and_apply(hook, "person_updated", older, capture)
    assert statuses == ["ignored_stale"]
    assert Contact.objects.get(connection=hook.connection).first_name == "Newer"
    hook.refresh_from_db()
    assert (hook.events_applied, hook.events_ignored_stale) == (1, 1)


def test_a_delete_event_soft_deletes(hook, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    deliver_and_apply(hook, "person_updated", person(), capture)
    _, _, statuses = deliver_and_apply(
        hook, "person_deleted", {"id": PEOPLE["data"][0]["id"]}, capture
    )
    assert statuses == ["applied"]
    assert Contact.objects.get(connection=hook.connection).is_deleted


def test_an_unknown_event_type_is_stored_then_rejected(hook, django_capture_on_commit_callbacks):
    _, _, statuses = deliver_and_apply(
        hook, "meeting_booked", {"id": 1}, django_capture_on_commit_callbacks
    )
    assert statuses == ["rejected"]
    assert "unknown event type" in WebhookEvent.objects.get().error
    hook.refresh_from_db()
    assert hook.events_rejected == 1 and not Contact.objects.exists()


# --- subscriptions, replayed with responses ----------------------------------------------


@responses.activate
def test_subscribe_posts_each_event_type_once_and_records_ids(connection):
    calls = []

    def created(request):
        calls.append(json.loads(request.body))
        return 201, {}, json.dumps({"data": {"id": 900 + len(calls)}})

    responses.add_callback(
        responses.POST,
        f"{API}/webhook_subscriptions",
        callback=created,
        content_type="application/json",
    )
    hook = connection_webhooks_subscribe(connection=connection, object_names=["contacts"])
    events = ["person_created", "person_updated", "person_deleted"]
    assert [c["event_type"] for c in calls] == events
    assert {c["callback_url"] for c in calls} == {
        f"{settings.PUBLIC_URL}/webhooks/salesloft/{hook.public_id}"
    }
    assert {c["callback_token"] for c in calls} == {hook.callback_token}
    assert hook.subscriptions == {"person_created": "901", "person_updated": "902",
                                  "person_deleted": "903"}  # fmt: skip
    connection_webhooks_subscribe(connection=connection, object_names=["contacts"])
    assert len(calls) == 3  # already subscribed: no second call
    assert ConnectionWebhook.objects.get().subscriptions == hook.subscriptions


@responses.activate
def test_unsubscribe_deletes_each_and_tolerates_one_already_gone(connection):
    hook = connection_webhook(connection=connection)
    hook.subscriptions = {"person_updated": "901", "person_deleted": "902"}
    hook.save()
    responses.add(responses.DELETE, f"{API}/webhook_subscriptions/901", status=204)
    responses.add(responses.DELETE, f"{API}/webhook_subscriptions/902", status=404, json={})
    assert connection_webhooks_unsubscribe(connection=connection) == 2
    assert ConnectionWebhook.objects.get().subscriptions == {}
    assert [c.request.method for c in responses.calls] == ["DELETE", "DELETE"]


@responses.activate
def test_disconnect_unsubscribes_while_the_credentials_still_work(connection):
    hook = connection_webhook(connection=connection)
    hook.subscriptions = {"person_updated": "901"}
    hook.save()
    token = connection.access_token
    responses.add(responses.DELETE, f"{API}/webhook_subscriptions/901", status=204)
    connection_disconnect(connection=connection)
    assert len(responses.calls) == 1
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {token}"
    assert ConnectionWebhook.objects.get().subscriptions == {}
    assert connection.status == Connection.Status.REVOKED


def test_salesloft_signature_is_hmac_sha1_of_the_raw_body_keyed_by_the_token():
    body = b'{"id": 1}'
    good = hmac.new(b"tok", body, hashlib.sha1).hexdigest()
    assert salesloft_webhooks.verify(body, {"X-Salesloft-Signature": good}, "tok")
    assert not salesloft_webhooks.verify(body, {"x-salesloft-signature": good}, "other")
    assert not salesloft_webhooks.verify(body + b" ", {"x-salesloft-signature": good}, "tok")
    assert not salesloft_webhooks.verify(body, {}, "tok")


# --- the sync config's real-time toggle ---------------------------------------------------


@pytest.mark.parametrize("realtime", [True, False])
@responses.activate
def test_a_new_connection_subscribes_when_its_config_is_real_time(
    realtime, monkeypatch, django_capture_on_commit_callbacks
):
    from django_q import tasks as q_tasks

    from connectors.signals import connection_connected
    from syncs import tasks

    provider = ProviderFactory()
    sync_config_save(provider=provider, fields={"realtime": realtime, "common_objects": ["users"]})
    connection = ConnectionFactory(provider=provider)
    queued = []
    monkeypatch.setattr(
        q_tasks, "async_task", lambda name, *args, **kw: queued.append((name, args))
    )
    responses.add(
        responses.POST, f"{API}/webhook_subscriptions", json={"data": {"id": 5}}, status=201
    )
    with django_capture_on_commit_callbacks(execute=True):
        connection_connected.send(sender=Connection, connection=connection)
    subscribe = [
        args for name, args in queued if name == "syncs.tasks.connection_realtime_reconcile"
    ]
    if not realtime:
        assert subscribe == []
        return
    assert subscribe == [(connection.pk,)]
    assert tasks.connection_realtime_reconcile(connection.pk) == 2
    sent = [json.loads(c.request.body)["event_type"] for c in responses.calls]
    assert sent == ["user_created", "user_updated"]  # only the synced objects' events


def test_the_connection_admin_page_shows_the_counters_never_the_token(
    admin_client, hook, django_capture_on_commit_callbacks
):
    page = f"/admin/connectors/connection/{hook.connection_id}/change/"
    assert "Not subscribed" in admin_client.get(page).content.decode()
    deliver_and_apply(hook, "person_updated", person(), django_capture_on_commit_callbacks)
    ConnectionWebhook.objects.filter(pk=hook.pk).update(subscriptions={"person_updated": "901"})
    html = admin_client.get(page).content.decode()
    assert "Subscribed to: person_updated" in html
    assert "Applied 1 · ignored as stale 0 · rejected 0" in html
    assert hook.callback_token not in html


@responses.activate
def test_turning_real_time_on_then_off_subscribes_then_unsubscribes_connections(
    connection, monkeypatch, django_capture_on_commit_callbacks
):
    from django_q import tasks as q_tasks

    from syncs import tasks

    queued = []
    monkeypatch.setattr(
        q_tasks, "async_task", lambda name, *args, **kw: queued.append((name, args))
    )
    responses.add(
        responses.POST, f"{API}/webhook_subscriptions", json={"data": {"id": 5}}, status=201
    )
    responses.add(responses.DELETE, f"{API}/webhook_subscriptions/5", status=204)
    provider = connection.provider
    with django_capture_on_commit_callbacks(execute=True):
        sync_config_save(provider=provider, fields={"realtime": True, "common_objects": ["users"]})
    assert queued == [("syncs.tasks.connection_realtime_reconcile", (connection.pk,))]
    assert tasks.connection_realtime_reconcile(connection.pk) == 2
    with django_capture_on_commit_callbacks(execute=True):
        sync_config_save(provider=provider, fields={"name": "renamed"})
    assert len(queued) == 1  # nothing about real-time changed: nothing queued
    with django_capture_on_commit_callbacks(execute=True):
        sync_config_save(provider=provider, fields={"realtime": False})
    assert len(queued) == 2
    assert tasks.connection_realtime_reconcile(connection.pk) == 0
    assert [c.request.method for c in responses.calls] == ["POST", "POST", "DELETE", "DELETE"]
    assert ConnectionWebhook.objects.get().subscriptions == {}
