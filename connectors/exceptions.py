"""The few errors a provider call can end in; everything above `connectors` sees only these."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error raised by `connectors`."""


class InvalidInput(ConnectorError):
    """A write the provider cannot take, refused before any call (becomes a 400 naming `field`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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
