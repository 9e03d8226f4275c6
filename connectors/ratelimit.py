"""The rate budget: spend a provider's per-minute cost budget without provoking 429s.

Providers like Salesloft give each account (a team) a cost budget per clock minute and
report after every call what it cost (`x-ratelimit-endpoint-cost`) and what is left
(`x-ratelimit-remaining-minute`). Every process calling the same account shares one
budget record (Redis when `settings.REDIS_URL` is set, else a database row locked with
`select_for_update`), so workers and web requests see one another's spending:

* `acquire()` reserves a call's cost before it is sent. When the window cannot pay for it,
  the caller waits for the next window (`on_wait(seconds)` is told first) instead of
  sending a call that would answer 429.
* `record()` folds the provider's headers back in (the provider's count wins when lower:
  other integrations of the same team spend from it too).
* `exhausted()` is for the 429 that happens anyway: nothing more is sent until the reset.

Interactive calls (API writes, passthrough) may spend the whole window; sync pages leave
`sync_reserve` of it (10% by default), so a user's write never queues behind a sync.
Windows start `margin` seconds after the minute to absorb clock skew with the provider.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db import transaction

T = TypeVar("T")
WINDOW_SECONDS = 60


class Priority(StrEnum):
    INTERACTIVE = "interactive"
    SYNC = "sync"


@dataclass
class BudgetState:
    window_end: float = 0.0  # epoch seconds when the current window ends
    remaining: int = 0
    limit: int = 0  # the budget a new window starts with
    seen_limit: int = 0  # the largest remaining+cost reported in this window


@dataclass(frozen=True)
class Ticket:
    """A granted reservation: which window it was spent in."""

    key: str
    window_end: float
    cost: int


class BudgetStore(Protocol):
    def update(self, key: str, change: Callable[[BudgetState | None], tuple[BudgetState, T]]) -> T:
        """Atomically read the state of `key`, apply `change`, save its new state."""

    def states(self) -> dict[str, BudgetState]:
        """Every key's last saved state (for the dashboard; not for decisions)."""


class DatabaseStore:
    """One `RateBudget` row per key, changed under `select_for_update`."""

    def update(self, key: str, change: Callable[[BudgetState | None], tuple[BudgetState, T]]) -> T:
        from connectors.models import RateBudget

        with transaction.atomic():
            row = RateBudget.objects.select_for_update().filter(key=key).first()
            current = None if row is None else BudgetState(**row.state_fields())
            new, result = change(current)
            RateBudget.objects.update_or_create(key=key, defaults=asdict(new))
        return result

    def states(self) -> dict[str, BudgetState]:
        from connectors.models import RateBudget

        return {row.key: BudgetState(**row.state_fields()) for row in RateBudget.objects.all()}


class MemoryStore:
    """A process-local store, for one-off calls made before the team is known (checking
    new credentials): sharing their budget across teams would mix up teams' headers."""

    def __init__(self) -> None:
        self.states: dict[str, BudgetState] = {}
        self.lock = threading.Lock()

    def update(self, key: str, change: Callable[[BudgetState | None], tuple[BudgetState, T]]) -> T:
        with self.lock:
            new, result = change(self.states.get(key))
            self.states[key] = new
            return result


class RedisStore:
    """One Redis string per key (JSON), changed in a WATCH/MULTI transaction."""

    prefix = "glue:ratebudget:"

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)

    def update(self, key: str, change: Callable[[BudgetState | None], tuple[BudgetState, T]]) -> T:
        import redis

        name = self.prefix + key
        while True:
            with self.redis.pipeline() as pipe:
                try:
                    pipe.watch(name)
                    raw = pipe.get(name)
                    current = BudgetState(**json.loads(raw)) if raw else None
                    new, result = change(current)
                    pipe.multi()
                    pipe.set(name, json.dumps(asdict(new)), ex=WINDOW_SECONDS * 10)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another process changed it first: read again

    def states(self) -> dict[str, BudgetState]:
        states = {}
        for name in self.redis.scan_iter(match=self.prefix + "*", count=500):
            raw = self.redis.get(name)
            if raw:
                key = name.decode().removeprefix(self.prefix)
                states[key] = BudgetState(**json.loads(raw))
        return states


