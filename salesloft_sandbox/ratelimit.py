"""Salesloft's cost-based rate limit (docs/salesloft-api.md §10): a budget per clock minute
per team, with deep pages costing more. Switched off, it still counts and reports each call's cost
but never refuses one, and reports the whole budget as remaining."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# (first page of the band, cost) — pages 1–100 cost 1, 101–150 cost 3, …
PAGE_COSTS = ((501, 30), (251, 10), (151, 8), (101, 3), (1, 1))


def page_cost(page: str | None) -> int:
    try:
        number = int(page) if page is not None else 1
    except ValueError:
        number = 1
    number = max(number, 1)  # a bad page is served as page 1, so it costs like page 1
    return next(cost for first, cost in PAGE_COSTS if number >= first)


@dataclass(frozen=True)
class Charge:
    allowed: bool
    cost: int
    remaining: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-endpoint-cost": str(self.cost),
            "x-ratelimit-remaining-minute": str(self.remaining),
        }


class RateLimiter:
    """A fixed window per calendar minute (the sandbox serves a single team)."""

    def __init__(
        self, per_minute: int, enforce: bool, clock: Callable[[], float] = time.time
    ) -> None:
        self.per_minute = per_minute
        self.enforce = enforce
        self._clock = clock
        self._window = -1
        self._spent = 0
        self._forced = 0
        self._lock = threading.Lock()

    def force(self, count: int) -> None:
        """The next `count` charges answer 429 (a fault injected by tests)."""
        with self._lock:
            self._forced = max(count, 0)

    def charge(self, cost: int, now: float | None = None) -> Charge:
        now = self._clock() if now is None else now
        retry_after = max(1, 60 - int(now) % 60)
        with self._lock:
            window = int(now // 60)
            if window != self._window:
                self._window, self._spent = window, 0
            if self._forced:
                self._forced -= 1
                return Charge(False, cost, max(self.per_minute - self._spent, 0), retry_after)
            if self.enforce and self._spent + cost > self.per_minute:
                return Charge(False, cost, max(self.per_minute - self._spent, 0), retry_after)
            self._spent += cost
            if not self.enforce:
                # Unthrottled (benchmarks): the cost is still charged and counted, but the
                # budget is reported whole so well-behaved clients never wait for a window.
                return Charge(True, cost, self.per_minute, retry_after)
            return Charge(True, cost, max(self.per_minute - self._spent, 0), retry_after)

    def peek(self) -> Charge:
        """Headers for a response that is not charged (e.g. a 401)."""
        with self._lock:
            spent = self._spent if self._window == int(self._clock() // 60) else 0
        return Charge(True, 0, max(self.per_minute - spent, 0), 0)
