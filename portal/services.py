"""API key lifecycle. Keys are random 256-bit tokens, so a plain SHA-256 is the right hash
(a slow password hash would only slow every API call)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from connectors.models import Customer
from portal.models import ApiKey

KEY_PREFIX = "glue_"
PREFIX_LENGTH = 12
# last_used_at is a hint, not an audit log: write it at most once a minute per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    *, name: str, raw_key: str | None = None, customer: Customer | None = None
) -> tuple[ApiKey, str]:
    """Create a key (limited to `customer`'s data when given) and return it with its
    plaintext, which is never available again."""
    raw_key = raw_key or KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name, prefix=raw_key[:PREFIX_LENGTH], hashed_key=_hash(raw_key), customer=customer
    )
    return key, raw_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None."""
    if not raw_key:
        return None
    key = (
        ApiKey.objects.select_related("customer")
        .filter(hashed_key=_hash(raw_key), revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def api_key_revoke(*, key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
