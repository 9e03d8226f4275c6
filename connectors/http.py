"""The one HTTP client every provider call goes through (the only module importing requests).

What it adds to `requests`:

* timeouts on every call (connect, read);
* retries with jittered exponential backoff on 5xx answers, timeouts and dropped
  connections. A non-idempotent call (POST) is retried only when the provider cannot have
  acted on it: the connection was never made, or a gateway answered 502/503/504. A 500 or
  a read timeout on a POST may have created the record, and providers offer no idempotency
  key, so it is not repeated;
* translation of failures into the few errors of `connectors.exceptions`;
* no redirects: a call never leaves the host it was addressed to;
* logging with `Authorization` (and any other credential header) redacted.

Sleeps go through `sleep`, so tests run instantly.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from connectors.exceptions import AuthRevoked, ProviderError, ProviderUnavailable, RateLimited

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Statuses at which the request cannot have been carried out: a gateway refused it.
GATEWAY_STATUSES = frozenset({502, 503, 504})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
REDACTED = "[redacted]"


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """A copy of `headers` that is safe to log."""
    return {
        name: (REDACTED if name.lower() in SECRET_HEADERS else value)
        for name, value in (headers or {}).items()
    }


@dataclass
class HttpResponse:
    """What the provider answered: status, headers (lower-cased names) and parsed body.

    `body` is the decoded JSON when the answer is JSON, else the text ("" when empty).
    """

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None

    @property
    def ok(self) -> bool:
        return self.status < 400


def _parse_body(response: requests.Response) -> Any:
    if not response.content:
        return ""
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            pass
    return response.text


def error_message(body: Any) -> str:
    """The provider's own words from an error body, if it has any."""
    if isinstance(body, Mapping):
        for key in ("error_description", "error", "message"):
            if isinstance(body.get(key), str):
                return body[key]
        if isinstance(body.get("errors"), Mapping):
            return "; ".join(f"{k}: {v}" for k, v in body["errors"].items())
    if isinstance(body, str) and body:
        return body[:200]
    return "no details"


def retry_after_seconds(headers: Mapping[str, str], default: float = 60.0) -> float:
    value = headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else default
    except ValueError:
        return default


def raise_for_status(response: HttpResponse) -> HttpResponse:
    """Turn an error answer into the matching typed error; return `response` otherwise."""
    status, body = response.status, response.body
    if status < 400:
        return response
    url = response.url.split("?")[0]
    message = f"{status} from {url}: {error_message(body)}"
    if status == 401:
        raise AuthRevoked(message, status=status, body=body, url=url)
    if status == 429:
        raise RateLimited(
            message,
            status=status,
            body=body,
            url=url,
            retry_after=retry_after_seconds(response.headers),
        )
    if status >= 500:
        raise ProviderUnavailable(message, status=status, body=body, url=url)
    raise ProviderError(message, status=status, body=body, url=url)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the connection was never made (refused, or the connect timed out), so the
    provider cannot have seen the request: safe to retry even a POST."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.ReadTimeout):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


LOCAL_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
)


class HttpClient:
    """A `requests` session with timeouts, retries and error translation.

    `max_retries` counts retries after the first attempt; the n-th retry waits a random
    time between half and all of `min(backoff_max, backoff_base * 2**n)` ("equal jitter",
    so many workers retrying at once spread out).
    """

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = (5.0, 60.0),
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.sleep = sleep
        self.session = session or requests.Session()

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not a secret)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        raise_errors: bool = True,
        retry: bool = True,
    ) -> HttpResponse:
        """Send one call, retrying transient failures; returns the final answer.

        With `raise_errors` (the default) an error answer raises its typed error; without
        it, answers of any status are returned and only transport failures raise
        (`ProviderUnavailable` once retries are spent). With `retry=False` the call is sent
        once, whatever happens: for calls whose repetition only the caller can judge (an
        OAuth token request spends a single-use code or refresh token).
        """
        method = method.upper()
        idempotent = method in IDEMPOTENT_METHODS
        max_retries = self.max_retries if retry else 0
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                raw = self.session.request(
                    method,
                    url,
                    headers=dict(headers or {}),
                    params=params,
                    json=json,
                    data=data,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
                response = HttpResponse(
                    url=raw.url or url,
                    status=raw.status_code,
                    headers={k.lower(): v for k, v in raw.headers.items()},
                    body=_parse_body(raw),
                )
            except LOCAL_ERRORS as exc:
                # A malformed URL or header can never succeed: no retries, and no blaming
                # the provider for what is a configuration or input error here.
                raise ProviderError(f"{method} {url.split('?')[0]} cannot be sent: {exc}") from exc
            except requests.RequestException as exc:
                retryable = idempotent or _never_sent(exc)
                logger.warning(
                    "%s %s failed (%s) attempt %d headers=%s",
                    method,
                    url,
                    type(exc).__name__,
                    attempt + 1,
                    redact_headers(headers),
                )
                if not retryable or attempt >= max_retries:
                    raise ProviderUnavailable(
                        f"{method} {url.split('?')[0]} failed: {type(exc).__name__}"
                    ) from exc
                self.sleep(self.backoff(attempt))
                attempt += 1
                continue
            elapsed = time.monotonic() - started
            logger.debug(
                "%s %s -> %d (%.0f ms) headers=%s",
                method,
                response.url,
                response.status,
                elapsed * 1000,
                redact_headers(headers),
            )
            retryable = response.status in (RETRY_STATUSES if idempotent else GATEWAY_STATUSES)
            if retryable and attempt < max_retries:
                self.sleep(self.backoff(attempt))
                attempt += 1
                continue
            if raise_errors:
                raise_for_status(response)
            return response


_default: HttpClient | None = None


def default_client() -> HttpClient:
    """The process-wide client (one connection pool)."""
    global _default
    if _default is None:
        _default = HttpClient()
    return _default


__all__ = [
    "AuthRevoked",
    "HttpClient",
    "HttpResponse",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "default_client",
    "raise_for_status",
    "redact_headers",
]
