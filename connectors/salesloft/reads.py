"""Reading Salesloft: the pages a sync reads, and one record at a time.

Each stream names its pager (`streams.py`). Most collections are read in `updated_at`
order (`changed_pages`: `paging.updated_at_pages` and the stream's mapper). Two are not:

* users and mailboxes both come from `/v2/users`, which has no `updated_at` filter or sort
  and pages only when `page` is sent; they are read whole (teams have at most a few hundred
  users) and filtered on `since` here (`whole_pages`). A mailbox is the user's sending
  identity.
* sequences need `num_steps`, which a cadence record does not carry (`cadence_pages`, with
  `StepCounter`); a single sequence is read with its steps (`cadence_fetch`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from connectors.base import Page, Stream
from connectors.exceptions import InvalidInput
from connectors.ratelimit import Priority
from connectors.salesloft.mappers import (
    cadence_export_to_sequence_steps,
    cadence_to_sequence,
    steps_to_sequence_steps,
)
from connectors.salesloft.mappers._common import parse_ts
from connectors.salesloft.paging import numbered_pages, updated_at_pages
from connectors.salesloft.transport import Transport, page_cost

# One record read for an API caller, not a sync: it goes ahead of syncs in the budget.
INTERACTIVE = Priority.INTERACTIVE

# Below this many changed cadences on a page, counting each one's steps is cheaper than
# reading every step of the team.
PER_CADENCE_COUNT_LIMIT = 3


def remote_id_checked(value: Any, field: str = "id") -> str:
    """Salesloft ids are integers; anything else would change the request's path."""
    text = str(value).strip()
    if not (text.isascii() and text.isdecimal()):
        raise InvalidInput(field, f"must be a Salesloft id (a whole number), got {value!r}")
    return text


def data_of(body: Any) -> dict[str, Any]:
    return body.get("data") if isinstance(body, Mapping) else {}


class StepCounter:
    """`num_steps` per cadence, without scanning all steps on every sync.

    A cadence is on a sync page only when it is new or changed. For a few of them, one
    `/v2/steps?cadence_id=X&per_page=1&include_paging_counts=true` each is cheapest (1 per
    cadence); for many (a full sync), one scan of `/v2/steps` grouped by cadence costs
    total_steps/100 instead. The scan's counts are kept for the rest of the run (one
    integer per cadence, so memory stays small).
    """

    def __init__(self, client: Transport) -> None:
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


def changed_pages(client: Transport, stream: Stream, since: datetime | None) -> Iterator[Page]:
    """The usual pager: records changed at or after `since`, in `updated_at` order."""
    for raw in updated_at_pages(client, stream.path, since=since, params=stream.params):
        records = [stream.to_unified(record) for record in raw.records]
        yield Page(records=records, cursor=raw.cursor, cost=raw.cost)


def cadence_pages(client: Transport, stream: Stream, since: datetime | None) -> Iterator[Page]:
    """Changed cadences as sequences, each with its `num_steps`."""
    counter = StepCounter(client)
    for raw in updated_at_pages(client, stream.path, since=since, params=stream.params):
        steps = counter.counts([str(record["id"]) for record in raw.records])
        records = [
            cadence_to_sequence(record, num_steps=steps[str(record["id"])])
            for record in raw.records
        ]
        yield Page(records=records, cursor=raw.cursor, cost=raw.cost + counter.take_cost())


def whole_pages(client: Transport, stream: Stream, since: datetime | None) -> Iterator[Page]:
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


def record_fetch(client: Transport, stream: Stream, remote_id: str) -> dict[str, Any]:
    """One record, read now."""
    path = f"{stream.path}/{remote_id_checked(remote_id)}"
    return stream.to_unified(data_of(client.send("GET", path, priority=INTERACTIVE).body))


def cadence_fetch(client: Transport, stream: Stream, remote_id: str) -> dict[str, Any]:
    """One sequence, read now, with its steps."""
    path = f"{stream.path}/{remote_id_checked(remote_id)}"
    cadence = data_of(client.send("GET", path, priority=INTERACTIVE).body)
    return cadence_to_sequence(cadence, steps=sequence_steps_fetch(client, str(cadence["id"])))


def sequence_steps_fetch(client: Transport, sequence_id: str) -> list[dict[str, Any]]:
    """A cadence's steps as sequence_steps: the export has their content (templates,
    automation, replies), `/v2/steps` their ids; both list steps by (day, step number), so
    the ids are matched by position. If the two disagree in length, the id-bearing list
    wins (content is then missing, never misattributed)."""
    cadence_id = remote_id_checked(sequence_id)
    export = data_of(
        client.send("GET", f"/cadence_exports/{cadence_id}", priority=INTERACTIVE).body
    )
    records: list[dict[str, Any]] = []
    for raw in numbered_pages(client, "/steps", params={"cadence_id": cadence_id}):
        records.extend(raw.records)
    with_ids = steps_to_sequence_steps(records)
    steps = cadence_export_to_sequence_steps(export)
    if len(steps) != len(with_ids):
        return with_ids
    for step, identified in zip(steps, with_ids, strict=True):
        step["id"] = identified["id"]
    return steps
