"""Standard Webhooks signatures, made with the `standardwebhooks` package (the spec's own
reference library), so any Standard Webhooks or Svix verifier accepts them."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def webhook_secret_generate() -> str:
    """A new signing secret: `whsec_` and 32 random bytes in base64, as Svix issues them."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_headers(*, secret: str, msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256 of
    "{id}.{timestamp}.{body}">`) for `body`, the exact bytes sent."""
    signature = Webhook(secret).sign(msg_id, timestamp, body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
