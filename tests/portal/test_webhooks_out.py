"""Webhooks out: events written with their change, delivered signed (Standard Webhooks)
over real HTTP to a local receiver, retried with backoff, endpoints disabled when they keep
failing, and private addresses refused unless allowed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from connectors.base import RemoteIdentity
from connectors.models import Connection
from connectors.services import connect_session_create, connection_save_oauth
from connectors.services.tokens import connection_disconnect, connection_mark_needs_reauth
from portal import tasks
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks import services
from portal.webhooks.services import (
    DISABLE_AFTER_FAILURES,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    webhook_delivery_attempt,
    webhook_endpoint_create,
    webhook_event_emit,
)
from portal.webhooks.transport import DestinationRefused, destination_check
from syncs.models import Sync, SyncRun
from syncs.signals import sync_run_finished
from tests.factories import ConnectionFactory, CustomerFactory, ProviderFactory
from tests.listener import Listener


@pytest.fixture
def run_tasks_inline(monkeypatch):
    """Django-Q's queue, replaced by a direct call (no worker in these tests)."""
    from django_q import tasks as q_tasks

    def async_task(func, *args, **kwargs):
        assert func == services.DELIVER_TASK
        return tasks.webhook_deliver(*args)

    monkeypatch.setattr(q_tasks, "async_task", async_task)


def _verify(secret: str, request) -> dict:
    _, _, headers, body = request
    lowered = {k.lower(): v for k, v in headers.items()}
    return Webhook(secret).verify(body, lowered)


@pytest.mark.django_db(transaction=True)
def test_connection_events_delivered_signed_end_to_end(run_tasks_inline):
    provider, customer = ProviderFactory(), CustomerFactory(customer_id="acme")
    with Listener() as listener:
        endpoint, secret = webhook_endpoint_create(url=f"{listener.url}/hooks")
        session, _ = connect_session_create(
            customer=customer, provider_name=provider.name, return_url="http://localhost/"
        )
        connection = connection_save_oauth(
            session=session,
            token={
                "access_token": "at-plaintext-9f2",
                "refresh_token": "rt-plaintext-9f2",
                "expires_in": 3600,
            },
            identity=RemoteIdentity("team-1"),
        )
        connection_mark_needs_reauth(connection=connection, reason="refresh token expired")
        connection_disconnect(connection=connection)
    assert secret.startswith("whsec_")
    assert [r[1] for r in listener.requests] == ["/hooks"] * 3
    events = [_verify(secret, request) for request in listener.requests]
    assert [e["type"] for e in events] == [
        "connection.created",
        "connection.needs_reauth",
        "connection.deleted",
    ]
    assert events[0]["data"]["customer_id"] == "acme"
    assert events[0]["data"]["provider_name"] == provider.name
    assert events[0]["data"]["id"] == str(connection.pk)
    assert "plaintext-9f2" not in json.dumps(events)
    # A forged signature (another secret) does not verify.
    with pytest.raises(WebhookVerificationError):
        _verify("whsec_" + "A" * 44, listener.requests[0])
    log = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {(d.status, d.attempts, d.last_response_code) for d in log} == {("succeeded", 1, 200)}
    assert all(d.last_response_ms is not None for d in log)


@pytest.mark.django_db(transaction=True)
def test_outbox_row_rolls_back_with_its_change(run_tasks_inline):
    from django.db import transaction

    webhook_endpoint_create(url="http://127.0.0.1:9/never")
    connection = ConnectionFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        connection_mark_needs_reauth(connection=connection, reason="x")
        raise RuntimeError("the change fails")
    assert not WebhookDelivery.objects.exists()
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE


@pytest.mark.django_db
def test_sync_complete_carries_counts_and_result():
    endpoint, _ = webhook_endpoint_create(url="http://127.0.0.1:9/x")
    connection = ConnectionFactory(customer=CustomerFactory(customer_id="acme"))
    sync = Sync.objects.create(connection=connection, object_name="contacts")
    now = timezone.now()
    run = SyncRun.objects.create(
        sync=sync, started_at=now, heartbeat_at=now, status="failure", upserted=7,
        error_message="boom",
    )  # fmt: skip
    sync_run_finished.send(sender=SyncRun, run=run)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    data = delivery.payload["data"]
    assert delivery.event_type == "sync.complete"
    assert (data["result"], data["num_records_synced"], data["error_message"]) == (
        "ERROR", 7, "boom",
    )  # fmt: skip
    assert data["customer_id"] == "acme" and data["object"] == "contacts"


@pytest.mark.django_db
def test_endpoint_filters_by_event_type_and_customer():
    webhook_endpoint_create(url="http://127.0.0.1:9/a", event_types=["sync.complete"])
    other = CustomerFactory(customer_id="other")
    webhook_endpoint_create(url="http://127.0.0.1:9/b", customer=other)
    everything, _ = webhook_endpoint_create(url="http://127.0.0.1:9/c")
    deliveries = webhook_event_emit(event_type="connection.created", data={}, customer_id="acme")
    assert [d.endpoint for d in deliveries] == [everything]


