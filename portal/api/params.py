"""Query parameters of the unified lists, parsed strictly: a bad value is a 400 naming it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from portal.api.errors import BadRequest
from portal.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_size_parse

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def bool_param(query, name: str, *, default: bool, aliases: tuple[str, ...] = ()) -> bool:
    for key in (name, *aliases):
        raw = query.get(key)
        if raw is None or raw == "":
            continue
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise BadRequest(f"{key}: must be true or false, got {raw!r}")
    return default


def datetime_param(query, name: str) -> datetime | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    return datetime_parse(raw, name=name)


def choice_param(query, name: str, choices: tuple[str, ...]) -> str | None:
    """The value of `name` if it is one of `choices` (a 400 naming it otherwise); None when
    absent."""
    value = query.get(name)
    if value is not None and value not in choices:
        raise BadRequest(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def comparison_param(query, name: str) -> tuple[str, datetime] | None:
    """Supaglue's `>ISO` / `<ISO` filters → `("gt" | "lt", when)`; None when absent."""
    value = query.get(name)
    if not value:
        return None
    if value[0] not in "<>":
        raise BadRequest(f"{name}: start with > or < then an ISO 8601 date-time, got {value!r}")
    return ("gt" if value[0] == ">" else "lt"), datetime_parse(value[1:], name=name)


def datetime_parse(raw: str, *, name: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is read as UTC."""
    try:
        # A literal "+" in a query string arrives as a space; put it back.
        value = parse_datetime(raw.strip().replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise BadRequest(f"{name}: not an ISO 8601 date-time: {raw!r} (e.g. 2024-01-31T09:00:00Z)")
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        value.astimezone(UTC)  # the database compares in UTC; 9999-12-31T23:00-05:00 has none
    except OverflowError:
        raise BadRequest(f"{name}: out of range: {raw!r}") from None
    return value


@dataclass(frozen=True)
class ListParams:
    page_size: int
    cursor: str | None
    modified_after: datetime | None
    modified_before: datetime | None
    created_after: datetime | None
    created_before: datetime | None
    include_raw_data: bool
    include_deleted: bool


def list_params(query) -> ListParams:
    return ListParams(
        page_size=page_size_parse(query.get("page_size")),
        cursor=query.get("cursor") or None,
        modified_after=datetime_param(query, "modified_after"),
        modified_before=datetime_param(query, "modified_before"),
        created_after=datetime_param(query, "created_after"),
        created_before=datetime_param(query, "created_before"),
        include_raw_data=bool_param(query, "include_raw_data", default=False),
        # Supaglue spelled it include_deleted_data; both are accepted.
        include_deleted=bool_param(
            query, "include_deleted", default=True, aliases=("include_deleted_data",)
        ),
    )


PAGE_SIZE = OpenApiParameter(
    "page_size",
    OpenApiTypes.INT,
    description=f"Records per page (default {DEFAULT_PAGE_SIZE}, max {MAX_PAGE_SIZE}).",
)
CURSOR = OpenApiParameter(
    "cursor", str, description="`pagination.next` (or `previous`) of an earlier page."
)
INCLUDE_RAW_DATA = OpenApiParameter(
    "include_raw_data",
    OpenApiTypes.BOOL,
    description="Include `raw_data`, the provider's record as received (default false).",
)
LIST_PARAMETERS = [
    PAGE_SIZE,
    CURSOR,
    OpenApiParameter(
        "modified_after",
        OpenApiTypes.DATETIME,
        description="Only records whose `last_modified_at` is after this ISO 8601 date-time.",
    ),
    OpenApiParameter(
        "modified_before",
        OpenApiTypes.DATETIME,
        description="Only records whose `last_modified_at` is before this ISO 8601 date-time.",
    ),
    OpenApiParameter(
        "created_after",
        OpenApiTypes.DATETIME,
        description="Only records created (`created_at`) after this ISO 8601 date-time.",
    ),
    OpenApiParameter(
        "created_before",
        OpenApiTypes.DATETIME,
        description="Only records created (`created_at`) before this ISO 8601 date-time.",
    ),
    INCLUDE_RAW_DATA,
    OpenApiParameter(
        "include_deleted",
        OpenApiTypes.BOOL,
        description="Include records deleted in the provider, with `is_deleted: true` "
        "(default true, so a `modified_after` reader learns of deletions).",
    ),
    OpenApiParameter(
        "include_deleted_data",
        OpenApiTypes.BOOL,
        description="Supaglue's name for `include_deleted`.",
        deprecated=True,
    ),
]
