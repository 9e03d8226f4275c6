"""Turns a list request's query string into SQL plus the `metadata` echo.

Quirks reproduced from docs/salesloft-api.md §7–§8: per_page outside 1–100 and bad page
numbers are silently corrected (and the corrected value echoed); array filters come as `k[]=v`,
repeated `k=v` or `k=a,b`; unknown parameters are ignored; timestamp operators compare
at microsecond precision; an unparseable timestamp answers 500 like the real API did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import timestamps
from .http import HttpError, unprocessable
from .resources import Resource

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
COUNT_CAP = 10_000  # limit_paging_counts caps the counts here
OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
TRUE = {"true", "t", "1", "yes"}
FALSE = {"false", "f", "0", "no"}


@dataclass
class ListQuery:
    where: str = ""
    params: list[Any] = field(default_factory=list)
    order: str = "id DESC"
    paged: bool = True
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    include_counts: bool = False
    limit_counts: bool = False
    filtering: dict[str, Any] = field(default_factory=dict)
    sorting: dict[str, str] = field(default_factory=dict)


def _int(text: str | None, default: int, low: int, high: int | None = None) -> int:
    try:
        value = int(text) if text is not None else default
    except ValueError:
        return default
    return value if value >= low and (high is None or value <= high) else default


def _split(raw: dict[str, Any], pairs: list[tuple[str, str]]) -> None:
    """Group params: `name[]`, `name` → list of values; `name[op]` → {op: value}."""
    for key, value in pairs:
        if key.endswith("[]"):
            key = key[:-2]
        if key.endswith("]") and "[" in key:
            name, _, op = key[:-1].partition("[")
            slot = raw.setdefault(name, {})
            if isinstance(slot, dict):
                slot[op] = value
        else:
            slot = raw.setdefault(key, [])
            if isinstance(slot, list):
                slot.extend(v for v in value.split(",") if v != "")


def is_true(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE


def parse(
    resource: Resource, pairs: list[tuple[str, str]], bad_timestamp_status: int = 500
) -> ListQuery:
    raw: dict[str, Any] = {}
    _split(raw, pairs)
    query = ListQuery()
    clauses: list[str] = []
    for name, spec in resource.filters.items():
        value = raw.get(name)
        if not value:
            continue
        if spec.kind == "timestamp" and isinstance(value, dict):
            for op, text in value.items():
                if op not in OPERATORS:
                    continue
                try:
                    micros = timestamps.parse(text)
                except ValueError as exc:
                    if bad_timestamp_status == 422:
                        raise unprocessable({name: [f"{text!r} is not a valid timestamp"]}) from exc
                    raise HttpError(500, {"status": 500, "error": "Internal Server Error"}) from exc
                clauses.append(f"{spec.column} {OPERATORS[op]} ?")
                query.params.append(micros)
            query.filtering[name] = value
        elif isinstance(value, list):
            if spec.kind == "bool":
                text = value[-1].strip().lower()
                if text in TRUE | FALSE:
                    clauses.append(f"{spec.column} = ?")
                    query.params.append(1 if text in TRUE else 0)
                    query.filtering[name] = text in TRUE
                continue
            if spec.kind == "on_cadence":  # people currently on any of these cadences
                ids = [int(v) for v in value if v.strip().isdigit()]
                marks = ",".join("?" * len(ids)) or "NULL"
                clauses.append(
                    "id IN (SELECT person_id FROM cadence_memberships"
                    f" WHERE on_cadence = 1 AND cadence_id IN ({marks}))"
                )
                query.params.extend(ids)
                query.filtering[name] = ids
                continue
            if spec.kind == "ints":
                items: list[Any] = [int(v) for v in value if v.strip().lstrip("-").isdigit()]
            elif spec.kind == "lowertexts":
                items = [v.strip().lower() for v in value]
            else:
                items = list(value)
            clauses.append(f"{spec.column} IN ({','.join('?' * len(items))})" if items else "0")
            query.params.extend(items)
            query.filtering[name] = items
    query.where = " WHERE " + " AND ".join(clauses) if clauses else ""
    _sorting(resource, raw, query)
    _paging(resource, raw, query)
    return query


def _last(raw: dict[str, Any], name: str) -> str | None:
    value = raw.get(name)
    return value[-1] if isinstance(value, list) and value else None


def _sorting(resource: Resource, raw: dict[str, Any], query: ListQuery) -> None:
    sort_by = _last(raw, "sort_by") or resource.default_sort
    direction = (_last(raw, "sort_direction") or "DESC").upper()
    if sort_by not in resource.sorts:
        raise unprocessable({"sort_by": [f"'{sort_by}' is not a valid sort field"]})
    if direction not in ("ASC", "DESC"):
        raise unprocessable({"sort_direction": [f"'{direction}' must be ASC or DESC"]})
    column = resource.sorts[sort_by]
    # Ties are broken by id so keyset and offset paging are stable [unverified for Salesloft].
    query.order = f"{column} {direction}" + ("" if column == "id" else f", id {direction}")
    nulls = "NULLS LAST" if direction == "DESC" else "NULLS FIRST"
    query.sorting = {"sort_by": sort_by, "sort_direction": f"{direction} {nulls}"}


def _paging(resource: Resource, raw: dict[str, Any], query: ListQuery) -> None:
    has_page = _last(raw, "page") is not None
    query.paged = resource.paging == "always" or (resource.paging == "with_page" and has_page)
    query.page = _int(_last(raw, "page"), 1, 1)
    query.per_page = _int(_last(raw, "per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    query.include_counts = is_true(_last(raw, "include_paging_counts"))
    query.limit_counts = is_true(_last(raw, "limit_paging_counts"))
