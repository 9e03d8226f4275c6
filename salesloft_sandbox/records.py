"""Record builders: one function per resource producing the exact JSON shape of
docs/salesloft-api.md §13 (every key present, absent values as null: §9). Generation and
the write endpoints both build records here, so generated and API-created records look alike.
"""

from __future__ import annotations

from typing import Any

from .defaults import HREF_BASE, TEAM_ID, TEAM_NAME
from .timestamps import render

Record = dict[str, Any]


def ref(collection: str, record_id: int | None) -> Record | None:
    """An embedded reference `{"_href": …, "id": …}` or null."""
    if record_id is None:
        return None
    return {"_href": f"{HREF_BASE}/{collection}/{record_id}", "id": record_id}


def ts(micros: int | None) -> str | None:
    return render(micros) if micros is not None else None


def full_address(name: str | None, email: str | None) -> str | None:
    if not email:
        return None
    return f'"{name}" <{email}>' if name else email


def user_record(
    *, id: int, guid: str, created: int, updated: int, first: str, last: str, email: str,
    admin: bool, job_role: str, time_zone: str, utc_offset: int, group_id: int | None,
    active: bool = True, team_id: int = TEAM_ID,
) -> Record:  # fmt: skip
    name = f"{first} {last}"
    return {
        "id": id, "guid": guid, "created_at": render(created), "updated_at": render(updated),
        "name": name, "first_name": first, "last_name": last, "job_role": job_role,
        "active": active, "time_zone": time_zone, "locale_utc_offset": utc_offset,
        "slack_username": None, "twitter_handle": None, "email": email,
        "email_client_email_address": email, "sending_email_address": email, "from_address": None,
        "full_email_address": full_address(name, email), "bcc_email_address": None,
        "work_country": "US", "seat_package": "admin" if admin else "prospect",
        "email_signature": f"<p>{name}</p>", "email_signature_type": "html",
        "email_signature_click_tracking_disabled": False, "team_admin": admin,
        "local_dial_enabled": False, "click_to_call_enabled": True,
        "email_client_configured": True, "crm_connected": False, "external_feature_flags": {},
        "_private_fields": {}, "phone_client": {"id": 5500 + id % 1000},
        "phone_number_assignment": None, "group": ref("groups", group_id),
        "team": {"_href": f"{HREF_BASE}/team", "id": team_id},
        "role": {"id": "Admin" if admin else "User"},
    }  # fmt: skip


ACCOUNT_FIELDS = (
    "name", "domain", "conversational_name", "description", "phone", "website", "linkedin_url",
    "twitter_handle", "street", "city", "state", "postal_code", "country", "locale", "industry",
    "company_type", "founded", "revenue_range", "size", "crm_id", "do_not_contact",
)  # fmt: skip


def account_record(
    *, id: int, created: int, updated: int, owner_id: int | None, creator_id: int | None,
    people_count: int = 0, archived: int | None = None, custom_fields: Record | None = None,
    tags: list[str] | None = None, stage_id: int | None = None, tier_id: int | None = None,
    **fields: Any,
) -> Record:  # fmt: skip
    """`fields` holds the writable text fields listed in ACCOUNT_FIELDS."""
    record = {"id": id, "created_at": render(created), "updated_at": render(updated),
              "archived_at": ts(archived)}  # fmt: skip
    for key in ACCOUNT_FIELDS:
        record[key] = fields.get(key)
    record["do_not_contact"] = bool(fields.get("do_not_contact"))
    record.update({
        "crm_url": None, "crm_object_type": "account", "owner_crm_id": None,
        "last_contacted_at": None, "last_contacted_type": None,
        "custom_fields": custom_fields or {}, "user_relationships": [], "tags": tags or [],
        "counts": {"people": people_count}, "owner": ref("users", owner_id),
        "creator": ref("users", creator_id), "last_contacted_by": None,
        "last_contacted_person": None, "company_stage": ref("account_stages", stage_id),
        "account_tier": ref("account_tiers", tier_id),
    })  # fmt: skip
    return record


PERSON_FIELDS = (
    "first_name", "last_name", "email_address", "secondary_email_address",
    "personal_email_address", "phone", "phone_extension", "home_phone", "mobile_phone",
    "linkedin_url", "title", "city", "state", "country", "work_city", "work_state",
    "work_country", "crm_id", "person_company_name", "person_company_website",
    "person_company_industry", "do_not_contact", "locale", "personal_website",
    "twitter_handle", "job_seniority",
)  # fmt: skip

