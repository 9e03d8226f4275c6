"""A process-local budget store: for one-off calls made before the account is known
(checking new credentials), whose budget must not be shared across accounts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from connectors.ratelimit.budget import BudgetState

T = TypeVar("T")


class MemoryStore:
    """Budget states in a dict of this process, changed under a lock."""

    def __init__(self) -> None:
        self._states: dict[str, BudgetState] = {}
        self.lock = threading.Lock()

    def update(self, key: str, change: Callable[[BudgetState | None], tuple[BudgetState, T]]) -> T:
        with self.lock:
            new, result = change(self._states.get(key))
            self._states[key] = new
            return result

    def states(self) -> dict[str, BudgetState]:
        with self.lock:
            return dict(self._states)
