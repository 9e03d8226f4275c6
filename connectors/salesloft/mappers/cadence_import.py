"""A unified sequence → the body of `POST /v2/cadence_imports` (docs/salesloft-api.md
§13.5; docs/unified-model.md §5.3).

Salesloft has no plain cadence create; an import carries the settings, the sharing and the
steps as step groups. Step timing is explained in `steps.py`: a unified `interval_seconds`
is the wait after the previous step, a Salesloft `day` is absolute (day 1 = the day a person
is added), so day = 1 + the sum of the intervals so far, which must be whole days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.exceptions import InvalidInput

from ._common import SECONDS_PER_DAY


def _share_type(record: Mapping[str, Any]) -> str:
    share_type = record.get("type") or record.get("share_type") or "private"
    if share_type not in ("team", "private"):
        field = "type" if record.get("type") else "share_type"
        raise InvalidInput(field, f"must be 'team' or 'private', got {share_type!r}")
    return share_type


def _interval_days(step: Mapping[str, Any], where: str) -> int:
    interval = step.get("interval_seconds")
    if interval is None:
        return 0
    field = f"{where}.interval_seconds"
    if isinstance(interval, bool) or not isinstance(interval, int | float):
        raise InvalidInput(field, "must be a number of seconds")
    if interval < 0:
        raise InvalidInput(field, "must not be negative")
    days, remainder = divmod(interval, SECONDS_PER_DAY)
    if remainder:
        raise InvalidInput(
            field,
            "Salesloft schedules cadence steps in whole days: use a multiple of 86400",
        )
    return int(days)


def _email_template(step: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    template = step.get("template")
    if not template:
        return None
    if not isinstance(template, Mapping):
        raise InvalidInput(f"{where}.template", "must be an object")
    if template.get("body") is None:
        if template.get("id") is not None:
            raise InvalidInput(
                f"{where}.template",
                "Salesloft cadence imports cannot use an existing template by id; "
                "send the template's subject and body instead",
            )
        raise InvalidInput(f"{where}.template.body", "is required")
    for recipients in ("to", "cc", "bcc"):
        if template.get(recipients):
            raise InvalidInput(
                f"{where}.template.{recipients}",
                "Salesloft cadence email steps have no default recipients",
            )
    return {
        "title": template.get("name"),
        "subject": template.get("subject") or "",
        "body": template["body"],
    }


def _step_body(step: Mapping[str, Any], where: str, default_name: str) -> dict[str, Any]:
    """One unified step → one Salesloft import step (without its group)."""
    step_type = step.get("type")
    name = step.get("name") or default_name
    task_note = step.get("task_note")
    if step_type in ("auto_email", "manual_email"):
        template = _email_template(step, where)
        if template is None and step_type == "auto_email":
            raise InvalidInput(
                f"{where}.template",
                "an automated email step needs a template with a subject and body",
            )
        if task_note:
            # An email step has no instructions field; keep the note visible in its name.
            name = f"{name}: {task_note}"
        type_settings = {"email_template": template} if template else {}
        return {"enabled": True, "type": "Email", "name": name, "type_settings": type_settings}
    if step_type == "linkedin_send_message":
        raise InvalidInput(
            f"{where}.type",
            "LinkedIn steps need a Salesloft integration and cannot be created through the API",
        )
    if step_type not in ("call", "task"):
        raise InvalidInput(
            f"{where}.type",
            "must be one of auto_email, manual_email, call, task",
        )
    if step.get("template"):
        raise InvalidInput(f"{where}.template", "only email steps take a template")
    return {
        "enabled": True,
        "type": "Phone" if step_type == "call" else "Other",
        "name": name,
        "type_settings": {"instructions": task_note or ""},
    }


def _step_groups(steps: Sequence[Mapping[str, Any]], *, day: int = 1) -> list[dict[str, Any]]:
    """One step group per step; `day` is the day the intervals count from (1 for a new
    cadence, the last step's day when steps are added to an existing one)."""
    groups: list[dict[str, Any]] = []
    last_email_reference: int | None = None
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        if not isinstance(step, Mapping):
            raise InvalidInput(where, "must be an object")
        if step.get("date"):
            raise InvalidInput(
                f"{where}.date",
                "Salesloft cadences are interval based; date-based steps are not supported",
            )
        day += _interval_days(step, where)
        reference_id = index + 1
        body = _step_body(step, where, default_name=f"Step {reference_id}")
        if step.get("is_reply"):
            if body["type"] != "Email" or last_email_reference is None:
                raise InvalidInput(
                    f"{where}.is_reply", "only an email step after another email can be a reply"
                )
            body["type_settings"]["previous_email_step_group_reference_id"] = last_email_reference
        automated = step.get("type") == "auto_email"
        group: dict[str, Any] = {
            "day": day,
            "automated": automated,
            "due_immediately": False,
            "reference_id": reference_id,
            "steps": [body],
        }
        if automated:
            group["automated_settings"] = {"send_type": "after_time_delay", "delay_time": 0}
        if body["type"] == "Email":
            last_email_reference = reference_id
        groups.append(group)
    return groups


def sequence_to_cadence_import(record: Mapping[str, Any]) -> dict[str, Any]:
    """A unified sequence create → the body of `POST /v2/cadence_imports`.

    * Sharing: `type` (Supaglue's create field; `share_type` is accepted too) `private` →
      `team_cadence` and `shared` both false, `team` → a team cadence. Supaglue always sent
      `shared: true`, so its private cadences read back as team ones.
    * Steps: one step group per step, which is what Salesloft's editor itself creates
      (Supaglue observed it) and keeps `automated`, a group-level flag that only email
      groups may set, right for every step; each group is on the day worked out
      from the intervals (module docstring), with `reference_id` = the step's position.
    * `custom_fields.settings` may override the cadence settings Salesloft asks for
      (`target_daily_people`, `cadence_function`, `remove_bounced`, `remove_replied`,
      `external_identifier`), as in Supaglue; the name and sharing come from the record.
    * Salesloft's import has no owner (the cadence belongs to the caller) nor tags; those
      fields are not sent.

    Raises `InvalidInput` naming the field for what Salesloft cannot import.
    """
    name = record.get("name")
    if not name:
        raise InvalidInput("name", "is required")
    share_type = _share_type(record)
    custom_fields = record.get("custom_fields") or {}
    if not isinstance(custom_fields, Mapping):
        raise InvalidInput("custom_fields", "must be an object")
    overrides = custom_fields.get("settings") or {}
    if not isinstance(overrides, Mapping):
        raise InvalidInput("custom_fields.settings", "must be an object")
    settings = {
        "target_daily_people": 0,
        "cadence_function": "outbound",
        "remove_bounced": True,
        "remove_replied": True,
        "external_identifier": None,
        **overrides,
        "name": name,
    }
    steps = record.get("steps") or []
    if not isinstance(steps, Sequence) or isinstance(steps, str):
        raise InvalidInput("steps", "must be a list")
    return {
        "settings": settings,
        "sharing_settings": {"team_cadence": share_type == "team", "shared": False},
        "cadence_content": {"step_groups": _step_groups(steps)},
    }


def sequence_step_to_cadence_import(
    step: Mapping[str, Any], *, cadence_id: int, last_day: int
) -> dict[str, Any]:
    """One unified step added to an existing cadence → the body of `POST
    /v2/cadence_imports` that imports it into that cadence (`cadence_content.cadence_id`;
    settings and sharing are then not needed, and not changed).

    The step comes after the cadence's last step (on `last_day`, 1 for an empty cadence),
    `interval_seconds` after it, in whole days, as in `sequence_to_cadence_import`. It cannot
    be a reply: an import can only thread an email to an earlier email of the same import.
    Raises `InvalidInput` naming the step's field.
    """
    if step.get("is_reply"):
        raise InvalidInput(
            "is_reply",
            "Salesloft can only thread an email to an earlier step of the same import; "
            "create the sequence with its steps to make a reply",
        )
    try:
        groups = _step_groups([step], day=last_day)
    except InvalidInput as exc:  # name the step's own field, not a position in a list
        field = exc.field.removeprefix("steps[0]").lstrip(".") or "step"
        raise InvalidInput(field, exc.message) from None
    return {"cadence_content": {"cadence_id": cadence_id, "step_groups": groups}}
