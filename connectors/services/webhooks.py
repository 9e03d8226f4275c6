"""Real-time changes from providers: a connection's webhook subscriptions and receiving
their deliveries.

A delivery is trusted only when its provider's signature over the exact raw bytes checks
out with the connection's callback token; anything else is refused before a row is written.
A verified delivery is stored (once: deliveries are retried and duplicated) and announced
with `webhook_event_received`; the syncs app applies it in a worker.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from connectors.exceptions import ConnectorError
from connectors.models import Connection, ConnectionWebhook, WebhookEvent
from connectors.registry import PROVIDERS
from connectors.services.clients import connection_client
from connectors.signals import webhook_event_received

logger = logging.getLogger(__name__)


class WebhookRefused(Exception):
    """A delivery that is not provably the provider's (unknown URL, bad signature)."""


def connection_webhook(*, connection: Connection) -> ConnectionWebhook:
    """The connection's webhook row (its callback URL and token), made on first use."""
    webhook, _ = ConnectionWebhook.objects.get_or_create(connection=connection)
    return webhook


def connection_webhooks_subscribe(
    *, connection: Connection, object_names: Iterable[str] | None = None
) -> ConnectionWebhook:
    """Subscribe the connection's callback URL to every event type its provider posts (for
    `object_names` only, when given), skipping those already subscribed; the subscription
    ids are recorded as each is made, so a failure halfway loses none."""
    spec = PROVIDERS[connection.provider.name]
    webhook = connection_webhook(connection=connection)
    wanted = set(object_names) if object_names is not None else None
    client = None
    for event_type, (object_name, _kind) in spec.webhook_events.items():
        if event_type in webhook.subscriptions or (
            wanted is not None and object_name not in wanted
        ):
            continue
        client = client or connection_client(connection=connection)
        subscription_id = client.webhook_subscribe(
            webhook.callback_url, webhook.callback_token, event_type
        )
        webhook.subscriptions[event_type] = subscription_id
        webhook.save(update_fields=["subscriptions"])
    return webhook


def connection_webhooks_unsubscribe(*, connection: Connection) -> int:
    """Delete the connection's subscriptions at the provider (best effort: one that fails is
    logged and kept, so a later call can retry it); returns how many were deleted."""
    webhook = ConnectionWebhook.objects.filter(connection=connection).first()
    if webhook is None or not webhook.subscriptions:
        return 0
    client = connection_client(connection=connection)
    deleted = 0
    for event_type, subscription_id in list(webhook.subscriptions.items()):
        try:
            client.webhook_unsubscribe(subscription_id)
        except ConnectorError as exc:
            logger.warning("Could not unsubscribe %s from %s: %s", connection.pk, event_type, exc)
            continue
        del webhook.subscriptions[event_type]
        deleted += 1
    webhook.save(update_fields=["subscriptions"])
    return deleted


def _dedupe_key(*, event_type: str, delivery_id: str, body: bytes) -> str:
    if delivery_id:
        return hashlib.sha256(f"id\0{delivery_id}".encode()).hexdigest()
    return hashlib.sha256(event_type.encode() + b"\0" + body).hexdigest()


def webhook_event_receive(
    *, provider_name: str, public_id: str, body: bytes, headers: Mapping[str, str]
) -> tuple[WebhookEvent, bool]:
    """Verify and store one delivery; returns (the event, True if new). A duplicate returns
    the stored event and announces nothing. Raises WebhookRefused, having written nothing,
    unless the URL names a live connection of that provider and the signature is valid."""
    spec = PROVIDERS.get(provider_name)
    webhook = (
        ConnectionWebhook.objects.select_related("connection__provider", "connection__customer")
        .filter(public_id=public_id, connection__provider__name=provider_name)
        .exclude(connection__status=Connection.Status.REVOKED)
        .first()
    )
    if spec is None or spec.webhook_verify is None or webhook is None:
        raise WebhookRefused("unknown callback URL")
    if not spec.webhook_verify(body, headers, webhook.callback_token):
        raise WebhookRefused("bad signature")
    event_type = spec.webhook_event_type(headers) if spec.webhook_event_type else ""
    delivery_id = spec.webhook_delivery_id(headers) if spec.webhook_delivery_id else ""
    key = _dedupe_key(event_type=event_type, delivery_id=delivery_id, body=body)
    connection = webhook.connection
    now = timezone.now()
    ConnectionWebhook.objects.filter(pk=webhook.pk).update(last_event_at=now)
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                connection=connection,
                event_type=event_type[:100],
                dedupe_key=key,
                body=body.decode("utf-8", errors="replace"),
            )
            webhook_event_received.send(sender=WebhookEvent, event=event)
    except IntegrityError:
        return WebhookEvent.objects.get(connection=connection, dedupe_key=key), False
    return event, True
