"""Cadence writes: memberships (add/remove a person), cadence imports and exports
(docs/salesloft-api.md §13.4–13.7). Plain POST/PUT/DELETE of cadences does not exist in
Salesloft."""

from __future__ import annotations

from typing import Any

import orjson

from . import records
from .http import not_found, unprocessable
from .resources import RESOURCES
from .store import Store
from .timestamps import Clock, parse, render

CADENCES, STEPS = RESOURCES["cadences"], RESOURCES["steps"]
MEMBERSHIPS, PEOPLE = RESOURCES["cadence_memberships"], RESOURCES["people"]
_STEP_TYPES = {"email": "email", "phone": "phone", "integration": "integration"}


def _as_id(value: Any) -> int | None:
    return int(value) if value is not None and str(value).strip().isdigit() else None


def membership_add(store: Store, clock: Clock, params: dict[str, Any], caller_id: int) -> dict:
    """Add a person to a cadence. Re-adding reuses the single (person, cadence)
    membership, as Salesloft does. `params` merges the query string and the body."""
    person_id, cadence_id = _as_id(params.get("person_id")), _as_id(params.get("cadence_id"))
    errors: dict[str, list[str]] = {}
    for key, value in (("person_id", person_id), ("cadence_id", cadence_id)):
        if value is None:
            errors[key] = ["is required"]
    if person_id is not None and store.body(PEOPLE, person_id) is None:
        errors["person_id"] = ["is invalid"]
    cadence = store.record(CADENCES, cadence_id) if cadence_id is not None else None
    if cadence_id is not None and cadence is None:
        errors["cadence_id"] = ["is invalid"]
    elif cadence and cadence["archived_at"]:
        errors["cadence_id"] = ["cadence is archived"]
    if errors:
        raise unprocessable(errors)
    user_id = _as_id(params.get("user_id")) or caller_id
    with store.write_lock:
        now = clock.now()
        row = (
            store.connection()
            .execute(
                "SELECT body FROM cadence_memberships WHERE person_id = ? AND cadence_id = ?",
                (person_id, cadence_id),
            )
            .fetchone()
        )
        if row:
            record = orjson.loads(row[0])
            record.update(
                added_at=render(now),
                updated_at=render(now),
                currently_on_cadence=True,
                current_state="active",
                person_deleted=False,
            )
        else:
            record = records.membership_record(
                id=store.max_id(MEMBERSHIPS) + 1,
                created=now,
                updated=now,
                added=now,
                person_id=person_id,
                cadence_id=cadence_id,
                user_id=user_id,
                state="active",
            )
        store.save(MEMBERSHIPS, record)
        return record


def membership_remove(store: Store, clock: Clock, membership_id: int) -> None:
    """DELETE removes the person from the cadence. The membership itself is history and
    stays listed with `currently_on_cadence: false` (docs/salesloft-api.md §13.7);
    idempotent."""
    with store.write_lock:
        record = store.record(MEMBERSHIPS, membership_id)
        if record is None or record["current_state"] == "removed":
            return
        now = render(clock.now())
        record.update(currently_on_cadence=False, current_state="removed", updated_at=now)
        store.save(MEMBERSHIPS, record)


