"""Writing unified records into the synced tables: bulk upserts and soft deletes.

This runs for every synced record (≥ 5,000 records/s end to end), so the per-record work is
one tuple of column values. On SQLite and PostgreSQL a page is one prepared
`INSERT … ON CONFLICT (connection_id, id) DO UPDATE` run with `executemany`: the same
statement `bulk_create(update_conflicts=True)` issues, without the ORM's per-field
preparation, which costs ~6 µs per column per row (125 µs per contact; measured). Values are
adapted exactly as the model fields adapt them (datetimes through the backend, JSON as
text), so the ORM reads the rows back unchanged. Other databases use `bulk_create` itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import orjson
from django.db import connection as db
from django.db import models
from django.db.models import Q
from django.utils import timezone

from connectors.models import Connection
from syncs.models.records import EngagementRecord
from syncs.selectors import record_model

UNIQUE_FIELDS = ["connection", "remote_id"]
FAST_VENDORS = {"sqlite", "postgresql"}


def _json_text(value: Any) -> str | None:
    # SQL NULL for None, as JSONField stores it; orjson is ~10× json.dumps and writes the
    # same JSON value (json.dumps is the fallback for what orjson refuses, e.g. huge ints).
    if value is None:
        return None
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def _sqlite_datetime(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, `str()` format),
    in a third of the time of `adapt_datetimefield_value` (three per record add up)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def _getter(names: list[str]) -> Callable[[dict[str, Any]], tuple]:
    """`itemgetter(*names)`, always returning a tuple (itemgetter of one name does not)."""
    if len(names) == 1:
        name = names[0]
        return lambda record: (record[name],)
    if not names:
        return lambda record: ()
    return itemgetter(*names)


class _Upsert:
    """The prepared statement and row builder of one table (built once per model).

    The statement lists the unified columns grouped by how their values are adapted (as they
    are, JSON text, datetimes), so a row is three `itemgetter` tuples: the per-record cost is
    what makes or breaks the throughput target, and this keeps it free of per-field calls
    for plain columns.
    """

    def __init__(self, model: type[EngagementRecord]) -> None:
        self.model = model
        fields = {f.name: f for f in model._meta.concrete_fields}
        self.unified = [n for n in model.unified_field_names() if n != "remote_id"]
        self.update_fields = [*self.unified, "customer_id", "provider_name", "synced_at"]
        self.update_fields.append("last_seen_run_id")
        json_names = [n for n in self.unified if isinstance(fields[n], models.JSONField)]
        time_names = [n for n in self.unified if isinstance(fields[n], models.DateTimeField)]
        plain_names = [n for n in self.unified if n not in {*json_names, *time_names}]
        # The record's `id` is the `id` column; it leads the plain values.
        self.plain = _getter(["id", *plain_names])
        self.json = _getter(json_names)
        self.times = _getter(time_names)
        quote = db.ops.quote_name
        json_cast = "::jsonb" if db.vendor == "postgresql" else ""
        columns = ["connection_id", "customer_id", "provider_name", "id"]
        columns += [fields[n].column for n in [*plain_names, *json_names, *time_names]]
        columns += ["synced_at", "last_seen_run_id"]
        placeholders = ["%s"] * (4 + len(plain_names))
        placeholders += [f"%s{json_cast}"] * len(json_names)
        placeholders += ["%s"] * (len(time_names) + 2)
        updates = [c for c in columns if c not in ("connection_id", "id")]
        self.sql = (
            # Identifiers from the model's own metadata, quoted; values are parameters.
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
            f"VALUES ({', '.join(placeholders)}) "
            f"ON CONFLICT ({quote('connection_id')}, {quote('id')}) DO UPDATE SET "
            + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updates)
        )

    def values(self, rows: list[dict[str, Any]], head: tuple, run_id: int | None) -> list[tuple]:
        adapt = _sqlite_datetime if db.vendor == "sqlite" else db.ops.adapt_datetimefield_value
        tail = (adapt(timezone.now()), run_id)
        plain, json_values, times, j = self.plain, self.json, self.times, _json_text

        def d(value: datetime | None) -> Any:
            return None if value is None else adapt(value)

        return [(*head, *plain(r), *map(j, json_values(r)), *map(d, times(r)), *tail) for r in rows]

    def execute(self, values: list[tuple]) -> None:
        if db.vendor == "postgresql":
            # Django's psycopg cursors bind client-side (parameters quoted into the SQL text);
            # a server-side-binding cursor runs executemany as one pipelined prepared
            # statement, several times faster.
            import psycopg

            db.ensure_connection()
            with psycopg.Cursor(db.connection) as cursor:
                cursor.executemany(self.sql, values)
        else:
            with db.cursor() as cursor:
                cursor.executemany(self.sql, values)


_upserts: dict[tuple[str, type], _Upsert] = {}


def _upsert_for(model: type[EngagementRecord]) -> _Upsert:
    key = (db.vendor, model)
    if key not in _upserts:
        _upserts[key] = _Upsert(model)
    return _upserts[key]


@dataclass
class PreparedRecords:
    """Records turned into column values, ready to be written (see `records_prepare`)."""

    upsert: _Upsert
    rows: list[Any]

    def __len__(self) -> int:
        return len(self.rows)


def records_prepare(
    *,
    connection: Connection,
    object_name: str,
    records: Iterable[dict[str, Any]],
    run_id: int | None = None,
) -> PreparedRecords:
    """The CPU half of an upsert, done before the page's transaction opens so that the
    transaction (and SQLite's write lock) is held only while writing."""
    model = record_model(object_name=object_name)
    # Last one wins if a page repeats an id: PostgreSQL refuses to update a row twice in
    # one statement.
    rows = list({record["id"]: record for record in records}.values())
    now = timezone.now()
    for record in rows:
        if record["last_modified_at"] is None:  # a record without any timestamp
            record["last_modified_at"] = record["updated_at"] or record["created_at"] or now
    upsert = _upsert_for(model)
    head = (connection.pk, connection.customer.customer_id, connection.provider.name)
    if db.vendor in FAST_VENDORS:
        return PreparedRecords(upsert, upsert.values(rows, head, run_id))
    common = dict(zip(("connection_id", "customer_id", "provider_name"), head, strict=True))
    return PreparedRecords(
        upsert,
        [
            model(remote_id=r["id"], last_seen_run_id=run_id, **common,
                  **{name: r[name] for name in upsert.unified})
            for r in rows
        ],
    )  # fmt: skip


def records_write(prepared: PreparedRecords) -> int:
    """Write prepared records in one statement per batch; returns the rows written."""
    if not prepared.rows:
        return 0
    upsert = prepared.upsert
    if db.vendor in FAST_VENDORS:
        upsert.execute(prepared.rows)
    else:
        upsert.model.objects.bulk_create(
            prepared.rows,
            update_conflicts=True,
            unique_fields=UNIQUE_FIELDS,
            update_fields=upsert.update_fields,
        )
    return len(prepared.rows)


def records_upsert(
    *,
    connection: Connection,
    object_name: str,
    records: Iterable[dict[str, Any]],
    run_id: int | None = None,
) -> int:
    """Insert or update unified records (dicts with `id` and every unified field) for
    `connection`; returns the number of rows written. Call inside a transaction to make a
    page atomic. `run_id` stamps `last_seen_run_id`; a write-through passes None (and, being
    written after a full run started, is never counted as unseen by it)."""
    return records_write(
        records_prepare(
            connection=connection, object_name=object_name, records=records, run_id=run_id
        )
    )


def records_newly_deleted(
    *, connection: Connection, object_name: str, records: list[dict[str, Any]]
) -> int:
    """How many of `records` arrive deleted (archived sequences) while stored live: what
    upserting them will delete. A query only for pages that carry deleted records."""
    ids = [record["id"] for record in records if record["is_deleted"]]
    if not ids:
        return 0
    model = record_model(object_name=object_name)
    stored_deleted = model.objects.filter(
        connection=connection, remote_id__in=ids, is_deleted=True
    ).count()
    return len(set(ids)) - stored_deleted


def records_soft_delete_unseen(
    *, connection: Connection, object_name: str, since_run_id: int, pass_started_at: datetime
) -> int:
    """After a successful full pass: mark deleted, in one UPDATE, every live row of this
    connection and object that no run of the pass stamped (run ids grow, and only this
    sync's runs stamp these rows, so "seen by the pass" is `last_seen_run_id >= since_run_id`).
    Rows written since the pass started (write-throughs from the API) are spared: the pass
    may have paged past them already. Returns the number of rows marked."""
    model = record_model(object_name=object_name)
    now = timezone.now()
    return (
        model.objects.filter(connection=connection, is_deleted=False, synced_at__lt=pass_started_at)
        .filter(Q(last_seen_run_id__isnull=True) | Q(last_seen_run_id__lt=since_run_id))
        .update(is_deleted=True, last_modified_at=now, synced_at=now)
    )
