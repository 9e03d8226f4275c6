"""The seven common objects as Salesloft serves them, and the pages a sync reads.

Most streams are one collection read in `updated_at` order (`paging.updated_at_pages`)
and one mapper. The exceptions, as data in `STREAMS` plus two small hooks:

* users and mailboxes both come from `/v2/users`, which has no `updated_at` filter or sort
  and pages only when `page` is sent; they are read whole (teams have at most a few hundred
  users) and filtered on `since` here. A mailbox is the user's sending identity.
* sequences need `num_steps`, which a cadence record does not carry (see `StepCounter`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from connectors.base import Page, Stream
from connectors.exceptions import InvalidInput
from connectors.salesloft.client import SalesloftClient, page_cost
from connectors.salesloft.mappers import (
    account_to_unified,
    cadence_to_sequence,
    email_activity_to_email,
    membership_to_sequence_state,
    person_to_contact,
    user_to_mailbox,
    user_to_unified,
)
from connectors.salesloft.mappers._common import parse_ts
from connectors.salesloft.paging import numbered_pages, updated_at_pages

USERS_PARAMS = {"sort_by": "id", "sort_direction": "ASC"}

STREAMS: dict[str, Stream] = {
    stream.name: stream
    for stream in (
        Stream("users", "/users", user_to_unified, params=USERS_PARAMS),
        Stream("mailboxes", "/users", user_to_mailbox, params=USERS_PARAMS),
        Stream("accounts", "/accounts", account_to_unified),
        Stream("contacts", "/people", person_to_contact),
        Stream("sequences", "/cadences", cadence_to_sequence),
        Stream("sequence_states", "/cadence_memberships", membership_to_sequence_state),
        Stream("emails", "/activities/emails", email_activity_to_email),
    )
}
# Collections without an `updated_at` filter: read whole, filtered here.
UNFILTERED_PATHS = frozenset({"/users"})
# Below this many changed cadences on a page, counting each one's steps is cheaper than
# reading every step of the team.
PER_CADENCE_COUNT_LIMIT = 3


def stream_of(object_name: str) -> Stream:
    try:
        return STREAMS[object_name]
    except KeyError:
        raise InvalidInput(
            "object_name", f"must be one of {', '.join(STREAMS)}; got {object_name!r}"
        ) from None


class StepCounter:
    """`num_steps` per cadence, without scanning all steps on every sync.

    A cadence is on a sync page only when it is new or changed. For a few of them, one
    `/v2/steps?cadence_id=X&per_page=1&include_paging_counts=true` each is cheapest (1 per
    cadence); for many (a full sync), one scan of `/v2/steps` grouped by cadence costs
    total_steps/100 instead. The scan's counts are kept for the rest of the run (one
    integer per cadence, so memory stays small).
    """

    def __init__(self, client: SalesloftClient) -> None:
        self.client = client
        self.scanned: dict[str, int] | None = None
        self.scan_too_big = False
        self.cost = 0  # spent since the last `take_cost()`

    def take_cost(self) -> int:
        cost, self.cost = self.cost, 0
        return cost

    def _count_one(self, cadence_id: str) -> int:
        _, paging, cost = self.client.list_page(
            "/steps", {"cadence_id": cadence_id, "per_page": 1, "include_paging_counts": "true"}
        )
        self.cost += cost
        return int(paging.get("total_count") or 0)

    def _try_scan(self, worth: int) -> None:
        """Count every step of the team, unless that costs more than `worth`. The first page
        says how many pages there are; if too many, only it is spent (once per run)."""
        counts: dict[str, int] = {}
        page = 1
        while True:
            params = {"sort_by": "created_at", "sort_direction": "ASC", "per_page": 100}
            params.update(page=page, include_paging_counts="true")
            records, paging, cost = self.client.list_page("/steps", params)
            self.cost += cost
            pages = int(paging.get("total_pages") or 1)
            if page == 1 and sum(page_cost(n) for n in range(1, pages + 1)) > worth:
                self.scan_too_big = True
                return
            for step in records:
                key = str((step.get("cadence") or {}).get("id"))
                counts[key] = counts.get(key, 0) + 1
            if not records or not paging.get("next_page"):
                break
            page += 1
        self.scanned = counts

    def counts(self, cadence_ids: list[str]) -> dict[str, int]:
        few = len(cadence_ids) <= PER_CADENCE_COUNT_LIMIT
        if self.scanned is None and not self.scan_too_big and not few:
            self._try_scan(worth=len(cadence_ids))
        if self.scanned is not None:
            return {cid: self.scanned.get(cid, 0) for cid in cadence_ids}
        return {cid: self._count_one(cid) for cid in cadence_ids}


def stream_pages(
    client: SalesloftClient, object_name: str, *, since: datetime | None
) -> Iterator[Page]:
    """Pages of unified records of `object_name` changed at or after `since` (all if None)."""
    stream = stream_of(object_name)
    if stream.path in UNFILTERED_PATHS:
        yield from _unfiltered_pages(client, stream, since)
        return
    counter = StepCounter(client) if object_name == "sequences" else None
    for raw in updated_at_pages(client, stream.path, since=since, params=stream.params):
        if counter is None:
            records = [stream.to_unified(record) for record in raw.records]
        else:
            steps = counter.counts([str(record["id"]) for record in raw.records])
            records = [
                cadence_to_sequence(record, num_steps=steps[str(record["id"])])
                for record in raw.records
            ]
        extra = counter.take_cost() if counter is not None else 0
        yield Page(records=records, cursor=raw.cursor, cost=raw.cost + extra)


def _unfiltered_pages(
    client: SalesloftClient, stream: Stream, since: datetime | None
) -> Iterator[Page]:
    """Users (and their mailboxes), in id order. Only the last page carries a cursor: the
    greatest `updated_at` of the whole collection, so a resumed run loses nothing."""
    latest = since
    pages = numbered_pages(client, stream.path, params=stream.params)
    raw = next(pages, None)
    while raw is not None:
        following = next(pages, None)
        records: list[dict[str, Any]] = []
        for record in raw.records:
            stamp = parse_ts(record.get("updated_at"))
            if stamp is not None and (latest is None or stamp > latest):
                latest = stamp
            if since is None or stamp is None or stamp >= since:
                records.append(stream.to_unified(record))
        yield Page(records=records, cursor=latest if following is None else since, cost=raw.cost)
        raw = following
