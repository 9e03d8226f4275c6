"""Write services for people and accounts (docs/salesloft-api.md §12, §13.2–13.3).

Every write re-renders the stored JSON and stamps `updated_at` with a strictly
increasing clock, so incremental syncs see each change exactly once.
"""

from __future__ import annotations

from typing import Any

import orjson

from . import records
from .http import not_found, unprocessable
from .records import ref
from .resources import RESOURCES
from .store import Store
from .timestamps import Clock, parse, render

PEOPLE, ACCOUNTS, USERS = RESOURCES["people"], RESOURCES["accounts"], RESOURCES["users"]
MEMBERSHIPS = RESOURCES["cadence_memberships"]
_PERSON_TEXT = set(records.PERSON_FIELDS) - {"do_not_contact"}
_ACCOUNT_TEXT = set(records.ACCOUNT_FIELDS) - {"do_not_contact"}


def _bool(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "t", "yes")


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _ref_id(store: Store, body: dict[str, Any], key: str, collection: str, errors: dict) -> Any:
    """Validate an `*_id` body field that must point at an existing record."""
    raw = body.get(key)
    if raw in (None, ""):
        return None
    if str(raw).isdigit() and store.body(RESOURCES[collection], int(raw)) is not None:
        return int(raw)
    errors.setdefault(key, []).append("is invalid")
    return None


def _apply_common(
    store: Store, record: dict, body: dict, text_fields: set[str], errors: dict
) -> None:
    for key in text_fields & body.keys():
        record[key] = _text(body[key])
    if "do_not_contact" in body:
        record["do_not_contact"] = _bool(body["do_not_contact"])
    if "tags" in body:
        tags = body["tags"]
        record["tags"] = [str(t) for t in (tags if isinstance(tags, list) else [tags]) if t != ""]
    if "custom_fields" in body and isinstance(body["custom_fields"], dict):
        record["custom_fields"] = {
            k: v for k, v in body["custom_fields"].items() if v not in (None, "")
        }
    if "owner_id" in body:
        record["owner"] = ref("users", _ref_id(store, body, "owner_id", "users", errors))


# -- people ----------------------------------------------------------------------
def person_save(
    store: Store, clock: Clock, body: dict[str, Any], person_id: int | None = None
) -> dict[str, Any]:
    """Create (person_id None) or partially update a person; raises 422/404."""
    with store.write_lock:
        now = clock.now()
        if person_id is None:
            record = records.person_record(
                id=store.max_id(PEOPLE) + 1,
                created=now,
                updated=now,
                account_id=None,
                owner_id=None,
            )
        else:
            record = store.record(PEOPLE, person_id) or _raise_not_found()
        errors: dict[str, list[str]] = {}
        _apply_common(store, record, body, _PERSON_TEXT, errors)
        if "account_id" in body:
            record["account"] = ref(
                "accounts", _ref_id(store, body, "account_id", "accounts", errors)
            )
        if "person_stage_id" in body and str(body["person_stage_id"]).isdigit():
            record["person_stage"] = ref("person_stages", int(body["person_stage_id"]))
        if "contact_restrictions" in body and isinstance(body["contact_restrictions"], list):
            record["contact_restrictions"] = [str(c) for c in body["contact_restrictions"]]
        email = record["email_address"]
        if not email and not (record["phone"] and record["last_name"]):
            errors.setdefault("email_address", []).append(
                "is required unless phone and last_name are given"
            )
        if email:
            record["email_address"] = email = email.strip()
            other = store.find_id(PEOPLE, "email", email.lower())
            if other is not None and other != record["id"]:
                errors.setdefault("email_address", []).append("is already taken")
        if errors:
            raise unprocessable(errors)
        name = " ".join(p for p in (record["first_name"], record["last_name"]) if p) or None
        record["display_name"] = name or email
        record["full_email_address"] = records.full_address(name, email)
        record["updated_at"] = render(now)
        store.save(PEOPLE, record)
        return record


def person_delete(store: Store, clock: Clock, person_id: int) -> None:
    """Idempotent. The person's memberships stay, flagged `person_deleted` (as in Salesloft)."""
    with store.write_lock:
        if not store.delete(PEOPLE, person_id):
            return
        now = render(clock.now())
        conn = store.connection()
        rows = conn.execute(
            "SELECT body FROM cadence_memberships WHERE person_id = ?", (person_id,)
        )
        for (text,) in rows.fetchall():
            membership = orjson.loads(text)
            membership.update(person_deleted=True, currently_on_cadence=False, updated_at=now)
            store.save(MEMBERSHIPS, membership)


# -- accounts --------------------------------------------------------------------
def account_save(
    store: Store, clock: Clock, body: dict[str, Any], account_id: int | None = None
) -> dict[str, Any]:
    """Create (account_id None) or partially update an account; raises 422/404."""
    with store.write_lock:
        now = clock.now()
        if account_id is None:
            record = records.account_record(
                id=store.max_id(ACCOUNTS) + 1,
                created=now,
                updated=now,
                owner_id=None,
                creator_id=None,
            )
        else:
            record = store.record(ACCOUNTS, account_id) or _raise_not_found()
        errors: dict[str, list[str]] = {}
        _apply_common(store, record, body, _ACCOUNT_TEXT, errors)
        if "archived" in body and account_id is not None:
            archived = _bool(body["archived"])
            if archived and not record["archived_at"]:
                record["archived_at"] = render(now)
            elif not archived:
                record["archived_at"] = None
        for key in ("name", "domain"):
            if not record[key]:
                errors.setdefault(key, []).append("can't be blank")
        if record["domain"]:
            record["domain"] = domain = record["domain"].strip().lower()  # domains are lowercase
            other = store.find_id(ACCOUNTS, "domain", domain)
            if other is not None and other != record["id"]:
                errors.setdefault("domain", []).append("has already been taken")
        if errors:
            raise unprocessable(errors)
        record["updated_at"] = render(now)
        store.save(ACCOUNTS, record)
        return record


def account_delete(store: Store, clock: Clock, account_id: int) -> None:
    """Idempotent; detaches the account's people (which bumps their updated_at)."""
    with store.write_lock:
        if not store.delete(ACCOUNTS, account_id):
            return
        now = render(clock.now())
        rows = store.connection().execute(
            "SELECT body FROM people WHERE account_id = ?", (account_id,)
        )
        for (text,) in rows.fetchall():
            person = orjson.loads(text)
            person.update(account=None, updated_at=now)
            store.save(PEOPLE, person)


def touch(store: Store, clock: Clock, resource_name: str, record_id: int, **changes: Any) -> dict:
    """Apply `changes` to a record and bump its updated_at (used by mutations)."""
    resource = RESOURCES[resource_name]
    with store.write_lock:
        record = store.record(resource, record_id) or _raise_not_found()
        record.update(changes)
        record["updated_at"] = render(max(clock.now(), parse(record["created_at"])))
        store.save(resource, record)
        return record


def _raise_not_found() -> dict[str, Any]:
    raise not_found()
