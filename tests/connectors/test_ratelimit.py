"""The shared rate budget: waits for the next window instead of provoking 429s, keeps a
reserve for interactive calls, honours 429s, and is shared through the database or Redis."""

from __future__ import annotations

import json
import uuid

import pytest
import responses

from connectors.ratelimit import Priority, RateBudget
from connectors.ratelimit.database import DatabaseStore
from connectors.ratelimit.redis import RedisStore
from connectors.salesloft.client import SalesloftClient

REDIS_URL = "redis://127.0.0.1:6379/15"


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:  # on a minute boundary
        self.now = start
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture(params=["database", "redis"])
def store(request, db):
    if request.param == "database":
        yield DatabaseStore()
        return
    redis_store = RedisStore(REDIS_URL)
    try:
        redis_store.redis.ping()
    except Exception as exc:  # pragma: no cover - CI always has Redis
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}")
    redis_store.prefix = f"test:{uuid.uuid4().hex}:"
    yield redis_store
    for key in redis_store.redis.scan_iter(redis_store.prefix + "*"):
        redis_store.redis.delete(key)


def budget(store, clock, **kwargs):
    return RateBudget(
        store=store, clock=clock, sleep=clock.sleep, default_limit=10, margin=0, **kwargs
    )


def test_spends_the_window_then_waits_for_the_next_one(store):
    clock = FakeClock(start=1_800_000_010.0)  # 10 s into a minute
    rate = budget(store, clock, sync_reserve=0)
    waited = []
    for _ in range(10):
        rate.acquire("team:1", on_wait=waited.append)
    assert clock.waits == [] and waited == []

    rate.acquire("team:1", on_wait=waited.append)

    assert waited == [50.0] and clock.waits == [50.0]  # to the top of the next minute
    assert clock.now == 1_800_000_060.0


def test_every_accounts_state_can_be_read_back(store):
    clock = FakeClock(start=1_800_000_010.0)
    rate = budget(store, clock, sync_reserve=0)
    for _ in range(3):
        rate.acquire("team:1")
    rate.acquire("team:2")
    states = store.states()
    assert {key: state.remaining for key, state in states.items()} == {"team:1": 7, "team:2": 9}
    assert states["team:1"].window_end == 1_800_000_060.0


def test_processes_share_one_budget(store):
    clock = FakeClock()
    worker_a, worker_b = budget(store, clock, sync_reserve=0), budget(store, clock, sync_reserve=0)
    for _ in range(5):
        worker_a.acquire("team:2")
        worker_b.acquire("team:2")
    worker_a.acquire("team:2")  # the 11th call of the window, whoever makes it, waits
    assert clock.waits == [60.0]
    worker_b.acquire("team:other")  # another team's budget is its own
    assert clock.waits == [60.0]


def test_sync_calls_leave_a_reserve_for_interactive_calls(store):
    clock = FakeClock()
    rate = budget(store, clock, sync_reserve=0.3)  # 3 of 10 kept back
    for _ in range(7):
        rate.acquire("team:3", priority=Priority.SYNC)
    for _ in range(3):
        rate.acquire("team:3", priority=Priority.INTERACTIVE)
    assert clock.waits == []
    rate.acquire("team:3", priority=Priority.SYNC)
    assert clock.waits == [60.0]


def test_provider_headers_correct_the_count(store):
    clock = FakeClock()
    rate = budget(store, clock, sync_reserve=0)
    ticket = rate.acquire("team:4")
    # Another integration of the same team has spent most of the minute already.
    rate.record(ticket, remaining=1, cost=1)
    rate.acquire("team:4")
    rate.acquire("team:4")
    assert clock.waits == [60.0]


def test_a_429_stops_spending_until_the_reset(store):
    clock = FakeClock(start=1_800_000_030.0)
    rate = budget(store, clock, sync_reserve=0)
    rate.acquire("team:5")
    assert rate.exhausted("team:5", retry_after=30) == 30
    rate.acquire("team:5")
    assert clock.waits == [30.0]


class FakeSalesloft:
    """Salesloft's limiter (a fixed budget per clock minute, per team) on the fake clock,
    with another integration of the same team spending from it behind Glue's back."""

    def __init__(self, clock: FakeClock, per_minute: int = 600, foreign_per_minute: int = 60):
        self.clock, self.per_minute, self.foreign = clock, per_minute, foreign_per_minute
        self.window, self.spent = -1, 0
        self.ok = self.limited = 0

    def __call__(self, request):
        self.clock.now += 0.02  # each call takes 20 ms
        window = int(self.clock.now // 60)
        if window != self.window:
            self.window, self.spent = window, 0
        # The foreign integration spends its share evenly through the minute.
        foreign_so_far = int(self.foreign * (self.clock.now % 60) / 60)
        spent = self.spent + foreign_so_far
        remaining = max(self.per_minute - spent - 1, 0)
        retry = str(60 - int(self.clock.now) % 60)
        if spent + 1 > self.per_minute:
            self.limited += 1
            headers = {"x-ratelimit-remaining-minute": "0", "Retry-After": retry}
            return 429, headers, json.dumps({"error": "API rate limit exceeded"})
        self.spent += 1
        self.ok += 1
        headers = {"x-ratelimit-endpoint-cost": "1", "x-ratelimit-remaining-minute": str(remaining)}
        return 200, headers, json.dumps({"data": []})


class FixedToken:
    def token(self):
        return "t"

    def refresh(self, *, stale):
        raise AssertionError("no refresh expected")

    def revoked(self, *, reason):
        raise AssertionError(reason)


@responses.activate
def test_a_long_sync_wastes_under_one_percent_of_its_calls_on_429s(db):
    """Two sync workers and an interactive caller share a 200/minute team, of which another
    integration quietly spends 20/minute: 600 calls take over 3 minutes, with few 429s.
    (Glue starts each minute assuming 600, as for a real team; the headers correct it.)"""
    clock = FakeClock()
    server = FakeSalesloft(clock, per_minute=200, foreign_per_minute=20)
    responses.add_callback(responses.GET, "https://api.example.test/v2/people", callback=server)

    def client(priority):
        rate = RateBudget(store=DatabaseStore(), clock=clock, sleep=clock.sleep, margin=1.0)
        return SalesloftClient(
            api_base_url="https://api.example.test/v2",
            tokens=FixedToken(),
            budget=rate,
            budget_key="salesloft:team-1",
            priority=priority,
        )

    workers = [client(Priority.SYNC), client(Priority.SYNC), client(Priority.INTERACTIVE)]
    for n in range(600):
        workers[n % 3 if n % 10 == 0 else n % 2].send("GET", "/people", params={"page": 1})

    assert server.ok == 600
    assert server.limited <= 6, server.limited
    assert 3 * 60 <= clock.now - 1_800_000_000 <= 4 * 60
