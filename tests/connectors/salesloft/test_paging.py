"""Keyset paging over `updated_at`: nothing lost or repeated (250+ records sharing one
timestamp, records changing mid-sync), cost ≈ N/100, and no endless loops."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from connectors.exceptions import ProviderError
from connectors.ratelimit import RateBudget
from connectors.ratelimit.database import DatabaseStore
from connectors.salesloft import paging
from connectors.salesloft.transport import Transport
from connectors.services import stream_pages
from salesloft_sandbox.testing import run_sandbox
from tests.connectors.conftest import api_key_connection

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tie_sandbox():
    """1,500 people, 400 of them from one bulk import sharing one `updated_at`."""
    with run_sandbox(people=1500, memberships=0, rate_limit=False) as running:
        yield running


def _ids(pages) -> list[str]:
    return [record["id"] for page in pages for record in page.records]


def test_a_full_sync_over_a_400_record_tie_group_loses_and_repeats_nothing(tie_sandbox):
    truth = tie_sandbox.control.snapshot("people")
    assert max(Counter(truth.values()).values()) >= 250  # the sandbox has the tie group
    connection = api_key_connection(tie_sandbox)

    pages = list(stream_pages(connection=connection, object_name="contacts"))

    ids = _ids(pages)
    assert len(ids) == len(set(ids)) == len(truth)
    assert set(ids) == {str(i) for i in truth}
    cursors = [page.cursor for page in pages]
    assert cursors == sorted(cursors)  # the cursor only moves forward
    assert sum(page.cost for page in pages) <= 1.01 * len(truth) / 100 + 1


def test_an_incremental_sync_starting_inside_the_tie_group_gets_all_of_it(tie_sandbox):
    truth = tie_sandbox.control.snapshot("people")
    stamp, size = Counter(truth.values()).most_common(1)[0]
    since = datetime.fromisoformat(stamp)
    expected = {str(i) for i, ts in truth.items() if datetime.fromisoformat(ts) >= since}
    connection = api_key_connection(tie_sandbox, "acme-incremental")

    ids = _ids(stream_pages(connection=connection, object_name="contacts", since=since))

    assert len(ids) == len(set(ids))
    assert set(ids) == expected and len(expected) >= size


def test_records_changed_while_the_sync_runs_are_not_lost(tie_sandbox):
    """Updates and deletes between pages shift page offsets; the count check notices, the
    walk re-anchors, and the updated records come back at the end (in the tail walk)."""
    connection = api_key_connection(tie_sandbox, "acme-moving")
    before = tie_sandbox.control.snapshot("people")
    seen: list[str] = []
    changed: dict = {}
    for number, page in enumerate(stream_pages(connection=connection, object_name="contacts")):
        seen.extend(record["id"] for record in page.records)
        if number in (2, 6):
            result = tie_sandbox.control.mutate("people", update=20, delete=3)
            changed.setdefault("updated", []).extend(result["updated"])
            changed.setdefault("deleted", []).extend(result["deleted"])
    after = tie_sandbox.control.snapshot("people")
    missing = {str(i) for i in after} - set(seen)
    assert not missing, f"{len(missing)} records never reached the sync"
    deleted = {str(i) for i in changed["deleted"]}
    assert deleted <= {str(i) for i in before} and not deleted & {str(i) for i in after}
    # An updated record may be read twice (before and after its change), nothing else.
    repeats = {i for i, n in Counter(seen).items() if n > 1}
    assert repeats <= {str(i) for i in changed["updated"]}


def test_a_full_sync_of_10000_people_costs_at_most_101():
    with run_sandbox(people=10_000, rate_limit=True) as sandbox:
        connection = api_key_connection(sandbox, "acme-10k")
        sandbox.control.reset_stats()

        pages = list(stream_pages(connection=connection, object_name="contacts"))

        stats = sandbox.control.stats()
        assert len(set(_ids(pages))) == 10_000
        assert stats["cost"] <= 101, stats
        assert stats["rate_limited"] == 0
        assert sum(page.cost for page in pages) == stats["cost"]


# -- focused cases on an in-memory Salesloft (exact page boundaries) ----------------------

BASE = "https://api.example.test/v2"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


class MemoryPeople:
    """`/v2/people` over a list: updated_at filters, ASC sort with id ties, page numbers,
    counts; `on_request` may change the data between calls."""

    def __init__(self, stamps: list[datetime]) -> None:
        self.rows = {n + 1: stamp for n, stamp in enumerate(stamps)}
        self.requests: list[dict] = []
        self.on_request = None
        self.ignore_page = False

    def __call__(self, request):
        if self.on_request:
            self.on_request(len(self.requests))
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        self.requests.append(query)
        rows = sorted(self.rows.items(), key=lambda item: (item[1], item[0]))
        for op, test in (
            ("gt", lambda a, b: a > b),
            ("gte", lambda a, b: a >= b),
            ("lte", lambda a, b: a <= b),
        ):
            if f"updated_at[{op}]" in query:
                bound = datetime.fromisoformat(query[f"updated_at[{op}]"])
                rows = [row for row in rows if test(row[1], bound)]
        per_page, page = int(query["per_page"]), int(query["page"])
        if self.ignore_page:
            page = 1
        chunk = rows[(page - 1) * per_page : page * per_page]
        body = {
            "metadata": {
                "paging": {
                    "per_page": per_page,
                    "current_page": page,
                    "next_page": page + 1 if len(rows) > page * per_page else None,
                    "total_count": len(rows),
                }
            },
            "data": [{"id": i, "updated_at": stamp.isoformat()} for i, stamp in chunk],
        }
        headers = {"x-ratelimit-endpoint-cost": "1", "Content-Type": "application/json"}
        return 200, headers, json.dumps(body)

    def touch(self, record_id: int) -> None:
        self.rows[record_id] = T0 + timedelta(days=3650)  # "now": after every bound


class Tokens:
    def token(self):
        return "t"

    def refresh(self, *, stale):
        raise AssertionError

    def revoked(self, *, reason):
        raise AssertionError


def _walk(server, **kwargs):
    responses.add_callback(responses.GET, f"{BASE}/people", callback=server)
    client = Transport(
        api_base_url=BASE,
        tokens=Tokens(),
        budget=RateBudget(store=DatabaseStore()),
        budget_key="k",
    )
    clock = iter([T0 + timedelta(days=365), T0 + timedelta(days=3651)])
    pages = paging.updated_at_pages(client, "/people", clock=lambda: next(clock), **kwargs)
    return [record["id"] for page in pages for record in page.records]


@responses.activate
def test_a_tie_group_starting_at_the_last_record_of_a_page_is_read_whole():
    # Page size 3: records 1, 2 alone; 3..7 share T (3 is a page's last record).
    stamps = (
        [T0, T0 + timedelta(seconds=1)]
        + [T0 + timedelta(seconds=2)] * 5
        + [T0 + timedelta(seconds=3)]
    )
    server = MemoryPeople(stamps)
    assert _walk(server, since=None, per_page=3) == list(range(1, 9))
    assert len(server.requests) == 3 + 1  # ceil(8/3) pages, then the (empty) tail walk


@responses.activate
def test_pages_stay_cheap_by_reanchoring_before_the_surcharge(monkeypatch):
    monkeypatch.setattr(paging, "LAST_CHEAP_PAGE", 2)
    stamps = [T0 + timedelta(seconds=n // 2) for n in range(13)]  # pairs share a timestamp
    server = MemoryPeople(stamps)
    assert _walk(server, since=None, per_page=3) == list(range(1, 14))
    assert max(int(query["page"]) for query in server.requests) == 2
    # Each re-anchor re-reads only the last tie group (here a pair): pages 1,2 | 1,2 | 1,2
    # hold 3+3 | 1+3 | 1+2 new records, then the tail walk's one empty call.
    assert len(server.requests) == 7


@responses.activate
def test_an_update_behind_the_walk_makes_it_reanchor_instead_of_skipping():
    server = MemoryPeople([T0 + timedelta(seconds=n) for n in range(9)])
    # Before the 2nd page, record 1 (already read) is updated: every offset slides by one,
    # so a plain page 2 would skip record 4.
    server.on_request = lambda n: server.touch(1) if n == 1 else None
    ids = _walk(server, since=None, per_page=3)
    assert sorted(set(ids)) == list(range(1, 10))
    assert ids.count(1) == 2  # read again after its update, in the tail walk


@responses.activate
def test_a_provider_that_ignores_the_page_number_is_caught_not_looped():
    server = MemoryPeople([T0 + timedelta(seconds=n) for n in range(9)])
    server.ignore_page = True
    with pytest.raises(ProviderError, match="did not advance"):
        _walk(server, since=None, per_page=3)
    assert len(server.requests) == 2


@responses.activate
def test_a_walk_whose_data_never_holds_still_gives_up():
    server = MemoryPeople([T0 + timedelta(seconds=n) for n in range(9)])
    # A record enters the range before every call (clock skew): the count never holds.
    server.on_request = lambda n: server.rows.update({100 + n: T0 + timedelta(days=200)})
    with pytest.raises(ProviderError, match="no progress"):
        _walk(server, since=None, per_page=1)


def _big_tie():
    return [T0] + [T0 + timedelta(seconds=1)] * 7 + [T0 + timedelta(seconds=2)]


@responses.activate
def test_reanchoring_jumps_over_the_whole_pages_of_a_big_tie_group(monkeypatch):
    monkeypatch.setattr(paging, "LAST_CHEAP_PAGE", 2)
    server = MemoryPeople(_big_tie())
    assert _walk(server, since=None, per_page=2) == list(range(1, 10))
    # pages 1, 2; then the new anchor starts at its page 2 (ids 4, 5), not page 1 (2, 3)
    assert [query["page"] for query in server.requests] == ["1", "2", "2", "3", "4", "1"]


@responses.activate
def test_a_change_before_the_jump_makes_the_walk_reread_the_group(monkeypatch):
    monkeypatch.setattr(paging, "LAST_CHEAP_PAGE", 2)
    server = MemoryPeople(_big_tie())
    # Record 2 (already read, in the tie group) is deleted just before the jumped request:
    # the new range holds one record fewer than expected, so the walk starts it at page 1.
    server.on_request = lambda n: server.rows.pop(2) if n == 2 else None
    ids = _walk(server, since=None, per_page=2)
    assert ids == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert [query["page"] for query in server.requests][:4] == ["1", "2", "2", "1"]