def cadence_import(store: Store, clock: Clock, body: dict[str, Any], caller_id: int) -> dict:
    """POST /v2/cadence_imports: a cadence and its steps from settings + step_groups, or,
    with `cadence_content.cadence_id`, more steps imported into that existing cadence
    (settings and sharing are then optional and ignored)."""
    settings = body.get("settings") if isinstance(body.get("settings"), dict) else {}
    sharing = body.get("sharing_settings") if isinstance(body.get("sharing_settings"), dict) else {}
    content = body.get("cadence_content") if isinstance(body.get("cadence_content"), dict) else {}
    groups = content.get("step_groups") or []
    into = _as_id(content.get("cadence_id"))
    if content.get("cadence_id") is not None and (into is None or not store.record(CADENCES, into)):
        raise unprocessable({"cadence_content.cadence_id": ["is invalid"]})
    if into is None and not (settings.get("name") or "").strip():
        raise unprocessable({"settings.name": ["can't be blank"]})
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise unprocessable({"cadence_content.step_groups": ["must be a list of step groups"]})
    truthy = lambda v: v is True or str(v).lower() in ("true", "1")  # noqa: E731
    with store.write_lock:
        now = clock.now()
        numbers: dict[int, int] = {}  # steps already on each day of the cadence
        if into is not None:
            cadence_id = into
            rows = store.connection().execute(
                "SELECT body FROM steps WHERE cadence_id = ?", (cadence_id,)
            )
            for (text,) in rows.fetchall():
                day = orjson.loads(text)["day"]
                numbers[day] = numbers.get(day, 0) + 1
        else:
            cadence_id = store.max_id(CADENCES) + 1
            cadence = records.cadence_record(
                id=cadence_id,
                created=now,
                updated=now,
                name=settings["name"].strip(),
                owner_id=caller_id,
                archived=None,
                team_cadence=truthy(sharing.get("team_cadence")),
                shared=truthy(sharing.get("shared")),
                cadence_function=settings.get("cadence_function") or "outbound",
                remove_bounced=truthy(settings.get("remove_bounced", True)),
                remove_replied=truthy(settings.get("remove_replied", True)),
                target_daily_people=int(settings.get("target_daily_people") or 0),
                external_identifier=settings.get("external_identifier"),
            )
            store.save(CADENCES, cadence)
        step_id = store.max_id(STEPS) + 1
        for group in groups:
            day = int(group.get("day") or 1)
            for step in group.get("steps") or []:
                numbers[day] = numbers.get(day, 0) + 1
                kind = _STEP_TYPES.get(str(step.get("type", "")).lower(), "other")
                store.save(
                    STEPS,
                    records.step_record(
                        id=step_id,
                        created=now,
                        updated=now,
                        cadence_id=cadence_id,
                        day=day,
                        step_number=numbers[day],
                        type=kind,
                        name=step.get("name") or kind.title(),
                        enabled=step.get("enabled", True) is not False,
                    ),
                )
                step_id += 1
        return {"cadence": {"id": cadence_id}}


def cadence_export(store: Store, cadence_id: int) -> dict:
    """GET /v2/cadence_exports/{id}: the import shape rebuilt from the stored cadence."""
    cadence = store.record(CADENCES, cadence_id)
    if cadence is None:
        raise not_found()
    rows = (
        store.connection()
        .execute("SELECT body FROM steps WHERE cadence_id = ? ORDER BY id", (cadence_id,))
        .fetchall()
    )
    groups: dict[int, dict[str, Any]] = {}
    for (text,) in rows:
        step = orjson.loads(text)
        group = groups.setdefault(
            step["day"],
            {
                "day": step["day"],
                "automated": False,
                "due_immediately": False,
                "reference_id": len(groups) + 1,
                "steps": [],
            },
        )
        group["steps"].append(
            {
                "enabled": not step["disabled"],
                "type": step["type"].title(),
                "name": step["name"],
                "type_settings": {},
            }
        )
    return {
        "settings": {
            "name": cadence["name"],
            "target_daily_people": cadence["counts"]["target_daily_people"],
            "cadence_function": cadence["cadence_function"],
            "remove_bounced": cadence["remove_bounces_enabled"],
            "remove_replied": cadence["remove_replies_enabled"],
            "external_identifier": cadence["external_identifier"],
        },
        "sharing_settings": {"team_cadence": cadence["team_cadence"], "shared": cadence["shared"]},
        "cadence_content": {"cadence_id": cadence_id, "step_groups": list(groups.values())},
    }


def cadence_archive(store: Store, clock: Clock, cadence_id: int) -> dict:
    """Archive a cadence (sandbox control only; the API has no endpoint for it)."""
    with store.write_lock:
        record = store.record(CADENCES, cadence_id)
        if record is None:
            raise not_found()
        now = max(clock.now(), parse(record["created_at"]))
        record.update(archived_at=render(now), updated_at=render(now), latest_active_date=None)
        store.save(CADENCES, record)
        return record
