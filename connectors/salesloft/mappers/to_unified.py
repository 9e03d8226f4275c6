"""Salesloft records → unified dicts (docs/unified-model.md §4).

Each function takes one record exactly as Salesloft sent it and returns a dict with every
unified key present; `raw_data` is the record itself (not a copy: the sync stores it as is).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._common import common_fields, count, parse_ts, ref_id

# (Salesloft field, unified type) in the order a contact lists them.
_PERSON_EMAILS = (
    ("email_address", "primary"),
    ("personal_email_address", "personal"),
    ("secondary_email_address", None),
)
_PERSON_PHONES = (("phone", "primary"), ("home_phone", "home"), ("mobile_phone", "mobile"))


def account_to_unified(rec: Mapping[str, Any]) -> dict[str, Any]:
    """`/v2/accounts` → account. An archived account is still an account (not deleted)."""
    return {
        **common_fields(rec),
        "name": rec.get("name"),
        "domain": rec.get("domain"),
        "owner_id": ref_id(rec.get("owner")),
        "custom_fields": dict(rec.get("custom_fields") or {}),
    }


def person_to_contact(rec: Mapping[str, Any]) -> dict[str, Any]:
    """`/v2/people` → contact.

    Unlike Supaglue, `reply_count` is the reply count (`counts.emails_replied_to`), not
    the open count. Salesloft keeps no street or postal code on a person.
    """
    counts = rec.get("counts")
    return {
        **common_fields(rec),
        "first_name": rec.get("first_name"),
        "last_name": rec.get("last_name"),
        "job_title": rec.get("title"),
        "address": {
            "street_1": None,
            "street_2": None,
            "city": rec.get("city"),
            "state": rec.get("state"),
            "postal_code": None,
            "country": rec.get("country"),
        },
        "email_addresses": [
            {"email_address": rec[key], "email_address_type": kind}
            for key, kind in _PERSON_EMAILS
            if rec.get(key)
        ],
        "phone_numbers": [
            {"phone_number": rec[key], "phone_number_type": kind}
            for key, kind in _PERSON_PHONES
            if rec.get(key)
        ],
        "owner_id": ref_id(rec.get("owner")),
        "account_id": ref_id(rec.get("account")),
        "open_count": count(counts, "emails_viewed"),
        "click_count": count(counts, "emails_clicked"),
        "reply_count": count(counts, "emails_replied_to"),
        "bounced_count": count(counts, "emails_bounced"),
        "custom_fields": dict(rec.get("custom_fields") or {}),
        "tags": list(rec.get("tags") or []),
    }


def user_to_unified(rec: Mapping[str, Any]) -> dict[str, Any]:
    """`/v2/users` → user. `is_locked` is `not active` (Supaglue forgot the `not`)."""
    return {
        **common_fields(rec),
        "first_name": rec.get("first_name"),
        "last_name": rec.get("last_name"),
        "email": rec.get("email"),
        "is_locked": not rec.get("active"),
    }


def user_to_mailbox(rec: Mapping[str, Any]) -> dict[str, Any]:
    """`/v2/users` → mailbox: the user's sending identity (Salesloft has no mailbox resource).

    The mailbox id is the user id, so an email's or membership's `mailbox_id` (their
    `user.id`) points at it. A mailbox can send only if its user is active and has an email
    client configured. Supaglue synced no Salesloft mailboxes at all.
    """
    return {
        **common_fields(rec),
        "email": rec.get("sending_email_address") or rec.get("email"),
        "user_id": str(rec["id"]),
        "is_disabled": not (rec.get("active") and rec.get("email_client_configured")),
    }


def cadence_to_sequence(
    rec: Mapping[str, Any],
    *,
    num_steps: int | None = None,
    steps: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`/v2/cadences` → sequence.

    `num_steps` comes from `/v2/steps?cadence_id=` (None when the caller did not count).
    `steps` (sequence_step dicts) is only for `GET /sequences/{id}`: when given, the result
    gains a `steps` key and `num_steps` defaults to its length. An archived cadence is
    deleted (Salesloft has no cadence delete). `share_type` is `team` for a team or shared
    cadence: Supaglue looked at `shared` alone, so a team cadence read back as private.
    """
    archived = bool(rec.get("archived_at"))
    sequence = {
        **common_fields(rec, is_deleted=archived),
        "owner_id": ref_id(rec.get("owner")),
        "name": rec.get("name"),
        "is_enabled": not rec.get("draft"),
        "is_archived": archived,
        "tags": list(rec.get("tags") or []),
        "num_steps": num_steps,
        # Salesloft counts may be null; the unified metrics are numbers.
        "metrics": {key: value or 0 for key, value in (rec.get("counts") or {}).items()},
        "share_type": "team" if rec.get("team_cadence") or rec.get("shared") else "private",
    }
    if steps is not None:
        sequence["steps"] = steps
        if num_steps is None:
            sequence["num_steps"] = len(steps)
    return sequence


def membership_to_sequence_state(rec: Mapping[str, Any]) -> dict[str, Any]:
    """`/v2/cadence_memberships` → sequence_state; the mailbox is the member's user."""
    user_id = ref_id(rec.get("user"))
    return {
        **common_fields(rec),
        "state": rec.get("current_state"),
        "contact_id": ref_id(rec.get("person")),
        "sequence_id": ref_id(rec.get("cadence")),
        "mailbox_id": user_id,
        "user_id": user_id,
    }


def email_activity_to_email(rec: Mapping[str, Any]) -> dict[str, Any]:
    """`/v2/activities/emails` → email (our addition to Supaglue's model).

    `subject` exists only when the token has the `email_contents:read` scope; without it
    the key is absent and the unified `subject` is None.
    """
    counts = rec.get("counts")
    user_id = ref_id(rec.get("user"))
    return {
        **common_fields(rec),
        "subject": rec.get("subject"),
        "status": rec.get("status"),
        "sent_at": parse_ts(rec.get("sent_at")),
        "recipient_email_address": rec.get("recipient_email_address"),
        "contact_id": ref_id(rec.get("recipient")),
        "user_id": user_id,
        "mailbox_id": user_id,
        "sequence_id": ref_id(rec.get("cadence")),
        "sequence_step_id": ref_id(rec.get("step")),
        "is_bounced": bool(rec.get("bounced")),
        "open_count": count(counts, "views"),
        "click_count": count(counts, "clicks"),
        "reply_count": count(counts, "replies"),
    }