_ZERO_PERSON_COUNTS = {"emails_sent": 0, "emails_viewed": 0, "emails_clicked": 0,
                       "emails_replied_to": 0, "emails_bounced": 0, "calls": 0}  # fmt: skip

# Every key of a person in Salesloft's order, constants filled in. Copying this and
# setting the variable keys is about twice as fast as building the dict from scratch,
# which matters when generating a million people.
_BLANK_PERSON: Record = dict.fromkeys((
    "id", "created_at", "updated_at", "last_contacted_at", "last_replied_at", "display_name",
    *PERSON_FIELDS, "full_email_address", "crm_url", "account_crm_id", "crm_object_type",
    "owner_crm_id", "bouncing", "locale_utc_offset", "eu_resident", "last_contacted_type",
    "custom_fields", "tags", "contact_restrictions", "success_count", "starred", "untouched",
    "counts", "account", "owner", "last_contacted_by", "import", "person_stage",
    "most_recent_cadence", "last_completed_step_cadence", "last_completed_step", "cadences",
))  # fmt: skip
_BLANK_PERSON.update(bouncing=False, eu_resident=False, success_count=0, starred=False)


def person_record(
    *, id: int, created: int, updated: int, account_id: int | None, owner_id: int | None,
    utc_offset: int | None = None, custom_fields: Record | None = None,
    tags: list[str] | None = None, contact_restrictions: list[str] | None = None,
    counts: Record | None = None, cadence_ids: list[int] | None = None,
    recent_cadence_id: int | None = None, import_id: int | None = None,
    stage_id: int | None = None, last_contacted: int | None = None,
    last_step_id: int | None = None, **fields: Any,
) -> Record:  # fmt: skip
    """`fields` holds writable fields (keys of PERSON_FIELDS only); `cadence_ids` are the
    cadences the person is on now, `recent_cadence_id` the latest one ever joined."""
    record = _BLANK_PERSON.copy()
    record.update(fields)
    first, last, email = record["first_name"], record["last_name"], record["email_address"]
    name = f"{first} {last}" if first and last else first or last or None
    record["id"] = id
    record["created_at"] = render(created)
    record["updated_at"] = render(updated)
    record["display_name"] = name or email
    record["full_email_address"] = full_address(name, email)
    record["do_not_contact"] = bool(record["do_not_contact"])
    record["locale_utc_offset"] = utc_offset
    record["custom_fields"] = custom_fields or {}
    record["tags"] = tags or []
    record["contact_restrictions"] = contact_restrictions or []
    record["counts"] = counts or dict(_ZERO_PERSON_COUNTS)
    record["untouched"] = not last_contacted
    record["account"] = ref("accounts", account_id)
    record["owner"] = ref("users", owner_id)
    if last_contacted:
        record["last_contacted_at"] = render(last_contacted)
        record["last_contacted_type"] = "email"
        record["last_contacted_by"] = record["owner"]
    record["import"] = ref("imports", import_id)
    record["person_stage"] = ref("person_stages", stage_id)
    record["most_recent_cadence"] = ref("cadences", recent_cadence_id)
    if last_step_id:
        record["last_completed_step_cadence"] = record["most_recent_cadence"]
        record["last_completed_step"] = ref("steps", last_step_id)
    record["cadences"] = [ref("cadences", c) for c in cadence_ids or ()]
    return record


def cadence_record(
    *, id: int, created: int, updated: int, name: str, owner_id: int, archived: int | None,
    team_cadence: bool, shared: bool, cadence_function: str = "outbound",
    remove_bounced: bool = True, remove_replied: bool = True, target_daily_people: int = 0,
    people_count: int = 0, external_identifier: str | None = None, tags: list[str] | None = None,
    latest_active: int | None = None, draft: bool = False,
) -> Record:  # fmt: skip
    return {
        "id": id, "created_at": render(created), "updated_at": render(updated),
        "archived_at": ts(archived),
        "latest_active_date": render(latest_active)[:10] if latest_active else None,
        "team_cadence": team_cadence, "shared": shared, "remove_bounces_enabled": remove_bounced,
        "remove_replies_enabled": remove_replied, "opt_out_link_included": True, "draft": draft,
        "override_contact_restrictions": None, "cadence_framework_id": None,
        "cadence_function": cadence_function, "name": name,
        "external_identifier": external_identifier, "tags": tags or [],
        "creator": ref("users", owner_id), "owner": ref("users", owner_id),
        "bounced_stage": ref("person_stages", 801), "replied_stage": ref("person_stages", 802),
        "added_stage": ref("person_stages", 803), "finished_stage": ref("person_stages", 804),
        "cadence_priority": None, "groups": [],
        "counts": {"cadence_people": people_count, "people_acted_on_count": people_count // 3,
                   "target_daily_people": target_daily_people, "opportunities_created": 0,
                   "meetings_booked": 0},
    }  # fmt: skip


