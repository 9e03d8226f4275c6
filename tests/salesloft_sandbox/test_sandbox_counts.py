"""Paging counts are cached between writes, and never stale after one."""

from .conftest import session_for


def total(http, url: str, **params) -> int:
    body = http.get(url, params={"include_paging_counts": "true", **params}).json()
    return body["metadata"]["paging"]["total_count"]


def test_counts_follow_every_write(make_sandbox):
    sb = make_sandbox(people=120)
    http = session_for(sb)
    people = f"{sb.api_base}/people"
    before = total(http, people)
    assert total(http, people) == before  # served from the cache, same answer

    created = http.post(people, json={"email_address": "count.me@example.com"}).json()["data"]
    assert total(http, people) == before + 1
    http.delete(f"{people}/{created['id']}")
    assert total(http, people) == before
    # A filtered count is invalidated too.
    filtered = {"email_addresses[]": "count.me@example.com"}
    assert total(http, people, **filtered) == 0
    http.post(people, json={"email_address": "count.me@example.com"})
    assert total(http, people, **filtered) == 1
