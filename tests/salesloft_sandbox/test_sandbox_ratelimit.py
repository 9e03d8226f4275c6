"""docs/salesloft-api.md §10: cost budget per clock minute, deep-page costs, headers, 429."""

import pytest
import requests

from salesloft_sandbox.ratelimit import RateLimiter, page_cost

from .conftest import session_for


@pytest.mark.parametrize(
    "page, cost",
    [
        (None, 1),
        ("1", 1),
        ("100", 1),
        ("101", 3),
        ("150", 3),
        ("151", 8),
        ("250", 8),
        ("251", 10),
        ("500", 10),
        ("501", 30),
        ("9999", 30),
        ("x", 1),
    ],
)
def test_page_cost_table(page, cost):
    assert page_cost(page) == cost


def test_the_window_resets_at_the_top_of_the_minute():
    limiter = RateLimiter(per_minute=2, enforce=True)
    assert limiter.charge(1, now=120.0).allowed and limiter.charge(1, now=150.0).allowed
    refused = limiter.charge(1, now=170.5)
    assert not refused.allowed and refused.retry_after == 10
    assert limiter.charge(1, now=180.0).allowed  # a new clock minute


def test_headers_on_every_response_and_deep_page_cost(make_sandbox):
    sb = make_sandbox(people=50, rate_limit=True)
    sb.control.next_minute()  # a whole window ahead, whatever the real time
    http = session_for(sb)
    first = http.get(f"{sb.api_base}/people")
    assert first.headers["x-ratelimit-endpoint-cost"] == "1"
    assert first.headers["x-ratelimit-remaining-minute"] == "599"
    deep = http.get(f"{sb.api_base}/people", params={"page": 600})
    assert deep.json()["data"] == [] and deep.headers["x-ratelimit-endpoint-cost"] == "30"
    assert deep.headers["x-ratelimit-remaining-minute"] == "569"
    for response in (
        http.get(f"{sb.api_base}/people/1"),
        http.get(f"{sb.api_base}/people?sort_by=bad"),
        requests.get(f"{sb.api_base}/people"),
    ):
        assert (
            "x-ratelimit-remaining-minute" in response.headers
            and "x-ratelimit-endpoint-cost" in response.headers
        )


def test_budget_exhausted_gives_429_with_retry_after(make_sandbox):
    sb = make_sandbox(people=50, rate_limit=True, rate_limit_per_minute=5)
    sb.control.next_minute()
    http = session_for(sb)
    statuses = [http.get(f"{sb.api_base}/people").status_code for _ in range(5)]
    assert statuses == [200] * 5
    refused = http.get(f"{sb.api_base}/people")
    assert refused.status_code == 429 and refused.json() == {"error": "API rate limit exceeded"}
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["x-ratelimit-remaining-minute"] == "0"
    assert http.get(f"{sb.api_base}/people", params={"page": 200}).status_code == 429
    stats = sb.control.stats()
    assert stats["rate_limited"] == 2 and stats["cost"] == 5
    sb.control.next_minute()  # the budget comes back with the next clock minute
    again = http.get(f"{sb.api_base}/people")
    assert again.status_code == 200 and again.headers["x-ratelimit-remaining-minute"] == "4"


def test_no_rate_limit_counts_but_never_refuses(make_sandbox):
    sb = make_sandbox(people=50, rate_limit=False, rate_limit_per_minute=3)
    sb.control.next_minute()
    http = session_for(sb)
    responses = [http.get(f"{sb.api_base}/people", params={"page": 501}) for _ in range(4)]
    assert {r.status_code for r in responses} == {200}
    assert responses[-1].headers["x-ratelimit-endpoint-cost"] == "30"
    # the budget is reported whole: unthrottled clients have no reason to wait
    assert responses[-1].headers["x-ratelimit-remaining-minute"] == "3"
    assert sb.control.stats()["cost"] == 120


def test_forced_429s(make_sandbox):
    sb = make_sandbox(people=50)
    http = session_for(sb)
    sb.control.faults(force_429=2)
    assert [http.get(f"{sb.api_base}/people").status_code for _ in range(3)] == [429, 429, 200]
