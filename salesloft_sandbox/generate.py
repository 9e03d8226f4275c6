"""Deterministic bulk generation of a whole Salesloft team into a fresh SQLite file.

One pass walks the accounts in id order and emits each account, its people, their
cadence memberships and their email activities, so every reference points at a real
record without holding the data in memory. Rows go in with `executemany` in large
batches under `journal_mode=OFF`; indexes are built afterwards (much faster).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sqlite3
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

import orjson

from . import records, vocab
from .config import DataShape
from .defaults import ADMIN_USER_ID, HISTORY_END, HISTORY_START, TEAM_ID, USER_EMAIL_DOMAIN
from .people import PeopleWriter, Timeline, account_bounds
from .resources import RESOURCES
from .store import index_statements, insert_sql, schema_statements

FIRST_ID = {
    "users": ADMIN_USER_ID, "groups": 120, "custom_fields": 34590, "cadences": 30001,
    "steps": 198001, "accounts": 4100001, "people": 55500001, "cadence_memberships": 71000001,
    "activities/emails": 8800001,
}  # fmt: skip
BATCH = 20_000


class Batches:
    """Buffers rows per table and flushes them with executemany (or, without a
    connection, just collects them for a worker process to hand back)."""

    def __init__(self, conn: sqlite3.Connection | None) -> None:
        self.conn = conn
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in RESOURCES}
        self.counts: dict[str, int] = dict.fromkeys(RESOURCES, 0)

    def add(self, resource: str, row: tuple[Any, ...]) -> None:
        rows = self.rows[resource]
        rows.append(row)
        if len(rows) >= BATCH and self.conn is not None:
            self.flush(resource)

    def add_record(self, resource: str, record: dict[str, Any], *columns: Any) -> None:
        """Row = indexed columns in the catalog's order, then the JSON body."""
        self.add(resource, (*columns, orjson.dumps(record).decode()))

    def flush(self, resource: str | None = None) -> None:
        if self.conn is None:
            raise RuntimeError("flush() before the store was opened")
        for name in [resource] if resource else list(self.rows):
            if self.rows[name]:
                self.conn.executemany(insert_sql(RESOURCES[name]), self.rows[name])
                self.counts[name] += len(self.rows[name])
                self.rows[name] = []

    def insert_all(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        for name, chunk in rows.items():
            if chunk:
                self.conn.executemany(insert_sql(RESOURCES[name]), chunk)  # type: ignore[union-attr]
                self.counts[name] += len(chunk)


# Accounts per unit of parallel work; big data sets are split over worker processes.
CHUNK_ACCOUNTS = 1500
PARALLEL_FROM_PEOPLE = 50_000
_job: dict[str, Any] = {}


def _people_chunk(first_account: int) -> dict[str, list[tuple[Any, ...]]]:
    """Worker-process entry point: generate one chunk of accounts and return its rows."""
    collected = Batches(None)
    stop = min(first_account + CHUNK_ACCOUNTS, len(_job["bounds"]) - 1)
    PeopleWriter(collected, first_account=first_account, stop_account=stop, **_job).run()
    return collected.rows


def _people(out: Batches, job: dict[str, Any], workers: int) -> None:
    _job.clear()
    _job.update(job)
    starts = range(0, len(job["bounds"]) - 1, CHUNK_ACCOUNTS)
    if workers <= 1:
        for start in starts:
            out.insert_all(_people_chunk(start))
        return
    # fork: the workers inherit _job instead of pickling it for every chunk. At most
    # two chunks per worker are in flight, so memory stays bounded if inserting lags.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        for start in starts:
            pending.append(pool.apply_async(_people_chunk, (start,)))
            if len(pending) >= workers * 2:
                out.insert_all(pending.popleft().get())
        while pending:
            out.insert_all(pending.popleft().get())


def _users(
    out: Batches, rng: random.Random, count: int, tl: Timeline, first_id: dict[str, int],
    team_id: int, email_domain: str,
) -> list[int]:  # fmt: skip
    ids = []
    for n in range(count):
        user_id = first_id["users"] + n
        first = vocab.FIRST_NAMES[rng.randrange(len(vocab.FIRST_NAMES))]
        last = vocab.LAST_NAMES[rng.randrange(len(vocab.LAST_NAMES))]
        created = tl.start + n * 3_600_000_000 + rng.randrange(3_600_000_000)
        updated = created + rng.randrange(tl.end - created)
        _, _, zone, offset = vocab.PLACES[n % len(vocab.PLACES)]
        guid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        record = records.user_record(
            id=user_id, guid=guid, created=created, updated=updated, first=first, last=last,
            email=f"{first.lower()}.{last.lower()}{n}@{email_domain}", admin=n == 0,
            job_role=vocab.JOB_ROLES[n % len(vocab.JOB_ROLES)], time_zone=zone, utc_offset=offset,
            group_id=first_id["groups"] + n % 3 if n else None, team_id=team_id,
        )  # fmt: skip
        out.add_record("users", record, user_id, created, updated, guid, 1)
        ids.append(user_id)
    for n, name in enumerate(("Sales", "Sales - East", "Sales - West")):
        group = records.group_record(id=first_id["groups"] + n, name=name,
                                     parent_id=first_id["groups"] if n else None)  # fmt: skip
        out.add_record("groups", group, group["id"], 0, 0)
    fields = (("Segment", "company"), ("Lead Source", "person"), ("Persona", "person"),
              ("Renewal Quarter", "company"), ("Deal Size", "opportunity"))  # fmt: skip
    for n, (name, kind) in enumerate(fields):
        created = tl.start + n * 86_400_000_000
        field = records.custom_field_record(
            id=first_id["custom_fields"] + n,
            created=created,
            updated=created,
            name=name,
            field_type=kind,
        )
        out.add_record("custom_fields", field, field["id"], created, created, kind)
    return ids


def _cadences(
    out: Batches, rng: random.Random, count: int, users: list[int], tl: Timeline,
    first_id: dict[str, int],
) -> dict:  # fmt: skip
    """Returns {cadence_id: (archived, [email step ids])} for the membership pass."""
    cadences: dict[int, tuple[bool, list[int]]] = {}
    step_id = first_id["steps"]
    for n in range(count):
        cadence_id = first_id["cadences"] + n
        created = tl.start + (tl.end - tl.start) * n // (count * 2) + rng.randrange(86_400_000_000)
        updated = created + rng.randrange(tl.end - created)
        archived = updated if n % 5 == 1 else None  # "some archived cadences"
        theme = vocab.CADENCE_THEMES[n % len(vocab.CADENCE_THEMES)]
        name = f"{theme} #{n // len(vocab.CADENCE_THEMES) + 1}"
        team, shared = n % 3 == 0, n % 2 == 0
        cadence = records.cadence_record(
            id=cadence_id, created=created, updated=updated, name=name, archived=archived,
            owner_id=users[n % len(users)], team_cadence=team, shared=shared,
            target_daily_people=10 + n % 40, latest_active=None if archived else updated,
            tags=["sandbox"] if n % 4 == 0 else [],
        )  # fmt: skip
        out.add_record("cadences", cadence, cadence_id, created, updated, name,
                       1 if archived else 0, int(team), int(shared))  # fmt: skip
        email_steps = []
        for k in range(3 + n % 6):
            kind = vocab.STEP_TYPES[k % len(vocab.STEP_TYPES)]
            day = 1 + k * 2
            step = records.step_record(
                id=step_id, created=created, updated=created, cadence_id=cadence_id, day=day,
                step_number=1 + k % 2, type=kind, name=f"{theme} {kind} {k + 1}",
            )  # fmt: skip
            out.add_record("steps", step, step_id, created, created, cadence_id, kind)
            if kind == "email":
                email_steps.append(step_id)
            step_id += 1
        cadences[cadence_id] = (archived is not None, email_steps)
    return cadences


def generate(
    path: Path,
    shape: DataShape,
    *,
    id_offset: int = 0,
    team_id: int = TEAM_ID,
    email_domain: str = USER_EMAIL_DOMAIN,
    fingerprint: str | None = None,
) -> dict[str, Any]:
    """Write a fresh store for `shape` at `path` (replacing any file there).
    `id_offset`, `team_id` and `email_domain` set a team's identity (teams.py; the
    defaults are team 1's); `fingerprint` defaults to the shape's.
    Returns counts per resource and the elapsed seconds."""
    first_id = {name: first + id_offset for name, first in FIRST_ID.items()}
    started = time.perf_counter()
    shape = shape.resolved()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    conn = sqlite3.connect(partial, isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "locking_mode = EXCLUSIVE",
                   "temp_store = MEMORY", "cache_size = -200000", "page_size = 8192"):  # fmt: skip
        conn.execute(f"PRAGMA {pragma}")
    for resource in RESOURCES.values():
        for statement in schema_statements(resource):
            conn.execute(statement)
    conn.execute("BEGIN")
    out = Batches(conn)
    rng = random.Random(shape.seed)
    tl = Timeline(HISTORY_START, HISTORY_END)
    users = _users(out, rng, shape.users, tl, first_id, team_id, email_domain)
    cadences = _cadences(out, rng, shape.cadences, users, tl, first_id)
    out.flush()
    bounds = account_bounds(rng, shape.people, shape.accounts or 1)
    job = {"shape": shape, "tl": tl, "users": users, "cadences": cadences,
           "first_id": first_id, "bounds": bounds}  # fmt: skip
    cores = os.cpu_count() or 1
    _people(out, job, min(cores, 4) if shape.people >= PARALLEL_FROM_PEOPLE and cores > 1 else 1)
    conn.execute("COMMIT")
    for resource in RESOURCES.values():
        for statement in index_statements(resource):
            conn.execute(statement)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    fingerprint = fingerprint or shape.fingerprint()
    conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
    conn.close()
    partial.replace(path)
    return {"counts": out.counts, "seconds": round(time.perf_counter() - started, 2)}
