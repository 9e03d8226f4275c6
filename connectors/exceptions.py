"""The domain errors: what a provider call can end in, and what a service or selector
refuses. Everything above `connectors` sees only these (and Django's `ValidationError` for a
model that fails its checks); `portal.api.errors` is the one place that turns them into
HTTP statuses, so no service or selector names one."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error raised by `connectors`."""


class NotFound(ConnectorError, LookupError):
    """A lookup by the caller's names (a customer id, a provider name) found nothing; the
    message says what is missing (a 404 in the API)."""


class Conflict(ConnectorError):
    """The change clashes with what exists (a duplicate, a row still in use); the message
    says how to resolve it (a 409 in the API)."""


class InvalidInput(ConnectorError):
    """Input a service cannot take, refused before any write or provider call (a 400 naming
    `field`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Unsupported(ConnectorError):
    """The provider's API cannot do this at all (a write it has no endpoint for); the message
    says why (a 400 in the API, as Supaglue answered such calls)."""


class ProviderError(ConnectorError):
    """The provider answered with an error; `status` and `body` are what it sent, `url` where
    it was sent (so the API echoes a body only when it came from the provider's real host)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: object = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.url = url


class AuthRevoked(ProviderError):
    """The connection's credentials no longer work: the customer must reconnect."""


class RateLimited(ProviderError):
    """The provider's rate budget is spent; `retry_after` seconds until the window resets."""

    def __init__(self, message: str, *, retry_after: float = 60.0, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """5xx, timeouts or dropped connections that outlasted every retry."""