@pytest.mark.django_db
def test_failed_attempts_retry_with_backoff_then_fail(monkeypatch):
    monkeypatch.setattr(services.random, "uniform", lambda a, b: b)  # the most jitter
    with Listener(status=500) as listener:
        endpoint, _ = webhook_endpoint_create(url=listener.url)
        (delivery,) = webhook_event_emit(event_type="connection.created", data={})
        waits = []
        for _ in range(MAX_ATTEMPTS):
            before = timezone.now()
            delivery = webhook_delivery_attempt(delivery=delivery)
            assert delivery.last_response_code == 500
            if delivery.next_attempt_at is not None:
                waits.append(delivery.next_attempt_at - before)
                # Not due yet: a second attempt now sends nothing.
                sent = len(listener.requests)
                webhook_delivery_attempt(delivery=delivery)
                assert len(listener.requests) == sent
                delivery.next_attempt_at = timezone.now()
                delivery.save()
    assert len(listener.requests) == MAX_ATTEMPTS
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert len(waits) == len(RETRY_DELAYS)
    for wait, base in zip(waits, RETRY_DELAYS, strict=True):
        assert base * 1.15 < wait < base * 1.25 + timedelta(seconds=1)
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)  # never shorter than the last wait
    assert timedelta(hours=20) < sum(RETRY_DELAYS, timedelta()) < timedelta(hours=36)
    # Every attempt sends the same message id: receivers can deduplicate.
    assert len({r[2]["webhook-id"] for r in listener.requests}) == 1


@pytest.mark.django_db
def test_retry_due_sent_by_the_schedule_task():
    with Listener() as listener:
        webhook_endpoint_create(url=listener.url)
        (delivery,) = webhook_event_emit(event_type="connection.created", data={})
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() + timedelta(minutes=1)
        )
        assert tasks.webhooks_deliver_due() == 0
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert tasks.webhooks_deliver_due() == 1
    assert len(listener.requests) == 1
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == "succeeded"


@pytest.mark.django_db
def test_endpoint_failing_in_a_row_is_disabled_and_re_enabled():
    with Listener(status=503) as listener:
        endpoint, _ = webhook_endpoint_create(url=listener.url)
        for _ in range(DISABLE_AFTER_FAILURES):
            (delivery,) = webhook_event_emit(event_type="connection.created", data={})
            webhook_delivery_attempt(delivery=delivery)
        endpoint.refresh_from_db()
        assert not endpoint.enabled and endpoint.disabled_at is not None
        assert endpoint.consecutive_failures == DISABLE_AFTER_FAILURES
        # A disabled endpoint is sent nothing new.
        assert webhook_event_emit(event_type="connection.created", data={}) == []
        assert len(listener.requests) == DISABLE_AFTER_FAILURES
    services.webhook_endpoint_update(endpoint=endpoint, enabled=True)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_at is None
    assert endpoint.consecutive_failures == 0


@pytest.mark.django_db
def test_a_success_resets_the_failure_count():
    with Listener(status=500) as failing:
        endpoint, _ = webhook_endpoint_create(url=failing.url)
        for _ in range(DISABLE_AFTER_FAILURES - 1):
            (delivery,) = webhook_event_emit(event_type="connection.created", data={})
            webhook_delivery_attempt(delivery=delivery)
    with Listener() as working:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=working.url)
        (delivery,) = webhook_event_emit(event_type="connection.created", data={})
        webhook_delivery_attempt(delivery=delivery)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.consecutive_failures == 0


@pytest.mark.django_db
def test_private_addresses_refused_unless_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    for url in (
        "http://127.0.0.1:8000/",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "file:///etc/passwd",
    ):
        with pytest.raises(DestinationRefused):
            destination_check(url=url)
    destination_check(url="http://93.184.215.14/")  # a public address is fine
    with Listener() as listener:
        webhook_endpoint_create(url=listener.url)
        (delivery,) = webhook_event_emit(event_type="connection.created", data={})
        delivery = webhook_delivery_attempt(delivery=delivery)
        assert listener.requests == []
    assert delivery.last_response_code is None and "private" in delivery.last_error
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    destination_check(url="http://127.0.0.1:8000/")


@pytest.mark.django_db
def test_redirects_are_not_followed():
    with Listener() as target, Listener(status=302) as redirecting:
        redirecting_url = redirecting.url
        webhook_endpoint_create(url=redirecting_url)
        (delivery,) = webhook_event_emit(event_type="connection.created", data={})
        delivery = webhook_delivery_attempt(delivery=delivery)
    assert delivery.last_response_code == 302 and delivery.status == "pending"
    assert target.requests == []


@pytest.mark.django_db
def test_secret_encrypted_at_rest():
    from django.db import connection as db

    endpoint, secret = webhook_endpoint_create(url="http://127.0.0.1:9/")
    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM portal_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and secret.removeprefix("whsec_") not in stored


@pytest.mark.django_db
def test_admin_shows_the_secret_once_and_resends(client, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "x"))
    response = client.post(
        "/admin/portal/webhookendpoint/add/",
        {"url": "https://hooks.example.com/in", "event_types": ["sync.complete"], "enabled": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["sync.complete"]
    assert endpoint.secret in response.content.decode()
    page = client.get(f"/admin/portal/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in page

    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, msg_id="msg_x", event_type="sync.complete", payload={},
        status="failed", attempts=8,
    )  # fmt: skip
    with django_capture_on_commit_callbacks() as queued:
        client.post(
            "/admin/portal/webhookdelivery/",
            {"action": "resend", "_selected_action": [delivery.pk], "index": "0"},
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert len(queued) == 1


@pytest.mark.django_db
def test_retries_have_a_schedule_after_migrate():
    from django_q.models import Schedule

    from portal.events import DUE_FUNC

    assert Schedule.objects.get(func=DUE_FUNC).minutes == 1
