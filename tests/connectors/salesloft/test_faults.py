"""Salesloft faults over real HTTP (the sandbox injects them): 5xx, dropped connections,
timeouts and 429s are retried, and surface as typed errors once the retries are spent."""

from __future__ import annotations

import time

import pytest

from connectors import http, services
from connectors.exceptions import ProviderUnavailable, RateLimited
from connectors.ratelimit import RateBudget
from connectors.services import clients
from tests.connectors.conftest import api_key_connection

pytestmark = pytest.mark.django_db


class SteppingClock:
    """Real time, plus whatever the budget "slept" (so waits cost no test time)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = SteppingClock()
    real = RateBudget

    def budget(**kwargs):
        return real(clock=clock, sleep=clock.sleep, **kwargs)

    monkeypatch.setattr(clients, "RateBudget", budget)
    return clock


def test_5xx_and_dropped_connections_are_retried_over_a_whole_sync(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    # Four failures in a row on the first call (the fifth attempt succeeds).
    fresh_sandbox.control.faults(next_500=1, next_502=1, next_503=1, next_drop=1)

    pages = list(services.stream_pages(connection=connection, object_name="contacts"))

    assert len({r["id"] for p in pages for r in p.records}) == 120
    statuses = fresh_sandbox.control.stats()["statuses"]
    assert statuses["500"] == statuses["502"] == statuses["503"] == 1


def test_5xx_surfaces_as_provider_unavailable_once_retries_are_spent(fresh_sandbox):
    connection = api_key_connection(fresh_sandbox)
    fresh_sandbox.control.faults(http_503=1.0)
    with pytest.raises(ProviderUnavailable) as caught:
        services.record_fetch(connection=connection, object_name="users", remote_id="9001")
    assert caught.value.status == 503
    assert fresh_sandbox.control.stats()["statuses"]["503"] == 5  # 1 call + 4 retries
    # Passthrough hands the provider's last answer back as it was, after the same retries.
    response = services.passthrough_request(connection=connection, method="GET", path="/me")
    assert response.status == 503
    fresh_sandbox.control.faults(reset=True)
    response = services.passthrough_request(connection=connection, method="GET", path="/me")
    assert response.status == 200


def test_timeouts_are_retried_then_typed(fresh_sandbox, monkeypatch):
    monkeypatch.setattr(http, "_default", http.HttpClient(sleep=lambda s: None, timeout=(2, 0.3)))
    connection = api_key_connection(fresh_sandbox)
    fresh_sandbox.control.faults(next_timeout=1, timeout_seconds=0.6)
    assert (
        services.passthrough_request(connection=connection, method="GET", path="/me").status == 200
    )

    fresh_sandbox.control.faults(timeout=1.0, timeout_seconds=0.6)
    with pytest.raises(ProviderUnavailable, match="Timeout"):
        services.passthrough_request(connection=connection, method="GET", path="/me")


def test_a_429_waits_for_the_window_and_retries(fresh_sandbox, clock):
    connection = api_key_connection(fresh_sandbox)
    waits = []
    fresh_sandbox.control.faults(force_429=2)

    pages = services.stream_pages(connection=connection, object_name="users", on_wait=waits.append)

    assert next(iter(pages)).records
    assert len(waits) == 2 and all(0 < wait <= 61 for wait in waits)
    assert clock.waits == waits
    assert fresh_sandbox.control.stats()["rate_limited"] == 2


def test_429s_surface_as_rate_limited_once_retries_are_spent(fresh_sandbox, clock):
    connection = api_key_connection(fresh_sandbox)
    fresh_sandbox.control.faults(force_429=50)
    with pytest.raises(RateLimited):
        services.passthrough_request(connection=connection, method="GET", path="/me")
    assert fresh_sandbox.control.stats()["rate_limited"] == 6  # the call and 5 retries
