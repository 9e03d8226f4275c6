"""The catalog: each Salesloft collection the sandbox serves, declared as data.

A resource names its SQLite table, the indexed columns pulled out of each record, the
filters and sort keys the real API documents for it (docs/salesloft-api.md §13), its
OAuth scope and how it pages. Everything else (listing, writes, snapshots) reads this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import timestamps

Getter = Callable[[dict[str, Any]], Any]


def _ts(key: str) -> Getter:
    return lambda rec: timestamps.parse(rec[key]) if rec.get(key) else None


def _ref_id(key: str) -> Getter:
    return lambda rec: (rec.get(key) or {}).get("id")


def _lower(key: str) -> Getter:
    return lambda rec: (rec.get(key) or "").lower() or None


def _flag(key: str) -> Getter:
    return lambda rec: 1 if rec.get(key) else 0


@dataclass(frozen=True)
class Filter:
    """One query-string filter. kind: ints | texts | lowertexts | bool | timestamp |
    on_cadence (people currently on the given cadences, via their memberships)."""

    column: str
    kind: str


@dataclass(frozen=True)
class Resource:
    name: str
    # Extra indexed columns beyond id/created_at/updated_at/body, with their getters.
    columns: dict[str, Getter] = field(default_factory=dict)
    filters: dict[str, Filter] = field(default_factory=dict)
    sorts: dict[str, str] = field(
        default_factory=lambda: {"created_at": "created_at", "updated_at": "updated_at"}
    )
    default_sort: str = "updated_at"
    scope: str = ""
    # "always" | "with_page" (users: only when `page` is sent) | "never" (groups)
    paging: str = "always"
    indexes: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        """SQLite table name (`activities/emails` → `activities_emails`)."""
        return self.name.replace("/", "_")


def _common(**extra: Filter) -> dict[str, Filter]:
    return {"ids": Filter("id", "ints"), "updated_at": Filter("updated_at", "timestamp"), **extra}


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in [
        Resource(
            "users",
            columns={"guid": lambda r: r["guid"], "active": _flag("active")},
            filters={
                "ids": Filter("id", "ints"),
                "guid": Filter("guid", "texts"),
                "active": Filter("active", "bool"),
            },
            sorts={
                "id": "id",
                "email": "json_extract(body, '$.email')",
                "name": "json_extract(body, '$.name')",
            },
            default_sort="id",
            scope="team",
            paging="with_page",
        ),
        Resource(
            "accounts",
            columns={
                "name": lambda r: r["name"],
                "domain": _lower("domain"),
                "archived": lambda r: 1 if r.get("archived_at") else 0,
                "owner_id": _ref_id("owner"),
            },
            filters=_common(
                created_at=Filter("created_at", "timestamp"),
                domain=Filter("domain", "lowertexts"),
                name=Filter("name", "texts"),
                archived=Filter("archived", "bool"),
                owner_id=Filter("owner_id", "ints"),
            ),
            sorts={"created_at": "created_at", "updated_at": "updated_at", "name": "name"},
            scope="accounts",
            indexes=("domain", "name"),
        ),
        Resource(
            "people",
            columns={
                "email": _lower("email_address"),
                "account_id": _ref_id("account"),
                "owner_id": _ref_id("owner"),
                "name": lambda r: r["display_name"],
            },
            filters=_common(
                created_at=Filter("created_at", "timestamp"),
                email_addresses=Filter("email", "lowertexts"),
                account_id=Filter("account_id", "ints"),
                owner_id=Filter("owner_id", "ints"),
                cadence_id=Filter("id", "on_cadence"),
            ),
            sorts={
                "created_at": "created_at",
                "updated_at": "updated_at",
                "name": "name",
            },
            scope="people",
            indexes=("email", "created_at, id"),
        ),
        Resource(
            "cadences",
            columns={
                "name": lambda r: r["name"],
                "archived": lambda r: 1 if r.get("archived_at") else 0,
                "team_cadence": _flag("team_cadence"),
                "shared": _flag("shared"),
            },
            filters=_common(
                name=Filter("name", "texts"),
                archived=Filter("archived", "bool"),
                team_cadence=Filter("team_cadence", "bool"),
                shared=Filter("shared", "bool"),
            ),
            sorts={"created_at": "created_at", "updated_at": "updated_at", "name": "name"},
            scope="cadences",
        ),
        Resource(
            "steps",
            columns={"cadence_id": _ref_id("cadence"), "type": lambda r: r["type"]},
            filters={
                "ids": Filter("id", "ints"),
                "cadence_id": Filter("cadence_id", "ints"),
                "type": Filter("type", "texts"),
            },
            scope="cadences",
            indexes=("cadence_id",),
        ),
        Resource(
            "cadence_memberships",
            columns={
                "person_id": _ref_id("person"),
                "cadence_id": _ref_id("cadence"),
                "added_at": _ts("added_at"),
                "on_cadence": _flag("currently_on_cadence"),
            },
            filters=_common(
                person_id=Filter("person_id", "ints"),
                cadence_id=Filter("cadence_id", "ints"),
                currently_on_cadence=Filter("on_cadence", "bool"),
            ),
            sorts={"added_at": "added_at", "updated_at": "updated_at"},
            scope="cadences",
            indexes=("person_id", "cadence_id"),
        ),
        Resource(
            "activities/emails",
            columns={
                "person_id": _ref_id("recipient"),
                "cadence_id": _ref_id("cadence"),
                "step_id": _ref_id("step"),
                "sent_at": _ts("sent_at"),
                "email": _lower("recipient_email_address"),
            },
            filters=_common(
                sent_at=Filter("sent_at", "timestamp"),
                person_id=Filter("person_id", "ints"),
                cadence_id=Filter("cadence_id", "ints"),
                step_id=Filter("step_id", "ints"),
                email_addresses=Filter("email", "lowertexts"),
            ),
            sorts={"updated_at": "updated_at", "send_time": "sent_at"},
            scope="emails",
            indexes=("person_id",),
        ),
        Resource(
            "custom_fields",
            columns={"field_type": lambda r: r["field_type"]},
            filters=_common(field_type=Filter("field_type", "texts")),
            scope="accounts",
        ),
        Resource("groups", sorts={"id": "id"}, default_sort="id", scope="team", paging="never"),
    ]
}


def row_values(resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
    """The indexed column values of one record, as stored next to its JSON body."""
    # Groups carry no timestamps; 0 keeps the NOT NULL columns uniform.
    values = {
        "id": record["id"],
        "created_at": timestamps.parse(record["created_at"]) if "created_at" in record else 0,
        "updated_at": timestamps.parse(record["updated_at"]) if "updated_at" in record else 0,
    }
    for column, getter in resource.columns.items():
        values[column] = getter(record)
    return values
