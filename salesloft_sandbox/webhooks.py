"""Salesloft's webhooks, per team: `/v2/webhook_subscriptions` and signed deliveries of
every change (docs/salesloft-api.md §15).

What Salesloft documents (found with the search tool, developers.salesloft.com):
- docs/platform/webhooks/introduction: subscriptions are made on behalf of a team with an
  OAuth token or API key; "A failing webhook is retried three additional times, spaced 15
  seconds apart, before being marked as failed."
- docs/platform/webhooks/delivery-headers: a delivery is an HTTP POST with
  `x-salesloft-event` (the event type) and `x-salesloft-signature`, "the HMAC hex digest of
  the [request] body ... generated using the sha1 hash function and the callback_token as
  the HMAC key". So: hex(HMAC-SHA1(key=callback_token, msg=raw body)), no timestamp.
- docs/platform/webhooks/event-types: the event types and the scope each needs
  (account_* → accounts:read, cadence_* and cadence_membership_* → cadences:read, …).
Not verified (our choices): the subscription record's exact fields beyond callback_url,
callback_token, event_type and enabled; the `{"data": …}` envelope of these endpoints; the
delivery timeout; what counts as "failed" (we say: no 2xx within the timeout).

Every change reaches us through `Store.save`/`Store.delete` (its `on_change` hook), so API
writes, `/_sandbox/mutate` and cascades (a deleted account detaching its people) all
deliver. Deliveries leave from one background thread per team, never from the request.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import http.client
import itertools
import logging
import random
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from .http import HttpError, Request, Response, json_response, not_found, unprocessable
from .resources import RESOURCES, Resource
from .store import Store

log = logging.getLogger(__name__)

# resource name → (event prefix, the actions Salesloft has an event type for)
_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accounts": ("account", ("created", "updated", "deleted")),
    "people": ("person", ("created", "updated", "deleted")),
    "cadences": ("cadence", ("created", "updated", "deleted")),
    "cadence_memberships": ("cadence_membership", ("created", "updated")),
    "activities/emails": ("email", ("updated",)),
    "users": ("user", ("created", "updated")),
}
# event type → the resource whose read scope subscribing needs
EVENT_RESOURCES: dict[str, str] = {
    f"{prefix}_{action}": name for name, (prefix, actions) in _EVENTS.items() for action in actions
}
RETRIES = 3  # "retried three additional times"
_META_KEY = "webhook_subscriptions"


def signature(token: str, body: bytes) -> str:
    """x-salesloft-signature: hex HMAC-SHA1 of the raw body keyed with the callback_token."""
    return hmac.new(token.encode(), body, hashlib.sha1).hexdigest()


@dataclass
class WebhookFaultSettings:
    webhook_drop: float = 0.0
    webhook_duplicate: float = 0.0
    webhook_reorder: float = 0.0
    next_webhook_drop: int = 0
    next_webhook_duplicate: int = 0
    next_webhook_reorder: int = 0
    webhook_delay_ms: int = 0  # every delivery waits this long first
    webhook_reorder_ms: int = 500  # how long a reordered delivery is held back


class WebhookFaults:
    """Like faults.Faults: a probability and a "next N" counter per kind, seeded."""

    KINDS = ("drop", "duplicate", "reorder")

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.settings = WebhookFaultSettings()
            self._rng = random.Random(self._seed)

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            for key, value in changes.items():
                if not hasattr(self.settings, key):
                    raise KeyError(key)
                setattr(self.settings, key, type(getattr(self.settings, key))(value))
            return asdict(self.settings)

    def current(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self.settings)

    def draw(self) -> tuple[set[str], float, float]:
        """The kinds that fire for one delivery, its delay and the reorder hold (seconds)."""
        with self._lock:
            s, fired = self.settings, set()
            for kind in self.KINDS:
                counter = f"next_webhook_{kind}"
                if getattr(s, counter) > 0:
                    setattr(s, counter, getattr(s, counter) - 1)
                    fired.add(kind)
                elif (rate := getattr(s, f"webhook_{kind}")) and self._rng.random() < rate:
                    fired.add(kind)
            return fired, s.webhook_delay_ms / 1000, s.webhook_reorder_ms / 1000


@dataclass
class Delivery:
    subscription_id: int
    url: str
    token: str
    event_type: str
    body: bytes
    attempt: int = 0  # 0 is the first try, then up to RETRIES retries


class Webhooks:
    """One team's subscriptions (kept in its store's meta table) and delivery queue."""

    def __init__(
        self, store: Store, seed: int, retry_seconds: float = 15.0, timeout: float = 10.0
    ) -> None:
        self.store, self.retry_seconds, self.timeout = store, retry_seconds, timeout
        self.faults = WebhookFaults(seed)
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, Delivery]] = []
        self._seq = itertools.count()
        self._busy = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.counters = dict.fromkeys(
            ("delivered", "failed_attempts", "retried", "gave_up", "dropped", "duplicated"), 0
        )
        text = store.meta(_META_KEY)
        self._subs: list[dict[str, Any]] = orjson.loads(text) if text else []
        self._hook()

    # -- subscriptions (/v2/webhook_subscriptions) --------------------------------
    def handle(self, request: Request, scopes: frozenset[str], record_id: str | None) -> Response:
        method = request.method
        if record_id is None and method == "GET":
            visible = [s for s in self._subs if _scope(s["event_type"]) in scopes]
            return json_response(200, {"data": visible})
        if record_id is None and method == "POST":
            return json_response(200, {"data": self._create(request.data(), scopes)})
        if record_id is None:
            raise not_found()
        sub = next((s for s in self._subs if str(s["id"]) == record_id), None)
        if sub is None:
            raise not_found()
        _require(scopes, _scope(sub["event_type"]))
        if method == "GET":
            return json_response(200, {"data": sub})
        if method == "PUT":
            enabled = request.data().get("enabled")
            if not isinstance(enabled, bool):
                raise unprocessable({"enabled": ["must be true or false"]})
            with self.store.write_lock:
                sub["enabled"] = enabled
                self._save()
            return json_response(200, {"data": sub})
        if method == "DELETE":
            with self.store.write_lock:
                self._subs = [s for s in self._subs if s is not sub]
                self._save()
            return Response(204, b"", {}, "")
        raise not_found()

    def _create(self, body: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        url, token = body.get("callback_url"), body.get("callback_token")
        event_type, enabled = body.get("event_type"), body.get("enabled", True)
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            errors["callback_url"] = ["must be an http(s) URL"]
        if not isinstance(token, str) or not token:
            errors["callback_token"] = ["can't be blank"]
        if event_type not in EVENT_RESOURCES:
            errors["event_type"] = [f"must be one of {', '.join(sorted(EVENT_RESOURCES))}"]
        if not isinstance(enabled, bool):
            errors["enabled"] = ["must be true or false"]
        if errors:
            raise unprocessable(errors)
        _require(scopes, _scope(event_type))
        with self.store.write_lock:
            sub = {
                "id": max((s["id"] for s in self._subs), default=0) + 1,
                "callback_url": url,
                "callback_token": token,
                "event_type": event_type,
                "enabled": enabled,
            }
            self._subs.append(sub)
            self._save()
        return sub

    def _save(self) -> None:
        self.store.set_meta(_META_KEY, orjson.dumps(self._subs).decode())
        self._hook()

    def _hook(self) -> None:
        """Listen to the store only while a subscription exists: the hook costs each
        write one primary-key lookup (was the record there before?)."""
        self.store.on_change = self.changed if self._subs else None

    # -- deliveries ---------------------------------------------------------------
    def changed(self, resource: Resource, action: str, body: str) -> None:
        """Store hook (called under its write lock): queue a delivery per matching
        enabled subscription. Cheap: never does I/O."""
        prefix, actions = _EVENTS.get(resource.name, ("", ()))
        if action not in actions:
            return
        event_type = f"{prefix}_{action}"
        subs = [s for s in self._subs if s["enabled"] and s["event_type"] == event_type]
        if not subs:
            return
        raw = body.encode()
        with self._cond:
            for sub in subs:
                fired, delay, hold = self.faults.draw()
                if "drop" in fired:
                    self.counters["dropped"] += 1
                    continue
                due = time.monotonic() + delay + (hold if "reorder" in fired else 0)
                copies = 2 if "duplicate" in fired else 1
                self.counters["duplicated"] += copies - 1
                for _ in range(copies):
                    delivery = Delivery(
                        sub["id"], sub["callback_url"], sub["callback_token"], event_type, raw
                    )
                    heapq.heappush(self._queue, (due, next(self._seq), delivery))
            self._start()
            self._cond.notify_all()

    def _start(self) -> None:
        if self._thread is None and not self._stopping:
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    now = time.monotonic()
                    if self._queue and self._queue[0][0] <= now:
                        break
                    self._cond.wait(self._queue[0][0] - now if self._queue else None)
                if self._stopping:
                    return
                _, _, delivery = heapq.heappop(self._queue)
                self._busy += 1
            ok = self._send(delivery)
            with self._cond:
                self._busy -= 1
                if ok:
                    self.counters["delivered"] += 1
                else:
                    self.counters["failed_attempts"] += 1
                    if delivery.attempt < RETRIES:
                        delivery.attempt += 1
                        self.counters["retried"] += 1
                        due = time.monotonic() + self.retry_seconds
                        heapq.heappush(self._queue, (due, next(self._seq), delivery))
                    else:
                        self.counters["gave_up"] += 1
                self._cond.notify_all()

    def _send(self, delivery: Delivery) -> bool:
        """One POST; True on a 2xx. Redirects are not followed (http.client)."""
        parts = urlsplit(delivery.url)
        https = parts.scheme == "https"
        kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Salesloft-Webhooks (sandbox)",
            "x-salesloft-event": delivery.event_type,
            "x-salesloft-signature": signature(delivery.token, delivery.body),
        }
        conn = kind(parts.hostname, parts.port, timeout=self.timeout)
        try:
            conn.request("POST", path, body=delivery.body, headers=headers)
            status = conn.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            log.info("webhook %s to %s failed: %s", delivery.event_type, delivery.url, exc)
            return False
        finally:
            conn.close()
        return 200 <= status < 300

    # -- control ------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        with self._cond:
            return {"pending": len(self._queue) + self._busy, **self.counters}

    def wait_idle(self, timeout: float) -> dict[str, Any]:
        """Block until nothing is queued or being sent (or `timeout` passes)."""
        with self._cond:
            self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)
        return self.status()

    def reset(self) -> None:
        """Forget queued deliveries and counters (subscriptions stay)."""
        with self._cond:
            self._queue.clear()
            for key in self.counters:
                self.counters[key] = 0
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()


def _scope(event_type: str) -> str:
    return f"{RESOURCES[EVENT_RESOURCES[event_type]].scope}:read"


def _require(scopes: frozenset[str], scope: str) -> None:
    if scope not in scopes:
        raise HttpError(403, {"error": f"Missing required scope: {scope}"})
