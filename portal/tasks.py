"""Django-Q entry points of the portal. Their dotted paths are stored in the queue and in
schedules: never rename them."""

from __future__ import annotations


def webhook_deliver(delivery_id: int) -> str | None:
    from portal.models import WebhookDelivery
    from portal.webhooks.services import webhook_delivery_attempt

    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return None
    return webhook_delivery_attempt(delivery=delivery).status


def webhooks_deliver_due() -> int:
    from portal.webhooks.services import webhooks_deliver_due

    return webhooks_deliver_due()
