"""Control endpoints under /_sandbox/ (ours, not Salesloft's), guarded by the API key:
stats, mutations, fault injection and ground-truth snapshots, each for one team; and the
sandbox's clock, which all teams share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import orjson

from .http import HttpError, Request, Response, json_response, not_found
from .mutate import mutate
from .resources import RESOURCES
from .timestamps import render

if TYPE_CHECKING:
    from .app import SandboxApp


class Control:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app

    def handle(self, request: Request) -> Response:
        """Serve one control call for this team (TeamsApp has checked the API key)."""
        route = request.path[len("/_sandbox/") :].rstrip("/")
        method = request.method
        if route == "stats" and method == "GET":
            return json_response(200, self.app.stats.as_dict())
        if route == "stats/reset" and method == "POST":
            self.app.stats.reset()
            return json_response(200, self.app.stats.as_dict())
        if route == "mutate" and method == "POST":
            return json_response(200, mutate(self.app, request.data()))
        if route == "faults" and method == "GET":
            return json_response(
                200, {**self.app.faults.current(), **self.app.webhooks.faults.current()}
            )
        if route == "faults" and method == "POST":
            return json_response(200, self._faults(request.data()))
        if route == "webhooks" and method == "GET":
            return json_response(200, self.app.webhooks.status())
        if route == "webhooks/wait" and method == "POST":
            return json_response(200, self._webhooks_wait(request.data()))
        if route == "webhooks/reset" and method == "POST":
            self.app.webhooks.reset()
            return json_response(200, self.app.webhooks.status())
        if route == "clock" and method in ("GET", "POST"):
            return json_response(200, self._clock(request.data() if method == "POST" else {}))
        if route.startswith("snapshot/") and method == "GET":
            return self._snapshot(route[len("snapshot/") :], request.arg("format") or "jsonl")
        raise not_found()

    def _faults(self, body: dict) -> dict:
        body = dict(body)
        result: dict = {}
        if body.pop("reset", False):
            self.app.faults.reset()
            self.app.webhooks.faults.reset()
            self.app.limiter.force(0)
        if "force_429" in body:
            self.app.limiter.force(int(body.pop("force_429")))
        if body.pop("expire_tokens", False):
            result["expired_tokens"] = self.app.oauth.expire_all()
        # webhook_* and next_webhook_* settings are the deliveries' (webhooks.py)
        hooks = {k: body.pop(k) for k in list(body) if "webhook_" in k}
        try:
            result.update(self.app.faults.update(body))
            result.update(self.app.webhooks.faults.update(hooks))
        except KeyError as exc:
            raise HttpError(400, {"status": 400, "error": f"unknown fault setting {exc}"}) from exc
        return result

    def _webhooks_wait(self, body: dict) -> dict:
        """Block until the team's delivery queue is empty (at most `timeout` s, default
        10), then answer the delivery counters: tests wait here instead of sleeping."""
        try:
            timeout = float(body.get("timeout", 10))
        except (TypeError, ValueError) as exc:
            raise HttpError(400, {"status": 400, "error": f"timeout: {exc}"}) from exc
        return self.app.webhooks.wait_idle(min(max(timeout, 0.0), 300.0))

    def _clock(self, body: dict) -> dict:
        """`{"advance": seconds}` moves the sandbox's time forward (tokens expire, the rate
        window turns, writes are stamped later); either way, answers the time it is now."""
        wall = self.app.wall
        if "advance" in body:
            try:
                wall.advance(float(body["advance"]))
            except (TypeError, ValueError) as exc:
                raise HttpError(400, {"status": 400, "error": f"advance: {exc}"}) from exc
        return {"now": wall.time(), "offset_seconds": wall.offset}

    def _snapshot(self, name: str, fmt: str) -> Response:
        """Every id with its updated_at, streamed (JSON lines by default, `?format=json`
        for one array) so even a million records never sit in memory."""
        resource = RESOURCES.get(name)
        if resource is None:
            raise not_found()
        rows = self.app.store.snapshot(resource)

        def lines() -> Iterator[bytes]:
            for record_id, updated in rows:
                yield orjson.dumps(
                    {"id": record_id, "updated_at": render(updated), "updated_at_us": updated}
                )

        if fmt == "json":

            def array() -> Iterator[bytes]:
                yield b"["
                for n, line in enumerate(lines()):
                    yield (b"," if n else b"") + line
                yield b"]"

            return Response(200, _chunked(array()))
        return Response(200, _chunked(line + b"\n" for line in lines()), {}, "application/x-ndjson")


def _chunked(parts: Iterator[bytes], size: int = 65536) -> Iterator[bytes]:
    """Group small pieces into ~64 KB writes."""
    buffer: list[bytes] = []
    length = 0
    for part in parts:
        buffer.append(part)
        length += len(part)
        if length >= size:
            yield b"".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield b"".join(buffer)
