"""GET handlers: lists with the Salesloft envelope, single records, /me and /team."""

from __future__ import annotations

import orjson

from . import query
from .defaults import HISTORY_START
from .http import Response, not_found
from .records import team_record
from .render import data_body, list_body
from .resources import RESOURCES, Resource
from .store import Store
from .timestamps import parse


def list_records(
    store: Store, resource: Resource, pairs: list[tuple[str, str]], bad_timestamp_status: int
) -> Response:
    q = query.parse(resource, pairs, bad_timestamp_status)
    if not q.paged:
        # /v2/users without `page` and /v2/groups: everything, and no `paging` key.
        bodies, _ = store.page(resource, q.where, q.params, q.order, -1, 0)
        return Response(200, list_body({"filtering": q.filtering, "sorting": q.sorting}, bodies))
    offset = (q.page - 1) * q.per_page
    bodies, more = store.page(resource, q.where, q.params, q.order, q.per_page, offset)
    paging: dict[str, int | None] = {
        "per_page": q.per_page,
        "current_page": q.page,
        "next_page": q.page + 1 if more else None,
        "prev_page": q.page - 1 if q.page > 1 else None,
    }
    if q.include_counts:
        total = store.count(resource, q.where, q.params)
        if q.limit_counts:
            total = min(total, query.COUNT_CAP)
        paging["total_pages"] = -(-total // q.per_page)
        paging["total_count"] = total
    metadata = {"filtering": q.filtering, "paging": paging, "sorting": q.sorting}
    return Response(200, list_body(metadata, bodies))


def parse_id(text: str) -> int:
    if not text.isdigit():
        raise not_found()
    return int(text)


def get_record(store: Store, resource: Resource, record_id: str) -> Response:
    body = store.body(resource, parse_id(record_id))
    if body is None:
        raise not_found()
    return Response(200, data_body(body))


def me(store: Store, user_id: int) -> Response:
    return get_record(store, RESOURCES["users"], str(user_id))


def team(team_id: int, name: str) -> Response:
    created = parse(HISTORY_START)
    record = team_record(created=created, updated=created, id=team_id, name=name)
    return Response(200, b'{"data":%s}' % orjson.dumps(record))
