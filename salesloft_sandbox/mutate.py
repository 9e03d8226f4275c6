"""POST /_sandbox/mutate: change the data like real users would, between two syncs.

Deterministic for a seed: the n-th mutation call of a store draws from
`Random(seed, n)`, so the same sequence of calls picks the same records.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from . import cadences, vocab, writes
from .http import HttpError
from .resources import RESOURCES, Resource

if TYPE_CHECKING:
    from .app import SandboxApp

ACTIONS = ("update", "delete", "create", "archive")
_DELETE = {
    "people": writes.person_delete,
    "accounts": writes.account_delete,
    "cadence_memberships": cadences.membership_remove,
}


def _bad(message: str) -> HttpError:
    return HttpError(400, {"status": 400, "error": message})


def pick_ids(
    app: SandboxApp, resource: Resource, count: int, rng: random.Random, skip: set[int]
) -> list[int]:
    """`count` distinct existing ids drawn uniformly over the id range (never loads
    the table: each draw is one index lookup)."""
    store = app.store
    high = store.max_id(resource)
    low_ids = store.ids_at_or_after(resource, 0, 1)
    if not low_ids:
        return []
    chosen: list[int] = []
    for _ in range(count * 20):
        if len(chosen) >= count:
            break
        found = store.ids_at_or_after(resource, rng.randint(low_ids[0], high), 1)
        if found and found[0] not in skip:
            skip.add(found[0])
            chosen.append(found[0])
    return chosen


def mutate(app: SandboxApp, body: dict[str, Any]) -> dict[str, Any]:
    resource = RESOURCES.get(str(body.get("resource")))
    if resource is None:
        raise _bad(f"unknown resource; use one of {sorted(RESOURCES)}")
    counts = {action: int(body.get(action) or 0) for action in ACTIONS}
    if counts["archive"] and resource.name != "cadences":
        raise _bad("only cadences can be archived")
    if counts["delete"] and resource.name not in _DELETE:
        raise _bad(f"{resource.name} cannot be deleted")
    if counts["create"] and resource.name not in (
        "people",
        "accounts",
        "cadence_memberships",
        "cadences",
    ):
        raise _bad(f"{resource.name} cannot be created")
    with app.store.write_lock:
        number = int(app.store.meta("mutations") or 0) + 1
        app.store.set_meta("mutations", str(number))
        rng = random.Random(app.config.shape.seed * 1_000_003 + number)
        seen: set[int] = set()
        result: dict[str, Any] = {"resource": resource.name, "mutation": number}
        result["updated"] = [
            _update(app, resource, i, rng)
            for i in pick_ids(app, resource, counts["update"], rng, seen)
        ]
        result["deleted"] = pick_ids(app, resource, counts["delete"], rng, seen)
        for record_id in result["deleted"]:
            _DELETE[resource.name](app.store, app.clock, record_id)
        result["archived"] = _archive(app, counts["archive"], rng, seen)
        result["created"] = [
            _create(app, resource.name, number, k, rng) for k in range(counts["create"])
        ]
    return result


def _update(app: SandboxApp, resource: Resource, record_id: int, rng: random.Random) -> int:
    if resource.name == "people":
        title = vocab.TITLES[rng.randrange(len(vocab.TITLES))]
        writes.person_save(
            app.store, app.clock, {"title": title[0], "job_seniority": title[1]}, record_id
        )
    elif resource.name == "accounts":
        size = vocab.SIZES[rng.randrange(len(vocab.SIZES))]
        writes.account_save(app.store, app.clock, {"size": size}, record_id)
    else:
        writes.touch(app.store, app.clock, resource.name, record_id)
    return record_id


def _archive(app: SandboxApp, count: int, rng: random.Random, seen: set[int]) -> list[int]:
    archived: list[int] = []
    cadence_table = RESOURCES["cadences"]
    for record_id in pick_ids(app, cadence_table, count * 4, rng, seen):
        if len(archived) == count:
            break
        record = app.store.record(cadence_table, record_id)
        if record and not record["archived_at"]:
            cadences.cadence_archive(app.store, app.clock, record_id)
            archived.append(record_id)
    return archived


def _create(app: SandboxApp, name: str, number: int, k: int, rng: random.Random) -> int:
    store, clock = app.store, app.clock
    first = vocab.FIRST_NAMES[rng.randrange(len(vocab.FIRST_NAMES))]
    last = vocab.LAST_NAMES[rng.randrange(len(vocab.LAST_NAMES))]
    if name == "accounts":
        prefix = vocab.COMPANY_PREFIX[rng.randrange(len(vocab.COMPANY_PREFIX))]
        body = {
            "name": f"{prefix} Ventures {number}-{k}",
            "domain": f"{prefix.lower()}ventures{number}-{k}.com",
        }
        return writes.account_save(store, clock, body)["id"]
    if name == "people":
        accounts = pick_ids(app, RESOURCES["accounts"], 1, rng, set())
        account = store.record(RESOURCES["accounts"], accounts[0]) if accounts else None
        domain = account["domain"] if account else "example.com"
        body = {
            "first_name": first,
            "last_name": last,
            "title": "Account Executive",
            "email_address": f"{first.lower()}.{last.lower()}.m{number}x{k}@{domain}",
            "account_id": account["id"] if account else None,
        }
        return writes.person_save(store, clock, body)["id"]
    if name == "cadences":
        body = {
            "settings": {"name": f"Sandbox Mutation {number}-{k}"},
            "cadence_content": {
                "step_groups": [{"day": 1, "steps": [{"type": "Email", "name": "Intro"}]}]
            },
        }
        return cadences.cadence_import(store, clock, body, app.team.admin_user_id)["cadence"]["id"]
    people = pick_ids(app, RESOURCES["people"], 1, rng, set())
    open_cadences = (
        store.connection()
        .execute("SELECT id FROM cadences WHERE archived = 0 ORDER BY id LIMIT 50")
        .fetchall()
    )
    if not people or not open_cadences:
        raise _bad("no person or open cadence to add a membership for")
    cadence_id = open_cadences[rng.randrange(len(open_cadences))][0]
    return cadences.membership_add(
        store, clock, {"person_id": people[0], "cadence_id": cadence_id}, app.team.admin_user_id
    )["id"]
