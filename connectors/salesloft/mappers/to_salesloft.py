"""Unified writes → Salesloft request bodies: people, accounts, cadence memberships.

`partial=False` builds a create body and leaves out what the caller did not set (Salesloft
applies its defaults). `partial=True` builds a `PUT` body holding only the fields present in
the input; an explicit null is sent, so it clears the Salesloft field. A nested value
(`address`, `email_addresses`, `phone_numbers`) replaces the whole value: every Salesloft
field it covers is sent, null where the new value has nothing.

What Salesloft cannot store raises `InvalidInput` naming the unified field, before any call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.exceptions import InvalidInput

from ._common import to_int_id

_EMAIL_FIELDS = {
    "primary": "email_address",
    "personal": "personal_email_address",
    None: "secondary_email_address",
}
_PHONE_FIELDS = {"primary": "phone", "home": "home_phone", "mobile": "mobile_phone"}
# A unified type with no Salesloft field of its own borrows this one when it is free.
_EMAIL_FALLBACK = {"work": ("email_address", "secondary_email_address")}
_PHONE_FALLBACK = {"work": ("phone",)}


def _list_of_objects(value: Any, field: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise InvalidInput(field, "must be a list of objects")
    return value


def _slotted(
    items: list[Mapping[str, Any]],
    *,
    field: str,
    value_key: str,
    type_key: str,
    slots: Mapping[Any, str],
    fallbacks: Mapping[str, tuple[str, ...]],
) -> dict[str, Any]:
    """Typed unified values (emails, phones) → Salesloft's one-field-per-type layout.

    Each Salesloft field holds one value. Exact types are placed first, then the types with
    a fallback take the first fallback field still free; anything left over is refused.
    """
    body: dict[str, Any] = dict.fromkeys(slots.values())
    later = []
    for index, item in enumerate(items):
        value = item.get(value_key)
        if not value:  # empty values are skipped, as they are on the way in
            continue
        kind = item.get(type_key)
        where = f"{field}[{index}]"
        if kind is not None and not isinstance(kind, str):
            raise InvalidInput(f"{where}.{type_key}", "must be a string or null")
        if kind in slots:
            target = slots[kind]
            if body[target] is not None:
                raise InvalidInput(
                    f"{where}.{type_key}", f"Salesloft keeps only one {kind or 'untyped'} value"
                )
            body[target] = value
        elif kind in fallbacks:
            later.append((where, kind, value))
        else:
            allowed = ", ".join(str(k) if k else "null" for k in (*slots, *fallbacks))
            raise InvalidInput(
                f"{where}.{type_key}", f"Salesloft cannot store type {kind!r} (use {allowed})"
            )
    for where, kind, value in later:
        free = [target for target in fallbacks[kind] if body[target] is None]
        if not free:
            taken = " and ".join(fallbacks[kind])
            verb = "is" if len(fallbacks[kind]) == 1 else "are"
            raise InvalidInput(
                f"{where}.{type_key}",
                f"Salesloft has no {kind} field, and {taken} {verb} already taken",
            )
        body[free[0]] = value
    return body


def _address(address: Any) -> dict[str, Any]:
    if address is None:
        return {"city": None, "state": None, "country": None}
    if not isinstance(address, Mapping):
        raise InvalidInput("address", "must be an object")
    # A Salesloft person keeps only city, state and country. Street and postal code are
    # dropped, as Supaglue did; the API reads the person back and warns of what is missing.
    return {key: address.get(key) for key in ("city", "state", "country")}


def _custom_fields(value: Any) -> Any:
    if value is not None and not isinstance(value, Mapping):
        raise InvalidInput("custom_fields", "must be an object")
    return None if value is None else dict(value)


def _tags(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidInput("tags", "must be a list of strings")
    return list(value)


def _finish(body: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    if partial:
        return body
    return {key: value for key, value in body.items() if value is not None}


def contact_to_person(record: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """A unified contact → the body of `POST /v2/people` (or, `partial=True`, `PUT`).

    Emails: primary → `email_address`, personal → `personal_email_address`, untyped (null)
    → `secondary_email_address`; `work` takes `email_address`, else the secondary field,
    whichever is free. Phones: primary → `phone`, home → `home_phone`, mobile →
    `mobile_phone`; `work` takes `phone` when no primary is given. A second value for a
    taken field, `other` or untyped phones, and street or postal code are refused: Salesloft
    has nowhere to keep them, and dropping them silently would lose the caller's data.
    """
    body: dict[str, Any] = {}
    for unified, salesloft in (
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("job_title", "title"),
    ):
        if unified in record:
            body[salesloft] = record[unified]
    if "address" in record:
        body.update(_address(record["address"]))
    if "email_addresses" in record:
        emails = _list_of_objects(record["email_addresses"], "email_addresses")
        body.update(
            _slotted(
                emails,
                field="email_addresses",
                value_key="email_address",
                type_key="email_address_type",
                slots=_EMAIL_FIELDS,
                fallbacks=_EMAIL_FALLBACK,
            )
        )
    if "phone_numbers" in record:
        phones = _list_of_objects(record["phone_numbers"], "phone_numbers")
        body.update(
            _slotted(
                phones,
                field="phone_numbers",
                value_key="phone_number",
                type_key="phone_number_type",
                slots=_PHONE_FIELDS,
                fallbacks=_PHONE_FALLBACK,
            )
        )
    for field in ("owner_id", "account_id"):
        if field in record:
            body[field] = to_int_id(record[field], field)
    if "custom_fields" in record:
        body["custom_fields"] = _custom_fields(record["custom_fields"])
    if "tags" in record:
        body["tags"] = _tags(record["tags"])
    return _finish(body, partial=partial)


def account_to_salesloft(record: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """A unified account → the body of `POST /v2/accounts` (or, `partial=True`, `PUT`).

    Salesloft requires `name` and `domain` on create and answers 422 without them; that
    error reaches the caller as is, so it is not duplicated here.
    """
    body: dict[str, Any] = {}
    for field in ("name", "domain"):
        if field in record:
            body[field] = record[field]
    if "owner_id" in record:
        body["owner_id"] = to_int_id(record["owner_id"], "owner_id")
    if "custom_fields" in record:
        body["custom_fields"] = _custom_fields(record["custom_fields"])
    return _finish(body, partial=partial)


def sequence_state_to_membership(record: Mapping[str, Any]) -> dict[str, Any]:
    """A unified sequence_state create → the body of `POST /v2/cadence_memberships`.

    A Salesloft mailbox is its user (see `user_to_mailbox`), so `mailbox_id` stands in for
    `user_id`; given both, they must agree. With neither, Salesloft adds the person on
    behalf of the connected user.
    """
    body: dict[str, Any] = {}
    for unified, salesloft in (("contact_id", "person_id"), ("sequence_id", "cadence_id")):
        value = to_int_id(record.get(unified), unified)
        if value is None:
            raise InvalidInput(unified, "is required")
        body[salesloft] = value
    user_id = to_int_id(record.get("user_id"), "user_id")
    mailbox_id = to_int_id(record.get("mailbox_id"), "mailbox_id")
    if user_id is not None and mailbox_id is not None and user_id != mailbox_id:
        raise InvalidInput(
            "mailbox_id", "a Salesloft mailbox is its user: mailbox_id must equal user_id"
        )
    user = user_id if user_id is not None else mailbox_id
    if user is not None:
        body["user_id"] = user
    return body
