"""Providers (the developer's OAuth apps), customers, and their connections."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from connectors.fields import EncryptedTextField
from connectors.registry import PROVIDERS, provider_label


def provider_name_validator(value: str) -> None:
    """A provider row names an installed provider package (settings.GLUE_PROVIDERS)."""
    if value not in PROVIDERS:
        known = ", ".join(sorted(PROVIDERS))
        raise ValidationError(f"{value!r} is not an installed provider (installed: {known}).")


class AuthType(models.TextChoices):
    OAUTH2 = "oauth2", "OAuth 2.0"
    API_KEY = "api_key", "API key"


class Provider(models.Model):
    """The developer's app at a provider. One row per provider name."""

    name = models.CharField(max_length=50, unique=True, validators=[provider_name_validator])
    category = models.CharField(max_length=50, default="engagement", editable=False)
    auth_type = models.CharField(max_length=20, choices=AuthType.choices, default=AuthType.OAUTH2)
    client_id = models.CharField("Application ID", max_length=255, blank=True)
    client_secret = EncryptedTextField("Secret", blank=True)
    scopes = models.CharField(
        max_length=1000, blank=True, help_text="Space-separated OAuth scopes; blank for the app's."
    )
    authorize_url = models.URLField(max_length=500)
    token_url = models.URLField(max_length=500)
    api_base_url = models.URLField("API base URL", max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return provider_label(self.name)

    @property
    def has_client_secret(self) -> bool:
        return bool(self.client_secret)


customer_id_validator = RegexValidator(
    r"^[^\s/]+$", "Use letters, digits and punctuation, without spaces or slashes."
)


class Customer(models.Model):
    """One of the developer's own customers, known by the developer's id for it."""

    customer_id = models.CharField(
        "customer ID", max_length=255, unique=True, validators=[customer_id_validator]
    )
    name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer_id"]

    def __str__(self) -> str:
        return self.customer_id


class Connection(models.Model):
    """A customer's authorised link to a provider. Credentials are encrypted at rest and
    leave the model only for the provider's HTTP client."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        NEEDS_REAUTH = "needs_reauth", "Needs re-authorisation"
        REVOKED = "revoked", "Revoked"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="connections")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="connections")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=500, blank=True)
    auth_type = models.CharField(max_length=20, choices=AuthType.choices, default=AuthType.OAUTH2)
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    api_key = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=1000, blank=True)
    # The provider's account (a team): connections of one account share its rate budget.
    remote_account_id = models.CharField(max_length=255, blank=True)
    # The provider user who approved (or whose API key this is): reconnecting as another
    # account is refused unless the connect session allows replacing it.
    remote_user_id = models.CharField(max_length=255, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker now spending the refresh token (connectors/services/tokens.py):
    # set by a compare-and-swap before the token call, cleared when the new tokens are stored.
    refresh_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer__customer_id", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "provider"], name="one_connection_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.provider}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class MagicLink(models.Model):
    """A single-use, expiring link that lands a customer on a page with a Connect button.

    The token is the link's only secret; it lets its holder connect an account to this
    customer once, so it is random (256 bits), expires, and is spent on use.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        OPENED = "opened", "Opened"
        USED = "used", "Used"

    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="magic_links")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="magic_links")
    return_url = models.URLField(max_length=2000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.provider} · {self.status}"

    @property
    def url(self) -> str:
        return f"{settings.PUBLIC_URL}/links/{self.token}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class ConnectSession(models.Model):
    """A server-issued permission to run one connect flow for one customer and provider.

    Only the developer's backend (an API key), the admin or a magic link can issue one; its
    token is the only way into `/oauth/connect` (unless `CONNECT_ALLOW_UNSIGNED`). The token
    is stored hashed. The first browser that opens it is bound to it by a cookie (its hash is
    kept in `browser_hash`), so a link forwarded after it was opened is useless; `used_at`
    marks a session whose flow stored a connection. `replace` allows the flow to switch the
    customer's connection to another provider account.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="connect_sessions"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    return_url = models.URLField(max_length=2000)
    scopes = models.CharField(max_length=1000, blank=True)
    replace = models.BooleanField(default=False)
    origin = models.CharField(max_length=200, blank=True, help_text="Who issued it.")
    magic_link = models.ForeignKey(
        MagicLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    browser_hash = models.CharField(max_length=64, blank=True, editable=False)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.provider} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class OAuthState(models.Model):
    """One trip to the provider's consent page, named by the signed `state` sent there.

    It belongs to a connect session (who is connecting, where they go back, which browser),
    so the callback needs no Django session; `used_at` makes the state single-use.
    """

    nonce = models.CharField(max_length=64, unique=True)
    session = models.ForeignKey(ConnectSession, on_delete=models.CASCADE, related_name="states")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.session_id} · {self.nonce[:6]}…"


class RateWindow(models.Model):
    """The current rate window of one provider account: what is left of its budget and when
    it resets (kept by `connectors.ratelimit.database` when Redis is not configured)."""

    key = models.CharField(max_length=255, unique=True)
    window_end = models.FloatField(default=0)
    remaining = models.IntegerField(default=0)
    limit = models.IntegerField(default=0)
    seen_limit = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key

    def state_fields(self) -> dict:
        return {
            "window_end": self.window_end,
            "remaining": self.remaining,
            "limit": self.limit,
            "seen_limit": self.seen_limit,
        }


def _public_id() -> str:
    return secrets.token_urlsafe(16)


class ConnectionWebhook(models.Model):
    """A connection's real-time link: where its provider posts changes (`callback_url`), the
    random token that proves a delivery is the provider's (Salesloft keys its signature with
    it, so it is kept encrypted, not hashed), the provider's subscription ids, and counters
    the admin shows. `public_id` names the connection in the URL without exposing its pk."""

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="webhook")
    public_id = models.CharField(max_length=64, unique=True, default=_public_id, editable=False)
    callback_token = EncryptedTextField(default=_new_token, editable=False)
    # event type -> the provider's subscription id
    subscriptions = models.JSONField(default=dict, blank=True)
    events_applied = models.PositiveIntegerField(default=0)
    events_ignored_stale = models.PositiveIntegerField(default=0)
    events_rejected = models.PositiveIntegerField(default=0)
    last_event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.connection} · webhooks"

    @property
    def callback_url(self) -> str:
        return f"{settings.PUBLIC_URL}/webhooks/{self.connection.provider.name}/{self.public_id}"


class WebhookEvent(models.Model):
    """One verified delivery, stored before it is answered so a crash loses nothing; the
    worker applies it. `dedupe_key` (the provider's delivery id, or a hash of the event type
    and body) makes a repeated delivery one row: providers retry and duplicate."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        APPLIED = "applied", "Applied"
        IGNORED_STALE = "ignored_stale", "Ignored (stale)"
        REJECTED = "rejected", "Rejected"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="webhook_events"
    )
    event_type = models.CharField(max_length=100)
    dedupe_key = models.CharField(max_length=64)
    body = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    error = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "dedupe_key"], name="one_webhook_event_per_delivery"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} · {self.status}"
