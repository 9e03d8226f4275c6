"""The sandbox's data store: one SQLite file, one table per resource.

Each row holds the record's pre-rendered JSON (`body`) plus the indexed columns that
filters and sorts need, so a page is a keyset/offset query plus string concatenation
and memory never grows with the data size. Connections are per thread because
waitress serves from a thread pool; writes are serialised by one lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from .resources import RESOURCES, Resource, row_values

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
_TOKENS = """CREATE TABLE IF NOT EXISTS oauth_tokens (
    token TEXT PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL, user_id INTEGER,
    scope TEXT NOT NULL, redirect_uri TEXT, expires_at REAL, used INTEGER NOT NULL DEFAULT 0)"""


def schema_statements(resource: Resource) -> list[str]:
    """CREATE TABLE for a resource; its secondary indexes come from index_statements()."""
    extra = "".join(f", {column}" for column in resource.columns)
    return [
        f"CREATE TABLE IF NOT EXISTS {resource.table} (id INTEGER PRIMARY KEY, "
        f"created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL{extra}, body TEXT NOT NULL)"
    ]


def index_statements(resource: Resource) -> list[str]:
    """Indexes, built after bulk loading because that is much faster than during it."""
    table = resource.table
    statements = [f"CREATE INDEX IF NOT EXISTS {table}_updated ON {table} (updated_at, id)"]
    for i, columns in enumerate(resource.indexes):
        statements.append(f"CREATE INDEX IF NOT EXISTS {table}_ix{i} ON {table} ({columns})")
    return statements


def insert_sql(resource: Resource) -> str:
    columns = ["id", "created_at", "updated_at", *resource.columns, "body"]
    marks = ", ".join("?" * len(columns))
    return f"INSERT OR REPLACE INTO {resource.table} ({', '.join(columns)}) VALUES ({marks})"


class Store:
    """Thread-safe access to the SQLite file at `path`."""

    def __init__(self, path: Path, id_floor: int = 0) -> None:
        self.path = path
        # A team's ids start above this (teams.py), even in a table that starts empty.
        self.id_floor = id_floor
        self.write_lock = threading.RLock()
        self._local = threading.local()
        # Counts of a query, until the next write: clients that ask for paging counts on
        # every page (include_paging_counts) would otherwise scan the range every time.
        self._counts: dict[tuple, int] = {}
        self._generation = 0  # bumped by every write
        # Told of every change, under the write lock: (resource, "created"|"updated"|
        # "deleted", the record's JSON). The webhooks (webhooks.py) listen here.
        self.on_change: Callable[[Resource, str, str], None] | None = None

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA cache_size = -8000")
            self._local.conn = conn
        return conn

    def prepare_for_serving(self) -> None:
        """WAL lets readers proceed while a write commits; create runtime tables; start
        warming the OS cache with the file (see warm_file)."""
        threading.Thread(
            target=warm_file, args=(self.path,), name="sandbox-store-warm", daemon=True
        ).start()
        conn = self.connection()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(_META)
        conn.execute(_TOKENS)

    # -- meta -------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        try:
            row = (
                self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            )
        except sqlite3.OperationalError:
            return None
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        conn = self.connection()
        conn.execute(_META)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- reads ------------------------------------------------------------------
    def page(
        self,
        resource: Resource,
        where: str,
        params: Sequence[Any],
        order: str,
        limit: int,
        offset: int,
    ) -> tuple[list[str], bool]:
        """Bodies of one page, and whether more records follow it (limit < 0: all).
        Ids are picked from the index first (cheap even for deep offsets), then the
        bodies are fetched by primary key."""
        conn = self.connection()
        sql = f"SELECT id FROM {resource.table}{where} ORDER BY {order} LIMIT ? OFFSET ?"
        ids = [
            row[0] for row in conn.execute(sql, (*params, limit + 1 if limit >= 0 else -1, offset))
        ]
        more = 0 <= limit < len(ids)
        if more:
            ids = ids[:limit]
        if not ids:
            return [], more
        bodies: dict[int, str] = {}
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, body FROM {resource.table} WHERE id IN ({marks})"
            bodies.update(conn.execute(sql, chunk).fetchall())
        return [bodies[i] for i in ids if i in bodies], more

    def count(self, resource: Resource, where: str, params: Sequence[Any]) -> int:
        key = (resource.table, where, tuple(params))
        cached = self._counts.get(key)
        if cached is not None:
            return cached
        generation = self._generation
        sql = f"SELECT COUNT(*) FROM {resource.table}{where}"
        value = self.connection().execute(sql, key[2]).fetchone()[0]
        with self.write_lock:
            if generation == self._generation:  # no write since: the count is current
                if len(self._counts) > 4096:
                    self._counts.clear()
                self._counts[key] = value
        return value

    def _written(self) -> None:
        """Called under the write lock after every change to a resource table."""
        self._generation += 1
        self._counts.clear()

    def body(self, resource: Resource, record_id: int) -> str | None:
        sql = f"SELECT body FROM {resource.table} WHERE id = ?"
        row = self.connection().execute(sql, (record_id,)).fetchone()
        return row[0] if row else None

    def record(self, resource: Resource, record_id: int) -> dict[str, Any] | None:
        text = self.body(resource, record_id)
        return orjson.loads(text) if text is not None else None

    def find_id(self, resource: Resource, column: str, value: Any) -> int | None:
        sql = f"SELECT id FROM {resource.table} WHERE {column} = ? LIMIT 1"
        row = self.connection().execute(sql, (value,)).fetchone()
        return row[0] if row else None

    def ids_at_or_after(self, resource: Resource, start: int, limit: int) -> list[int]:
        sql = f"SELECT id FROM {resource.table} WHERE id >= ? ORDER BY id LIMIT ?"
        return [row[0] for row in self.connection().execute(sql, (start, limit))]

    def max_id(self, resource: Resource) -> int:
        row = self.connection().execute(f"SELECT MAX(id) FROM {resource.table}").fetchone()
        return max(row[0] or 0, self.id_floor)

    def snapshot(self, resource: Resource) -> Iterator[tuple[int, int]]:
        """(id, updated_at) of every record in id order, read in chunks on its own
        connection so a long stream never holds the shared one."""
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            cursor = conn.execute(f"SELECT id, updated_at FROM {resource.table} ORDER BY id")
            while chunk := cursor.fetchmany(5000):
                yield from chunk
        finally:
            conn.close()

    # -- writes -----------------------------------------------------------------
    def save(self, resource: Resource, record: dict[str, Any]) -> str:
        """Insert or replace one record; returns its freshly rendered JSON."""
        body = orjson.dumps(record).decode()
        values = row_values(resource, record)
        with self.write_lock:
            listener = self.on_change
            existed = listener is not None and self.body(resource, record["id"]) is not None
            self.connection().execute(insert_sql(resource), (*values.values(), body))
            self._written()
            if listener is not None:
                listener(resource, "updated" if existed else "created", body)
        return body

    def delete(self, resource: Resource, record_id: int) -> bool:
        with self.write_lock:
            listener = self.on_change
            body = self.body(resource, record_id) if listener is not None else None
            sql = f"DELETE FROM {resource.table} WHERE id = ?"
            deleted = self.connection().execute(sql, (record_id,)).rowcount > 0
            self._written()
            if listener is not None and deleted and body is not None:
                listener(resource, "deleted", body)
            return deleted


def warm_file(path: Path, chunk: int = 1 << 20) -> int:
    """Pull the store file into the OS page cache in one sequential pass; returns the
    bytes covered. Rows live in id order while syncs read in `updated_at` order, so every
    record of a page is a random read: from a cold cache, at 1,000,000 people (2.5 GB),
    those reads made the sandbox the slow side of a sync (4,099 vs 5,253 records/s warm).
    Sequential reads are cheap, and this runs on a daemon thread while serving starts.
    Helps while the store fits in memory; it changes nothing that a client can observe."""
    # A real read, not posix_fadvise(WILLNEED): Linux returned at once and left the
    # file cold. readinto releases the GIL, so serving threads are not held up.
    try:
        with open(path, "rb") as file:
            buffer, covered = bytearray(chunk), 0
            while read := file.readinto(buffer):
                covered += read
            return covered
    except OSError:  # only a cache hint: never let it stop the sandbox
        return 0


def all_resources() -> list[Resource]:
    return list(RESOURCES.values())
