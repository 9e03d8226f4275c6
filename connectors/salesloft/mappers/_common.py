"""Small helpers shared by the Salesloft mappers: timestamps, refs, ids and counts.

They run once per field of every synced record (≥ 5,000 records/s), so they stay plain:
no regex, no schema validation. Salesloft's own conventions (docs/salesloft-api.md §9) make
that safe: keys are always present, absent values are `null`, refs are `{_href, id}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.exceptions import InvalidInput

SECONDS_PER_DAY = 86_400


def parse_ts(value: Any) -> datetime | None:
    """An ISO-8601 Salesloft timestamp as an aware datetime (microseconds kept), or None.

    Salesloft always sends an offset (`-05:00`, or `Z` on newer resources); a value without
    one is read as UTC rather than producing a naive datetime nobody can compare.
    """
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def ref_id(ref: Any) -> str | None:
    """The id of an embedded reference (`{"_href": ..., "id": 7}` → `"7"`), or None."""
    if not ref:
        return None
    ref_value = ref.get("id")
    return None if ref_value is None else str(ref_value)


def count(counts: Any, key: str) -> int:
    """One integer out of a Salesloft `counts` object; a missing object, key or null is 0."""
    if not counts:
        return 0
    return counts.get(key) or 0


def common_fields(
    rec: Mapping[str, Any], *, is_deleted: bool = False, id_: Any = None
) -> dict[str, Any]:
    """The fields every unified object carries (docs/unified-model.md §2)."""
    created_at = parse_ts(rec.get("created_at"))
    updated_at = parse_ts(rec.get("updated_at"))
    return {
        "id": str(rec["id"] if id_ is None else id_),
        "created_at": created_at,
        "updated_at": updated_at,
        "is_deleted": is_deleted,
        "last_modified_at": updated_at or created_at,
        "raw_data": rec,
    }


def to_int_id(value: Any, field: str) -> int | None:
    """A unified id (a string, as our API serves them) as the integer Salesloft expects.

    None stays None (the caller decides whether to send it); anything that is not a whole
    number raises `InvalidInput` naming `field`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput(field, "must be a Salesloft id (a whole number)")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        digits = value.strip()
        if digits.isascii() and digits.isdecimal():
            return int(digits)
    raise InvalidInput(field, f"must be a Salesloft id (a whole number), got {value!r}")