class RateBudget:
    def __init__(
        self,
        *,
        store: BudgetStore | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        default_limit: int | None = None,
        sync_reserve: float | None = None,
        margin: float | None = None,
    ) -> None:
        self.store = store or default_store()
        self.clock = clock
        self.sleep = sleep
        self.default_limit = default_limit or settings.CONNECTOR_RATE_LIMIT_PER_MINUTE
        self.sync_reserve = (
            settings.CONNECTOR_RATE_SYNC_RESERVE if sync_reserve is None else sync_reserve
        )
        self.margin = settings.CONNECTOR_RATE_WINDOW_MARGIN if margin is None else margin

    def _window_end(self, now: float) -> float:
        return math.floor((now - self.margin) / WINDOW_SECONDS) * WINDOW_SECONDS + (
            WINDOW_SECONDS + self.margin
        )

    def _current(self, state: BudgetState | None, now: float) -> BudgetState:
        """`state` moved into the window containing `now` (a fresh one if it has ended)."""
        if state is None:
            state = BudgetState(limit=self.default_limit)
        if now >= state.window_end:
            limit = state.seen_limit or state.limit or self.default_limit
            state = BudgetState(
                window_end=self._window_end(now), remaining=limit, limit=limit, seen_limit=0
            )
        return state

    def acquire(
        self,
        key: str,
        *,
        cost: int = 1,
        priority: Priority = Priority.SYNC,
        on_wait: Callable[[float], None] | None = None,
    ) -> Ticket:
        """Reserve `cost` from `key`'s budget, waiting for later windows as needed."""
        while True:
            now = self.clock()

            def change(state: BudgetState | None, now: float = now) -> tuple[BudgetState, Any]:
                state = self._current(state, now)
                reserve = (
                    0
                    if priority == Priority.INTERACTIVE
                    else math.ceil(state.limit * self.sync_reserve)
                )
                # A cost larger than a whole window can still run in a fresh window.
                if state.remaining - cost >= reserve or (
                    state.remaining == state.limit and cost > state.limit - reserve
                ):
                    state.remaining -= cost
                    return state, Ticket(key, state.window_end, cost)
                return state, state.window_end - now

            outcome = self.store.update(key, change)
            if isinstance(outcome, Ticket):
                return outcome
            wait = max(float(outcome), 0.01)
            if on_wait is not None:
                on_wait(wait)
            self.sleep(wait)

    def record(self, ticket: Ticket, *, remaining: int | None, cost: int | None) -> None:
        """Fold a response's rate headers into the budget of the window it was sent in."""
        if remaining is None:
            return
        now = self.clock()

        def change(state: BudgetState | None) -> tuple[BudgetState, None]:
            state = self._current(state, now)
            if state.window_end == ticket.window_end:
                state.remaining = min(state.remaining, remaining)
                state.seen_limit = max(state.seen_limit, remaining + (cost or ticket.cost))
            return state, None

        self.store.update(ticket.key, change)

    def exhausted(self, key: str, *, retry_after: float | None = None) -> float:
        """A 429 came back: spend nothing more until the window resets. Returns the wait."""
        now = self.clock()

        def change(state: BudgetState | None) -> tuple[BudgetState, float]:
            state = self._current(state, now)
            state.remaining = 0
            if retry_after is not None:
                state.window_end = max(state.window_end, now + retry_after + self.margin)
            return state, state.window_end - now

        return self.store.update(key, change)


def header_int(headers: dict[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


def default_store() -> BudgetStore:
    if settings.REDIS_URL:
        return RedisStore(settings.REDIS_URL)
    return DatabaseStore()
