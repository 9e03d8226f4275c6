"""Minimal WSGI request/response helpers (the sandbox has no web framework: fewer
layers between a socket and a pre-rendered JSON body keeps it fast)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

REASONS = {
    200: "OK", 204: "No Content", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
    403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 422: "Unprocessable Entity",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable",
}  # fmt: skip


@dataclass
class Response:
    status: int
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def wsgi_headers(self) -> list[tuple[str, str]]:
        headers = dict(self.headers)
        if self.status != 204 and self.body is not None:
            headers.setdefault("Content-Type", self.content_type)
        if isinstance(self.body, bytes):
            headers["Content-Length"] = str(len(self.body))
        return list(headers.items())

    @property
    def status_line(self) -> str:
        return f"{self.status} {REASONS.get(self.status, 'Unknown')}"


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, orjson.dumps(payload), headers or {})


class HttpError(Exception):
    """Raised anywhere in a handler to answer with `payload` as JSON."""

    def __init__(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, payload)
        self.response = json_response(status, payload, headers)


def not_found() -> HttpError:
    return HttpError(404, {"error": "Not Found"})


def unprocessable(errors: dict[str, list[str]]) -> HttpError:
    return HttpError(422, {"errors": errors})


class Request:
    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method = environ["REQUEST_METHOD"].upper()
        self.path = environ.get("PATH_INFO", "") or "/"
        self.query: list[tuple[str, str]] = parse_qsl(
            environ.get("QUERY_STRING", ""), keep_blank_values=True
        )
        self._body: bytes | None = None

    def header(self, name: str) -> str:
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"), "")

    def arg(self, name: str) -> str | None:
        """Last value of a query parameter, accepting `name` and `name[]`."""
        value = None
        for key, item in self.query:
            if key in (name, name + "[]"):
                value = item
        return value

    @property
    def body(self) -> bytes:
        if self._body is None:
            length = int(self.environ.get("CONTENT_LENGTH") or 0)
            self._body = self.environ["wsgi.input"].read(length) if length else b""
        return self._body

    def data(self) -> dict[str, Any]:
        """The body as a dict, from JSON or from a form (Rails-style `a[]`/`a[b]` keys)."""
        if not self.body.strip():
            return {}
        if "json" in self.environ.get("CONTENT_TYPE", "") or self.body.lstrip()[:1] in (b"{", b"["):
            try:
                parsed = orjson.loads(self.body)
            except orjson.JSONDecodeError as exc:
                raise HttpError(400, {"status": 400, "error": "Malformed JSON body"}) from exc
            if not isinstance(parsed, dict):
                raise HttpError(400, {"status": 400, "error": "JSON body must be an object"})
            return parsed
        return form_to_dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def basic_auth(self) -> tuple[str, str] | None:
        header = self.header("Authorization")
        if not header.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user, password

    def bearer(self) -> str | None:
        header = self.header("Authorization").strip()
        if header[:7].lower() != "bearer " or not header[7:].strip():
            return None
        return header[7:].strip()


def form_to_dict(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`tags[]=a&tags[]=b&custom_fields[Segment]=SMB` → {"tags": [...], "custom_fields": {...}}."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key.endswith("[]"):
            result.setdefault(key[:-2], []).append(value)
        elif key.endswith("]") and "[" in key:
            outer, _, inner = key[:-1].partition("[")
            result.setdefault(outer, {})[inner] = value
        else:
            result[key] = value
    return result
