"""Webhook endpoints, the outbox, and delivery with retries.

An event becomes one `WebhookDelivery` row per matching endpoint, written in the caller's
transaction (so an event exists exactly when its change does); the first attempt is
enqueued on commit, and `webhooks_deliver_due` (every minute) retries the rest on
Standard Webhooks' suggested schedule, with jitter, over about 28 hours.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from connectors.models import Customer
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.signing import webhook_headers, webhook_secret_generate
from portal.webhooks.transport import webhook_post

logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "sync.complete",
    "connection.created",
    "connection.deleted",
    "connection.needs_reauth",
    "record.created",
    "record.updated",
    "record.deleted",
)
RECORD_EVENT_TYPES = ("record.created", "record.updated", "record.deleted")
# Delay before each retry (the first attempt is immediate): the schedule the Standard
# Webhooks spec suggests; ~27.6 h in all.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2  # ± this share of each delay, so failed deliveries do not retry in lockstep
# This many failed attempts in a row (no success between) disable the endpoint.
DISABLE_AFTER_FAILURES = 20
# An attempt claims its row for this long, so two workers never send it at once.
CLAIM = timedelta(minutes=2)
DELIVER_TASK = "portal.tasks.webhook_deliver"


# --- Endpoints -------------------------------------------------------------------------


def webhook_endpoint_create(
    *,
    url: str,
    event_types: list[str] | None = None,
    customer: Customer | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (returned once; stored encrypted)."""
    secret = webhook_secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        url=url, event_types=list(event_types or []), customer=customer, secret=secret
    )
    return endpoint, secret


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: list[str] | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Update what is given; enabling an endpoint clears its failure record."""
    if url is not None:
        endpoint.url = url
    if event_types is not None:
        endpoint.event_types = list(event_types)
    if enabled is not None:
        endpoint.enabled = enabled
        if enabled:
            endpoint.consecutive_failures, endpoint.disabled_at = 0, None
    endpoint.save()
    if enabled:  # what waited while it was disabled goes out now
        for delivery in WebhookDelivery.objects.filter(
            endpoint=endpoint, status=WebhookDelivery.Status.PENDING, next_attempt_at=None
        ):
            delivery.next_attempt_at = timezone.now()
            delivery.save(update_fields=["next_attempt_at"])
            _enqueue_on_commit(delivery)
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- The outbox ------------------------------------------------------------------------


def webhook_endpoints_want(*, event_types: tuple[str, ...], customer_id: str) -> bool:
    """True when an enabled endpoint of all customers or of `customer_id` takes one of
    `event_types` (an endpoint without a list takes every type)."""
    endpoints = WebhookEndpoint.objects.filter(enabled=True).filter(
        Q(customer__isnull=True) | Q(customer__customer_id=customer_id)
    )
    return any(
        not wanted or set(wanted) & set(event_types)
        for wanted in endpoints.values_list("event_types", flat=True)
    )


def webhook_event_emit(
    *, event_type: str, data: dict[str, Any], customer_id: str | None = None
) -> list[WebhookDelivery]:
    """Queue `event_type` for every enabled endpoint that wants it (all customers', or
    `customer_id`'s). Call inside the transaction of the change."""
    now = timezone.now()
    endpoints = WebhookEndpoint.objects.filter(enabled=True).filter(
        Q(customer__isnull=True) | Q(customer__customer_id=customer_id)
    )
    payload = {"type": event_type, "timestamp": now.isoformat(), "data": data}
    deliveries = [
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            msg_id=f"msg_{secrets.token_hex(12)}",
            event_type=event_type,
            payload=payload,
            next_attempt_at=now,
        )
        for endpoint in endpoints
        if not endpoint.event_types or event_type in endpoint.event_types
    ]
    for delivery in deliveries:
        _enqueue_on_commit(delivery)
    return deliveries


def _enqueue_on_commit(delivery: WebhookDelivery) -> None:
    def enqueue(pk: int = delivery.pk) -> None:
        from django_q.tasks import async_task

        async_task(DELIVER_TASK, pk, group="webhooks")

    transaction.on_commit(enqueue)


# --- Delivery --------------------------------------------------------------------------


def _retry_delay(attempts: int) -> timedelta:
    base = RETRY_DELAYS[attempts - 1]
    return base * (1 + random.uniform(-JITTER, JITTER))  # noqa: S311 (timing, not a secret)


def webhook_delivery_attempt(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a due, pending delivery once and record the outcome: delivered, retried later,
    or failed for good. Anything else (not due, claimed elsewhere) is left as it is."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM)
    if not claimed:
        delivery.refresh_from_db()
        return delivery
    delivery.refresh_from_db()
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        # Kept pending: enabling the endpoint again (or Resend) sends it.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        delivery.refresh_from_db()
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"))
    headers = webhook_headers(
        secret=endpoint.secret, msg_id=delivery.msg_id, timestamp=now, body=body
    )
    result = webhook_post(url=endpoint.url, body=body, headers=headers)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_response_code = result.status_code
    delivery.last_response_ms = result.elapsed_ms
    delivery.last_error = result.error
    if result.ok:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    else:
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = now + _retry_delay(delivery.attempts)
        _endpoint_failed(endpoint=endpoint, now=now)
    delivery.save()
    return delivery


def _endpoint_failed(*, endpoint: WebhookEndpoint, now) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, enabled=True, consecutive_failures__gte=DISABLE_AFTER_FAILURES
    ).update(enabled=False, disabled_at=now)
    if disabled:
        logger.warning("Webhook endpoint %s disabled after repeated failures", endpoint.pk)


def webhooks_deliver_due() -> int:
    """Attempt every pending delivery that is due (retries, and first attempts whose task
    was lost). Returns how many were attempted."""
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=timezone.now(),
        endpoint__enabled=True,
    ).order_by("next_attempt_at")[:500]
    count = 0
    for delivery in due:
        webhook_delivery_attempt(delivery=delivery)
        count += 1
    return count


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same message (same id, so receivers can deduplicate) again, now, with a
    fresh set of attempts."""
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    _enqueue_on_commit(delivery)
    return delivery
