"""The rate budget: spend a provider's per-minute cost budget without provoking 429s.

A provider may give each account (a team) a cost budget per clock minute and report after
every call what it cost and what is left (the provider's client reads its headers and
passes both in). Every process calling the same account shares one
budget record through a `BudgetStore` (see the package's store modules), so workers and
web requests see one another's spending:

* `acquire()` reserves a call's cost before it is sent. When the window cannot pay for it,
  the caller waits for the next window (`on_wait(seconds)` is told first) instead of
  sending a call that would answer 429.
* `record()` folds the provider's headers back in (the provider's count wins when lower:
  other integrations of the same team spend from it too).
* `exhausted()` is for the 429 that happens anyway: nothing more is sent until the reset.

Interactive calls (API writes, passthrough) may spend the whole window; sync pages leave
`sync_reserve` of it (10% by default), so a user's write never queues behind a sync.
Windows start `margin` seconds after the minute to absorb clock skew with the provider.

Pure: no Django. The deployment's settings are read where a budget is built for a
connection (`connectors.services.clients`) and passed in; the defaults here are the
settings' defaults.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeAlias, TypeVar

T = TypeVar("T")
WINDOW_SECONDS = 60
DEFAULT_LIMIT_PER_MINUTE = 600  # until the provider's headers show the account's own
DEFAULT_SYNC_RESERVE = 0.1
DEFAULT_WINDOW_MARGIN = 1.0

OnWait: TypeAlias = Callable[[float], None]
"""Told the seconds a call will wait for rate budget, before it waits (progress, liveness)."""


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


class RateBudget:
    """Reserve, correct and exhaust accounts' budgets in `store`, on `clock` and `sleep`."""

    def __init__(
        self,
        *,
        store: BudgetStore,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        default_limit: int = DEFAULT_LIMIT_PER_MINUTE,
        sync_reserve: float = DEFAULT_SYNC_RESERVE,
        margin: float = DEFAULT_WINDOW_MARGIN,
    ) -> None:
        """`default_limit` is a new account's budget per window until the provider reports
        its own; `sync_reserve` the share of each window sync calls leave to interactive
        ones; `margin` the seconds after the minute a window starts (clock skew)."""
        self.store = store
        self.clock = clock
        self.sleep = sleep
        self.default_limit = default_limit
        self.sync_reserve = sync_reserve
        self.margin = margin

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
        on_wait: OnWait | None = None,
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
