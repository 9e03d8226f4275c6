"""Keyset pagination over (last_modified_at, id), with opaque cursors.

A cursor is the position of a row (its `last_modified_at` and `id`) and a direction, as
URL-safe base64 JSON. A page is "the next `page_size` rows after that position", answered
from the (connection, last_modified_at, id) index, so page 5,000 costs what page 1 costs,
and rows inserted or changed between two requests never shift a page: a row is neither
skipped nor repeated unless it changed (a changed row moves to its new position, which is
what a `modified_after` reader wants).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet

from portal.api.errors import BadRequest

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
NEXT, PREVIOUS = "n", "p"


@dataclass(frozen=True)
class Position:
    last_modified_at: datetime
    remote_id: str
    direction: str = NEXT


def cursor_encode(position: Position) -> str:
    data = {
        "t": position.last_modified_at.isoformat(),
        "i": position.remote_id,
        "d": position.direction,
    }
    return _b64(data)


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _unb64(cursor: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def cursor_decode(cursor: str) -> Position:
    """The position a cursor names; a 400 for anything this API did not hand out."""
    try:
        data = _unb64(cursor)
        position = Position(
            last_modified_at=datetime.fromisoformat(data["t"]),
            remote_id=str(data["i"]),
            direction=data["d"],
        )
        position.last_modified_at.astimezone(UTC)  # the database compares in UTC
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError, OverflowError):
        raise BadRequest("cursor: not a cursor this API returned; use pagination.next") from None
    if position.direction not in (NEXT, PREVIOUS) or position.last_modified_at.tzinfo is None:
        raise BadRequest("cursor: not a cursor this API returned; use pagination.next")
    return position


def page_size_parse(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(value)
    except ValueError:
        raise BadRequest(f"page_size: must be a whole number, got {value!r}") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"page_size: must be between 1 and {MAX_PAGE_SIZE}, got {size}")
    return size


@dataclass
class KeysetPage:
    rows: list[Any]
    next: str | None
    previous: str | None
    total_count: int

    def pagination(self) -> dict[str, Any]:
        return {"next": self.next, "previous": self.previous, "total_count": self.total_count}


def _after(position: Position) -> Q:
    t, i = position.last_modified_at, position.remote_id
    return Q(last_modified_at__gt=t) | Q(last_modified_at=t, remote_id__gt=i)


def _before(position: Position) -> Q:
    t, i = position.last_modified_at, position.remote_id
    return Q(last_modified_at__lt=t) | Q(last_modified_at=t, remote_id__lt=i)


def _position(row: Any, direction: str) -> str:
    return cursor_encode(Position(row.last_modified_at, row.remote_id, direction))


def keyset_page(queryset: QuerySet, *, cursor: str | None, page_size: int) -> KeysetPage:
    """One page of `queryset` (records with `last_modified_at` and `remote_id`)."""
    total_count = queryset.count()
    position = cursor_decode(cursor) if cursor else None
    if position is None or position.direction == NEXT:
        ordered = queryset.order_by("last_modified_at", "remote_id")
        if position is not None:
            ordered = ordered.filter(_after(position))
        rows = list(ordered[: page_size + 1])
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        next_cursor = _position(rows[-1], NEXT) if has_more else None
        previous = _position(rows[0], PREVIOUS) if position is not None and rows else None
        if position is not None and not rows:
            # Past the end: going back means the rows before the position we were given.
            previous = cursor_encode(Position(position.last_modified_at, position.remote_id, "p"))
            previous = previous if queryset.filter(_before(position)).exists() else None
        return KeysetPage(rows, next_cursor, previous, total_count)
    ordered = queryset.order_by("-last_modified_at", "-remote_id").filter(_before(position))
    rows = list(ordered[: page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size][::-1]
    previous = _position(rows[0], PREVIOUS) if has_more else None
    next_cursor = (
        _position(rows[-1], NEXT)
        if rows
        else cursor_encode(Position(position.last_modified_at, position.remote_id, NEXT))
    )
    return KeysetPage(rows, next_cursor, previous, total_count)


@dataclass
class OffsetPage:
    """A page of a management list: `{next, previous, results, total_count}` (small tables)."""

    rows: list[Any]
    next: str | None
    previous: str | None
    total_count: int


def _offset_cursor(offset: int) -> str:
    return _b64({"o": offset})


def offset_page(queryset: QuerySet, *, cursor: str | None, page_size: int) -> OffsetPage:
    """Management lists (syncs, runs) are short and ordered by id; an offset cursor suffices."""
    offset = 0
    if cursor:
        try:
            offset = int(_unb64(cursor)["o"])
        except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError, OverflowError):
            raise BadRequest("cursor: not a cursor this API returned; use next") from None
        if not 0 <= offset < 2**53:  # databases refuse offsets past 64 bits
            raise BadRequest("cursor: not a cursor this API returned; use next")
    total_count = queryset.count()
    rows = list(queryset[offset : offset + page_size])
    next_cursor = _offset_cursor(offset + page_size) if offset + page_size < total_count else None
    previous = _offset_cursor(max(offset - page_size, 0)) if offset > 0 else None
    return OffsetPage(rows, next_cursor, previous, total_count)
