"""Fake CRM's data, in memory: one team per API key, records as its API would send them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

KEY = "fake-crm-key"
TEAM = {"id": "fc-team-1", "user_id": "fc-user-7"}
T0 = datetime(2024, 5, 1, tzinfo=UTC)
_ids = count(1000)
RECORDS: dict[str, list[dict[str, Any]]] = {}


def reset(*, accounts: int = 3, contacts: int = 5) -> None:
    RECORDS["companies"] = [
        {"uid": f"co-{n}", "title": f"Company {n}", "web": f"co{n}.example", "changed": T0
         + timedelta(minutes=n)}
        for n in range(accounts)
    ]  # fmt: skip
    RECORDS["people"] = [
        {"uid": f"pe-{n}", "given": f"Person{n}", "family": "Fake", "mail": f"p{n}@fake.example",
         "company": f"co-{n % accounts}", "changed": T0 + timedelta(minutes=n)}
        for n in range(contacts)
    ]  # fmt: skip


def add(collection: str, record: dict[str, Any]) -> dict[str, Any]:
    stored = {**record, "uid": f"pe-{next(_ids)}", "changed": datetime.now(UTC)}
    RECORDS[collection].append(stored)
    return stored