def step_record(
    *, id: int, created: int, updated: int, cadence_id: int, day: int, step_number: int,
    type: str, name: str, enabled: bool = True,
) -> Record:  # fmt: skip
    label = {"email": "Email", "phone": "Phone", "integration": "Integration"}.get(type, "Other")
    return {
        "id": id, "created_at": render(created), "updated_at": render(updated),
        "disabled": not enabled, "type": type, "name": name,
        "display_name": f"Day {day}: Step {step_number} - {label}", "day": day,
        "step_number": step_number, "multitouch_enabled": False,
        "details": ref(f"action_details/{type}_details", id),
        "cadence": ref("cadences", cadence_id),
    }  # fmt: skip


MEMBERSHIP_STATES = ("active", "scheduled", "completed", "removed", "staged")


def membership_record(
    *, id: int, created: int, updated: int, added: int, person_id: int, cadence_id: int,
    user_id: int, state: str, latest_action_id: int | None = None, sent_emails: int = 0,
) -> Record:  # fmt: skip
    return {
        "id": id, "added_at": render(added), "created_at": render(created),
        "updated_at": render(updated), "person_deleted": False,
        "currently_on_cadence": state in ("active", "scheduled", "staged", "processing"),
        "current_state": state, "cadence": ref("cadences", cadence_id),
        "person": ref("people", person_id), "user": ref("users", user_id),
        "latest_action": {"id": latest_action_id} if latest_action_id else None,
        "counts": {"views": sent_emails, "clicks": 0, "replies": 0, "calls": 0,
                   "sent_emails": sent_emails, "bounces": 0},
    }  # fmt: skip


def email_record(
    *, id: int, created: int, updated: int, sent: int, recipient_email: str, person_id: int,
    user_id: int, cadence_id: int | None, step_id: int | None, views: int, clicks: int,
    replies: int, bounced: bool = False,
) -> Record:  # fmt: skip
    return {
        "id": id, "created_at": render(created), "updated_at": render(updated),
        "recipient_email_address": recipient_email, "status": "sent", "bounced": bounced,
        "send_after": None, "sent_at": render(sent), "view_tracking": True,
        "click_tracking": True, "personalization": "%.1f" % (id % 9 * 12.5), "headers": {},
        "counts": {"clicks": clicks, "views": views, "replies": replies,
                   "unique_devices": min(views, 2), "unique_locations": min(views, 1),
                   "attachments": 0},
        "user": ref("users", user_id), "recipient": ref("people", person_id),
        "mailing": {"id": 3_300_000 + id % 1_000_000}, "action": None, "task": None,
        "crm_activity": None, "cadence": ref("cadences", cadence_id), "step": ref("steps", step_id),
        "email_template": None,
    }  # fmt: skip


def custom_field_record(
    *, id: int, created: int, updated: int, name: str, field_type: str
) -> Record:
    return {"id": id, "name": name, "field_type": field_type, "value_type": "text",
            "created_at": render(created), "updated_at": render(updated)}  # fmt: skip


def group_record(*, id: int, name: str, parent_id: int | None) -> Record:
    return {"id": id, "name": name, "parent_id": parent_id, "accessible_groups": []}


def team_record(*, created: int, updated: int, id: int = TEAM_ID, name: str = TEAM_NAME) -> Record:
    return {
        "id": id, "name": name, "plan": "enterprise", "license_limit": 250,
        "email_daily_limit": 500, "created_at": render(created), "updated_at": render(updated),
        "deactivated": False, "group_privacy_setting": "all_public",
        "team_visibility_default": "public", "local_dial_enabled": False,
        "record_by_default": False, "call_recording_disabled": False,
        "click_tracking_default": True, "allow_automated_email_steps": True,
        "dispositions_required": False, "sentiments_required": False,
        "custom_tracking_domain": None,
        "plan_features": {}, "_private_fields": {},
    }  # fmt: skip
