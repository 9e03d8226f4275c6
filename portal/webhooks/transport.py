"""The one outbound request of webhooks: where it may go, and how long it may take.

The developer gives the URL, so it must not become a way to reach Glue's own network
(server-side request forgery): every address the host resolves to must be public unless
the operator sets `WEBHOOK_ALLOW_PRIVATE_NETWORKS`. Redirects are not followed (a public
URL could redirect inward), and a slow receiver cannot hold a worker past `TIMEOUT`.

Known gap: the name is resolved here and again by the HTTP client, so a DNS answer that
changes in between (rebinding) is not caught.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings

TIMEOUT = (5, 10)  # seconds: connect, read


class DestinationRefused(Exception):
    """The URL may not be called (scheme, or a private/loopback/link-local address)."""


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    elapsed_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _address_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def destination_check(*, url: str) -> None:
    """Raise `DestinationRefused` unless `url` is http(s) and, unless private networks are
    allowed, every address its host resolves to is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused("Only http and https URLs with a host are allowed.")
    if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationRefused(f"The host {parts.hostname} does not resolve.") from exc
    for info in infos:
        if not _address_public(info[4][0]):
            raise DestinationRefused(
                f"{parts.hostname} resolves to a private address, refused "
                "(WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)."
            )


def webhook_post(*, url: str, body: str, headers: dict[str, str]) -> PostResult:
    """POST `body` as JSON; never raises for the network's failures, which are results."""
    started = time.monotonic()
    try:
        destination_check(url=url)
        response = requests.post(
            url,
            data=body.encode(),
            headers={"content-type": "application/json", **headers},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        response.close()
    except DestinationRefused as exc:
        return PostResult(None, 0, str(exc))
    except requests.RequestException as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return PostResult(None, elapsed, f"{type(exc).__name__}: {exc}"[:500])
    elapsed = int((time.monotonic() - started) * 1000)
    return PostResult(response.status_code, elapsed)
