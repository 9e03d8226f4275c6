"""Which store the processes of a deployment share: Redis when a URL is configured, else
the database. The caller reads the setting and passes it in."""

from __future__ import annotations

from connectors.ratelimit.budget import BudgetStore
from connectors.ratelimit.database import DatabaseStore
from connectors.ratelimit.redis import RedisStore


def shared_store(*, redis_url: str) -> BudgetStore:
    return RedisStore(redis_url) if redis_url else DatabaseStore()
