"""Reads of webhook endpoints and their delivery log."""

from __future__ import annotations

from django.db.models import QuerySet

from connectors.exceptions import NotFound
from portal.models import WebhookDelivery, WebhookEndpoint


def _pk(value: str, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(f"No {what} {value!r}.") from None


def webhook_endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("customer").order_by("id")


def webhook_endpoint_get(*, endpoint_id: str) -> WebhookEndpoint:
    endpoint = webhook_endpoint_list().filter(pk=_pk(endpoint_id, "webhook endpoint")).first()
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id!r}.")
    return endpoint


def webhook_delivery_list(
    *, endpoint_id: str | None = None, status: str | None = None, event_type: str | None = None
) -> QuerySet[WebhookDelivery]:
    """Newest first."""
    deliveries = WebhookDelivery.objects.order_by("-id")
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=_pk(endpoint_id, "webhook endpoint"))
    if status:
        deliveries = deliveries.filter(status=status.lower())
    if event_type:
        deliveries = deliveries.filter(event_type=event_type)
    return deliveries


def webhook_delivery_get(*, delivery_id: str) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.filter(pk=_pk(delivery_id, "webhook delivery")).first()
    if delivery is None:
        raise NotFound(f"No webhook delivery {delivery_id!r}.")
    return delivery
