"""Injected failures for resilience tests (POST /_sandbox/faults).

Each kind has a probability (`http_500`, `http_502`, `http_503`, `drop`, `timeout`) and
a "next N requests" counter (`next_500`, …, `next_drop`, `next_timeout`); forced 429s
live in the rate limiter. Randomness is seeded so a test run is repeatable.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("500", "502", "503", "drop", "timeout")


@dataclass
class FaultSettings:
    http_500: float = 0.0
    http_502: float = 0.0
    http_503: float = 0.0
    drop: float = 0.0
    timeout: float = 0.0
    next_500: int = 0
    next_502: int = 0
    next_503: int = 0
    next_drop: int = 0
    next_timeout: int = 0
    latency_ms: int = 0
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class Fault:
    """What to do to one request: delay it, then maybe fail or drop it."""

    delay: float = 0.0
    status: int | None = None
    drop: bool = False


class Faults:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self._released = threading.Event()
        self.reset()

    def stall(self, seconds: float) -> None:
        """Hold a request for its injected latency or timeout, or until `release()`."""
        self._released.wait(seconds)

    def release(self) -> None:
        """End every stall now, and skip later ones: the server is stopping, and its
        worker threads should not outlive it sleeping through a 30 s injected timeout."""
        self._released.set()

    def reset(self) -> None:
        with self._lock:
            self.settings = FaultSettings()
            self._rng = random.Random(self._seed)

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply known keys from `changes`; unknown keys raise KeyError (a typo in a
        test should fail loudly rather than silently inject nothing)."""
        with self._lock:
            for key, value in changes.items():
                if not hasattr(self.settings, key):
                    raise KeyError(key)
                current = getattr(self.settings, key)
                setattr(self.settings, key, type(current)(value))
            return asdict(self.settings)

    def current(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self.settings)

    def draw(self) -> Fault:
        with self._lock:
            s = self.settings
            delay = s.latency_ms / 1000
            for kind in KINDS:
                counter, rate = (
                    f"next_{kind}",
                    getattr(s, "http_" + kind if kind.isdigit() else kind),
                )
                fire = getattr(s, counter) > 0
                if fire:
                    setattr(s, counter, getattr(s, counter) - 1)
                elif rate and self._rng.random() < rate:
                    fire = True
                if not fire:
                    continue
                if kind == "timeout":
                    return Fault(delay=delay + s.timeout_seconds)
                if kind == "drop":
                    return Fault(delay=delay, drop=True)
                return Fault(delay=delay, status=int(kind))
            return Fault(delay=delay)
