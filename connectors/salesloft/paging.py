"""Reading a Salesloft collection in `updated_at` order, cheaply and without gaps.

The problem. Salesloft pages by page number and charges up to 30× for pages past 100
(docs/salesloft-api.md §10); its own advice is a keyset on `updated_at[gt]` (§7). But many records
can share one `updated_at` (bulk imports), so `updated_at[gt]=<last seen>` skips the rest
of a tie group that straddles a page boundary, and `gte` re-reads the last record(s) on
every page (≥ 1% waste, and an endless loop on a tie group larger than a page). Resolving
each straddling tie group with an extra exact-timestamp query is correct but costs about
one request per straddle; in realistic data one page boundary in ten straddles a tie, so
that alone breaks the budget of 1.01 × N/100 requests.

What we do: **anchored page-number walks over a frozen range, checked by counts.**

* A walk reads the range `anchor < updated_at <= upper` (or `>=` anchor) sorted by
  `updated_at ASC` (ties by id, as Salesloft breaks them) with `page=1, 2, …` and
  `include_paging_counts`. Page numbers never split or repeat a tie group, and every page
  carries 100 new records: the cost is N/100.
* `upper` is the time the walk started. Nothing can enter the range afterwards (a write
  moves a record's `updated_at` to "now", past `upper`), so the range can only shrink, and
  it shrinks exactly when `total_count` drops. While the count holds, the offsets are
  exactly where the previous page left them. When it moves (a record was updated or
  deleted meanwhile, or clock skew let one in), the page just read may have slid past a
  record, so it is dropped and the walk re-anchors right after the last record it yielded:
  `updated_at[gte]=<that timestamp>`, skipping the ids of that timestamp it already yielded.
* Before page 101 would cost 3, the walk re-anchors the same way, so pages stay at cost 1.
  The last tie group leads the new range: its whole pages are jumped over (the new range's
  count, known in advance, proves nothing moved), the rest of it (usually one record) is
  read again, once per 10,000 records.
  If a whole 100 pages were one timestamp (the anchor could not advance), it pages on and
  pays the surcharge rather than loop.
* After the main walk, one more walk reads `(upper, now]`: the records written while the
  main walk ran (they left the frozen range, or were created). Later writes belong to the
  next incremental run, whose `since` (this run's cursor) is before them.

The page's last record alone at its timestamp T (the case plain keysets get wrong: more
records with T may be on the next page) needs nothing special here: the next page number
continues inside T's tie group, and the count check proves no record slid past.

Guards, each raising `ProviderError` instead of looping: a page that repeats a record or
goes back in time (a provider ignoring the filter or the page number); a walk that yields
nothing new for more pages than the ids it is skipping can fill; re-anchoring over and
over without yielding anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from connectors.exceptions import ProviderError
from connectors.salesloft.mappers._common import parse_ts

if TYPE_CHECKING:
    from connectors.salesloft.transport import Transport

PER_PAGE = 100
LAST_CHEAP_PAGE = 100  # pages 1–100 cost 1; page 101 costs 3
MAX_FRUITLESS_REANCHORS = 10


@dataclass
class RawPage:
    """New Salesloft records, what reading them cost, and the resumable cursor."""

    records: list[dict[str, Any]]
    cost: int
    cursor: datetime | None


def iso(value: datetime) -> str:
    """A filter value Salesloft compares at microsecond precision."""
    return value.isoformat(timespec="microseconds")


class _Walk:
    """One anchored walk over `lower <(=) updated_at <= upper` (see the module docstring)."""

    def __init__(
        self,
        client: Transport,
        path: str,
        *,
        lower: datetime | None,
        inclusive: bool,
        upper: datetime,
        params: Mapping[str, Any],
        per_page: int,
    ) -> None:
        self.client, self.path, self.params, self.per_page = client, path, params, per_page
        self.upper = upper
        self.anchor, self.anchor_op = lower, ("gte" if inclusive else "gt")
        self.skip: set[Any] = set()  # ids at the anchor's timestamp already yielded
        self.last_ts: datetime | None = None
        self.last_group: set[Any] = set()  # ids yielded with timestamp == last_ts
        self.pending_cost = 0

    def _params(self, page: int) -> dict[str, Any]:
        params = {
            **self.params,
            "sort_by": "updated_at",
            "sort_direction": "ASC",
            "per_page": self.per_page,
            "page": page,
            "include_paging_counts": "true",
            "updated_at[lte]": iso(self.upper),
        }
        if self.anchor is not None:
            params[f"updated_at[{self.anchor_op}]"] = iso(self.anchor)
        return params

    def _reanchor(self) -> None:
        """Continue right after the last record yielded (or from the start, if none)."""
        if self.last_ts is not None:
            self.anchor, self.anchor_op = self.last_ts, "gte"
            self.skip = set(self.last_group)

    def pages(self) -> Iterator[RawPage]:
        page, total, fruitless, reanchors = 1, None, 0, 0
        consumed = 0  # positions of the anchor's range read so far (skipped ones included)
        expected: int | None = None  # the count a jumped re-anchor must find
        while True:
            records, paging, cost = self.client.list_page(self.path, self._params(page))
            self.pending_cost += cost
            count = paging.get("total_count")
            changed = (
                count != total
                if total is not None
                else (expected is not None and count != expected)
            )
            if changed:
                # The range changed under us: offsets may have slid. Drop this page.
                reanchors += 1
                if reanchors > MAX_FRUITLESS_REANCHORS:
                    raise ProviderError(
                        f"Paging {self.path} made no progress: the data keeps changing."
                    )
                self._reanchor()
                page, total, expected, consumed = 1, None, None, 0
                continue
            total, expected = count, None
            consumed += len(records)
            fresh = []
            for record in records:
                stamp = parse_ts(record["updated_at"])
                if stamp == self.anchor and record["id"] in self.skip:
                    continue
                if self.last_ts is not None and (
                    stamp < self.last_ts
                    or (stamp == self.last_ts and record["id"] in self.last_group)
                ):
                    raise ProviderError(
                        f"Paging {self.path} did not advance: page {page} repeats records "
                        "or goes back in time."
                    )
                fresh.append(record)
                if stamp == self.last_ts:
                    self.last_group.add(record["id"])
                else:
                    self.last_ts, self.last_group = stamp, {record["id"]}
            if fresh:
                fruitless = reanchors = 0
                yield RawPage(fresh, self.pending_cost, self.last_ts)
                self.pending_cost = 0
            else:
                fruitless += 1
                if fruitless > 2 + len(self.skip) // self.per_page:
                    raise ProviderError(f"Paging {self.path} made no progress at page {page}.")
            if not records or not paging.get("next_page"):
                return
            anchor_moved = self.last_ts is not None and (
                self.anchor is None or self.last_ts > self.anchor
            )
            if page >= LAST_CHEAP_PAGE and anchor_moved:
                # The last tie group leads the new anchor's range. Rather than re-read it,
                # jump over its whole pages; the count the new range must have (this range
                # minus what came before the group) proves nothing moved meanwhile.
                group = len(self.last_group)
                expected = (total - (consumed - group)) if total is not None else None
                self._reanchor()
                page = group // self.per_page + 1 if expected is not None else 1
                total, consumed = None, (page - 1) * self.per_page
            else:
                page += 1


def updated_at_pages(
    client: Transport,
    path: str,
    *,
    since: datetime | None,
    params: Mapping[str, Any] | None = None,
    per_page: int = PER_PAGE,
    clock: Callable[[], datetime] = timezone.now,
) -> Iterator[RawPage]:
    """Every record of `path` with `updated_at >= since` (all when None), oldest first, in
    pages of new records. `RawPage.cursor` is the latest `updated_at` yielded so far: a run
    resumed with `since=cursor` loses nothing (it re-reads that one timestamp)."""
    params = params or {}
    upper = clock()
    main = _Walk(
        client, path, lower=since, inclusive=True, upper=upper, params=params, per_page=per_page
    )
    cursor = since
    for raw in main.pages():
        cursor = raw.cursor
        yield raw
    tail = _Walk(
        client, path, lower=upper, inclusive=False, upper=clock(), params=params, per_page=per_page
    )
    for raw in tail.pages():
        cursor = raw.cursor
        yield raw
    leftover = main.pending_cost + tail.pending_cost
    if leftover:
        yield RawPage([], leftover, cursor)


def numbered_pages(
    client: Transport,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    per_page: int = PER_PAGE,
) -> Iterator[RawPage]:
    """Plain page-number paging (for small collections without an `updated_at` filter,
    such as users). `cursor` is left None: the records are not in `updated_at` order."""
    page = 1
    while True:
        records, paging, cost = client.list_page(
            path, {**(params or {}), "per_page": per_page, "page": page}
        )
        yield RawPage(records, cost, None)
        if not records or not paging.get("next_page"):
            return
        page += 1
