"""The Redis budget store (when `REDIS_URL` is set): one JSON string per account, changed
in a WATCH/MULTI transaction so every process sees one budget."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TypeVar

from connectors.ratelimit.budget import WINDOW_SECONDS, BudgetState

T = TypeVar("T")


class RedisStore:
    """One Redis string per key (JSON), changed in a WATCH/MULTI transaction."""

    prefix = "glue:ratebudget:"  # kept across the RateWindow rename: live keys stay valid

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
