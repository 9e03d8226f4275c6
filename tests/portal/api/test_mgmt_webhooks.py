"""`/mgmt/v2/webhook_endpoints` and `/mgmt/v2/webhook_deliveries`: create (the secret shown
once), list, get, update, delete; the delivery log and Resend; 400s naming the field;
customer-scoped keys refused."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from portal.models import WebhookDelivery, WebhookEndpoint
from portal.services import api_key_create
from portal.webhooks import services
from portal.webhooks.services import webhook_delivery_attempt, webhook_event_emit
from tests.listener import Listener
from tests.portal.api.conftest import Api, error

M = "/mgmt/v2"


@pytest.fixture
def inline_queue(monkeypatch):
    """Django-Q's queue, replaced by a direct call (no worker in these tests)."""
    from django_q import tasks as q_tasks

    from portal import tasks

    def async_task(func, *args, **kwargs):
        assert func == services.DELIVER_TASK
        return tasks.webhook_deliver(*args)

    monkeypatch.setattr(q_tasks, "async_task", async_task)


def test_create_shows_the_secret_once(api, conn_a):
    created = api.post(
        f"{M}/webhook_endpoints",
        {
            "url": "https://hooks.example.com/glue",
            "event_types": ["connection.created", "sync.complete"],
            "customer_id": "cust-a",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["customer_id"] == "cust-a" and body["enabled"] is True
    assert body["event_types"] == ["connection.created", "sync.complete"]
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.secret == body["secret"]
    listed = api.get(f"{M}/webhook_endpoints")
    fetched = api.get(f"{M}/webhook_endpoints/{body['id']}")
    updated = api.patch(f"{M}/webhook_endpoints/{body['id']}", {"enabled": False})
    for response in (listed, fetched, updated):
        assert response.status_code == 200
        assert body["secret"] not in response.content.decode()
        assert b"secret" not in response.content
    assert [e["id"] for e in listed.json()] == [body["id"]]
    assert fetched.json()["url"] == "https://hooks.example.com/glue"


def test_update_and_delete(api):
    endpoint_id = api.post(f"{M}/webhook_endpoints", {"url": "https://h.example.com/"}).json()["id"]
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        enabled=False, consecutive_failures=20, disabled_at="2024-01-01T00:00Z"
    )
    response = api.patch(
        f"{M}/webhook_endpoints/{endpoint_id}",
        {"enabled": True, "event_types": ["connection.deleted"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["enabled"] is True and body["disabled_at"] is None
    assert body["consecutive_failures"] == 0 and body["event_types"] == ["connection.deleted"]
    assert api.delete(f"{M}/webhook_endpoints/{endpoint_id}").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    missing = api.get(f"{M}/webhook_endpoints/{endpoint_id}")
    assert missing.status_code == 404 and error(missing)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://h.example.com/"}, "url"),
        ({"url": "https://h.example.com/", "event_types": ["record.exploded"]}, "event_types"),
        ({"url": "https://h.example.com/", "event_types": "sync.complete"}, "event_types"),
        ({"url": "https://h.example.com/", "customer_id": "nobody"}, "customer_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, body, named):
    response = api.post(f"{M}/webhook_endpoints", body)
    assert response.status_code == 400, response.content
    assert error(response)["detail"].startswith(named)
    assert not WebhookEndpoint.objects.exists()


def test_update_with_bad_input_names_the_field(api):
    endpoint_id = api.post(f"{M}/webhook_endpoints", {"url": "https://h.example.com/"}).json()["id"]
    response = api.patch(f"{M}/webhook_endpoints/{endpoint_id}", {"enabled": "perhaps"})
    assert response.status_code == 400 and error(response)["detail"].startswith("enabled")


def test_private_url_refused_unless_allowed(api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    response = api.post(f"{M}/webhook_endpoints", {"url": "http://127.0.0.1:8000/hook"})
    assert response.status_code == 400
    assert error(response)["detail"].startswith("url") and "private" in error(response)["detail"]
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    response = api.post(f"{M}/webhook_endpoints", {"url": "http://127.0.0.1:8000/hook"})
    assert response.status_code == 201


def test_customer_scoped_keys_are_refused(api, conn_a):
    scoped = Api(api_key_create(name="a", customer=conn_a.customer)[1])
    assert scoped.get(f"{M}/webhook_endpoints").status_code == 403
    assert (
        scoped.post(f"{M}/webhook_endpoints", {"url": "https://h.example.com/"}).status_code == 403
    )
    assert scoped.get(f"{M}/webhook_deliveries").status_code == 403


def test_deliveries_list_and_resend(api, inline_queue, django_capture_on_commit_callbacks):
    with Listener(status=500) as failing:
        created = api.post(f"{M}/webhook_endpoints", {"url": failing.url}).json()
        (delivery,) = webhook_event_emit(event_type="connection.created", data={"id": "7"})
        delivery = webhook_delivery_attempt(delivery=delivery)
    listed = api.get(f"{M}/webhook_deliveries", endpoint_id=created["id"])
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert row["id"] == str(delivery.pk) and row["status"] == "pending"
    assert (row["attempts"], row["last_response_code"]) == (1, 500)
    assert row["payload"]["data"] == {"id": "7"}
    assert api.get(f"{M}/webhook_deliveries", status="succeeded").json()["results"] == []
    bad = api.get(f"{M}/webhook_deliveries", status="exploded")
    assert bad.status_code == 400 and error(bad)["detail"].startswith("status")

    with Listener() as working, django_capture_on_commit_callbacks(execute=True):
        WebhookEndpoint.objects.filter(pk=created["id"]).update(url=working.url)
        resent = api.post(f"{M}/webhook_deliveries/{delivery.pk}/_resend")
    assert resent.status_code == 202
    assert len(working.requests) == 1
    _, _, headers, body = working.requests[0]
    event = Webhook(created["secret"]).verify(body, {k.lower(): v for k, v in headers.items()})
    assert event["type"] == "connection.created"
    assert headers["webhook-id"] == delivery.msg_id  # the same message, for deduplication
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 1
    assert api.post(f"{M}/webhook_deliveries/999999/_resend").status_code == 404
    assert api.post(f"{M}/webhook_deliveries/abc/_resend").status_code == 404
