"""Request counters for GET /_sandbox/stats (ours, not Salesloft's)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from typing import Any

_ID = re.compile(r"/\d+(?=/|\.json$|$)")


def route_key(method: str, path: str) -> str:
    """`GET /v2/people/55500001.json` → `GET /v2/people/{id}` (suffix dropped)."""
    path = path[:-5] if path.endswith(".json") else path
    return f"{method} {_ID.sub('/{id}', path)}"


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.cost = 0
            self.rate_limited = 0
            self.statuses: Counter[int] = Counter()
            self.paths: dict[str, Counter[str]] = {}

    def record(self, method: str, path: str, status: int, cost: int) -> None:
        key = route_key(method, path)
        with self._lock:
            self.requests += 1
            self.cost += cost
            self.rate_limited += status == 429
            self.statuses[status] += 1
            entry = self.paths.setdefault(key, Counter())
            entry["requests"] += 1
            entry["cost"] += cost
            entry[f"status_{status}"] += 1

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "cost": self.cost,
                "rate_limited": self.rate_limited,
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "paths": {k: dict(v) for k, v in sorted(self.paths.items())},
            }
