"""Response bodies built by concatenating pre-rendered JSON (no per-record encoding)."""

from __future__ import annotations

from typing import Any

import orjson


def list_body(metadata: dict[str, Any], bodies: list[str]) -> bytes:
    """`{"metadata": …, "data": [ …stored JSON… ]}`."""
    return b'{"metadata":%s,"data":[%s]}' % (orjson.dumps(metadata), ",".join(bodies).encode())


def data_body(body: str) -> bytes:
    """`{"data": record}` around one stored record."""
    return b'{"data":%s}' % body.encode()
