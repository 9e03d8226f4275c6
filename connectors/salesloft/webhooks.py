"""Salesloft's webhooks: which events it posts, how a delivery is signed, and its
subscriptions (`/v2/webhook_subscriptions`).

Signature, per Salesloft's docs (developers.salesloft.com, Webhooks → Delivery Headers):
`x-salesloft-signature` is "the HMAC hex digest of the response body ... generated using the
sha1 hash function and the callback_token as the HMAC key". So the key is the subscription's
callback token (not the app's client secret), the algorithm HMAC-SHA1, and it covers the raw
body bytes. Deliveries carry no id and no timestamp: the receiver deduplicates by content.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from connectors.base import ChangeKind
from connectors.exceptions import ProviderError
from connectors.salesloft.transport import Transport

EVENT_HEADER = "x-salesloft-event"
SIGNATURE_HEADER = "x-salesloft-signature"

EVENTS: dict[str, tuple[str, ChangeKind]] = {
    "account_created": ("accounts", "upsert"),
    "account_updated": ("accounts", "upsert"),
    "account_deleted": ("accounts", "delete"),
    "person_created": ("contacts", "upsert"),
    "person_updated": ("contacts", "upsert"),
    "person_deleted": ("contacts", "delete"),
    "cadence_created": ("sequences", "upsert"),
    "cadence_updated": ("sequences", "upsert"),
    "cadence_deleted": ("sequences", "delete"),
    "cadence_membership_created": ("sequence_states", "upsert"),
    "cadence_membership_updated": ("sequence_states", "upsert"),
    "email_updated": ("emails", "upsert"),
    "user_created": ("users", "upsert"),
    "user_updated": ("users", "upsert"),
}


def _header(headers: Mapping[str, str], name: str) -> str:
    # Django's request.headers is case-insensitive; a plain dict may not be.
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), "")
    return value or ""


def event_type(headers: Mapping[str, str]) -> str:
    return _header(headers, EVENT_HEADER)


def signature(body: bytes, token: str) -> str:
    return hmac.new(token.encode(), body, hashlib.sha1).hexdigest()


def verify(body: bytes, headers: Mapping[str, str], token: str) -> bool:
    """True when the delivery's signature is the HMAC-SHA1 of its raw body keyed by `token`
    (compared in constant time; an absent header never matches)."""
    given = _header(headers, SIGNATURE_HEADER).strip().lower()
    return bool(given and token) and hmac.compare_digest(given, signature(body, token))


def subscribe(transport: Transport, callback_url: str, token: str, event: str) -> str:
    """One subscription; returns its id."""
    answer = transport.send(
        "POST",
        "/webhook_subscriptions",
        json={"callback_url": callback_url, "callback_token": token, "event_type": event},
    )
    return str(answer.body["data"]["id"])


def unsubscribe(transport: Transport, subscription_id: str) -> None:
    """Delete one subscription; one already gone (404) is what we wanted."""
    try:
        transport.send("DELETE", f"/webhook_subscriptions/{subscription_id}")
    except ProviderError as exc:
        if getattr(exc, "status", None) != 404:
            raise
