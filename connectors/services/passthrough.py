"""Passthrough: any call of the provider's API, sent with a connection's credentials but
kept to the provider's API base."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from connectors.exceptions import InvalidInput
from connectors.models import Connection, Provider
from connectors.ratelimit import Priority
from connectors.services.clients import connection_client


@dataclass
class PassthroughResponse:
    url: str
    status: int
    headers: dict[str, str]
    body: Any


# Headers a caller may not set: Glue sets the credentials and the target host itself.
_FORBIDDEN_HEADERS = frozenset(
    {"host", "authorization", "proxy-authorization", "cookie", "forwarded", "x-forwarded-host"}
)
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length", "trailer"}
)
_NOT_RETURNED = frozenset({"set-cookie", "content-encoding"})
_ALLOWED_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
# RFC 9110 §5.6.2: a field name is a token. Anything else is refused before sending.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def passthrough_path(*, provider: Provider, path: str) -> str:
    """`path` checked to stay under the provider's API base; returned relative to it.

    Refused (`InvalidInput` on `path`): absolute or scheme-relative URLs, backslashes,
    `.`/`..` segments (also percent-encoded), a query or fragment in the path, control
    characters. A path repeating the base's own prefix (`/v2/people` with a base ending in
    `/v2`) is accepted, as Supaglue clients send it.
    """
    if not isinstance(path, str) or not path.strip():
        raise InvalidInput("path", "is required")
    decoded = path
    for _ in range(3):  # undo nested percent-encoding before looking for tricks
        decoded = unquote(decoded)
    if any(ord(ch) < 32 or ch == "\\" for ch in decoded):
        raise InvalidInput("path", "must not contain backslashes or control characters")
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or path.lstrip().startswith("//") or "://" in decoded:
        raise InvalidInput("path", "must be a path relative to the provider's API, not a URL")
    if "?" in path or "#" in path:
        raise InvalidInput("path", "must not carry a query or fragment; use `query`")
    segments = decoded.strip("/").split("/")
    if any(segment in (".", "..") for segment in segments):
        raise InvalidInput("path", "must not contain '.' or '..' segments")
    base_path = urlsplit(provider.api_base_url).path.rstrip("/")
    relative = "/" + path.strip("/")
    if base_path and (relative == base_path or relative.startswith(base_path + "/")):
        relative = relative[len(base_path) :] or "/"
    return relative


def passthrough_request(
    *,
    connection: Connection,
    method: str,
    path: str,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
) -> PassthroughResponse:
    """Send any call of the provider's API with the connection's credentials, refresh and
    rate budget (interactive priority); the provider's status, headers and body as sent.

    Only the provider's API base is ever reached (see `passthrough_path`); `Host`,
    credential and forwarding headers are refused.
    """
    method = (method or "").upper()
    if method not in _ALLOWED_METHODS:
        raise InvalidInput("method", f"must be one of {', '.join(sorted(_ALLOWED_METHODS))}")
    relative = passthrough_path(provider=connection.provider, path=path)
    clean_headers: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise InvalidInput(f"headers.{name!r}", "is not a valid header name")
        lower = str(name).lower()
        if lower in _FORBIDDEN_HEADERS or lower.startswith(("x-forwarded-", "proxy-")):
            raise InvalidInput(f"headers.{name}", "is set by Glue and cannot be passed through")
        if lower in _HOP_BY_HOP:
            continue
        if not isinstance(value, str) or any(ord(ch) < 32 for ch in value):
            raise InvalidInput(f"headers.{name}", "must be a single-line string")
        clean_headers[str(name)] = value
    if query is not None and not isinstance(query, Mapping):
        raise InvalidInput("query", "must be an object")
    client = connection_client(connection=connection, priority=Priority.INTERACTIVE)
    expected_host = urlsplit(connection.provider.api_base_url).netloc
    if urlsplit(client.url(relative)).netloc != expected_host:  # belt and braces
        raise InvalidInput("path", "must stay on the provider's API host")
    response = client.send(
        method,
        relative,
        params=dict(query or {}),
        json=body,
        headers=clean_headers,
        priority=Priority.INTERACTIVE,
        raise_errors=False,
    )
    # The body is re-encoded by Glue's response, and the provider's cookies are for Glue's
    # session with it, not for the caller: neither kind of header is passed back.
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in _HOP_BY_HOP | _NOT_RETURNED
    }
    return PassthroughResponse(
        url=response.url, status=response.status, headers=headers, body=response.body
    )
