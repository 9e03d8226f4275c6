"""Salesloft cadence steps → unified sequence_steps (nested in `GET /sequences/{id}`).

Step timing. A unified step's `interval_seconds` is the wait **after the previous step**
(for the first step: after the contact enters the sequence), as Supaglue documented it.
Salesloft instead puts every step on an absolute cadence `day` (day 1 = the day the person
is added). So, going out, day = 1 + the sum of the intervals so far, in whole days; coming
back, interval = (day - the previous step's day) × 86400. Steps on one day therefore have
an interval of 0 after the first, and a sequence round-trips unchanged. (Supaglue wrote
relative intervals but read absolute ones, so a copied sequence drifted.) The minutes-level
`automated_settings.delay_time` of an export is not folded into intervals: Salesloft would
not take it back, since an import only accepts whole days.

Salesloft serves steps two ways:

* `/v2/steps?cadence_id=` records: they carry ids (emails point at them with `step.id`),
  `day` and the step `type` (`email`, `phone`, `integration`, `other`), but neither template
  content nor whether an email is automated, so an `email` step reads as `manual_email`.
* `GET /v2/cadence_exports/{id}`: step groups with `automated`, template subject/body and
  task instructions, but no step ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._common import SECONDS_PER_DAY

# `/v2/steps` type → unified type. Integration steps are mostly, but not only, LinkedIn,
# and Salesloft's LinkedIn steps cannot be written back, so they read as tasks.
_STEP_TYPES = {"email": "manual_email", "phone": "call", "integration": "task", "other": "task"}


def _interval(day: Any, previous_day: int) -> int | None:
    return None if day is None else (day - previous_day) * SECONDS_PER_DAY


def step_to_sequence_step(
    rec: Mapping[str, Any], *, previous_day: int | None = None, order: int | None = None
) -> dict[str, Any]:
    """One `/v2/steps` record → a sequence_step.

    `previous_day` is the `day` of the step before it (None for the first step, which is
    measured from day 1); `order` its 1-based position. `steps_to_sequence_steps` fills
    both for a whole cadence. `is_reply`, `task_note` and `template` are not in a
    `/v2/steps` record and stay None.
    """
    step_type = rec.get("type")
    return {
        "id": str(rec["id"]),
        "name": rec.get("name") or rec.get("display_name"),
        "type": _STEP_TYPES.get(step_type, "task"),
        "interval_seconds": _interval(rec.get("day"), 1 if previous_day is None else previous_day),
        "date": None,
        "is_reply": None,
        "order": order,
        "task_note": None,
        "template": None,
    }


def steps_to_sequence_steps(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """All `/v2/steps` records of one cadence → its sequence_steps, in cadence order.

    Salesloft orders steps by (`day`, `step_number`); intervals are relative to the step
    before (see the module docstring).
    """
    ordered = sorted(records, key=lambda r: (r.get("day") or 0, r.get("step_number") or 0))
    steps = []
    previous_day = None
    for position, rec in enumerate(ordered, start=1):
        steps.append(step_to_sequence_step(rec, previous_day=previous_day, order=position))
        if rec.get("day") is not None:
            previous_day = rec["day"]
    return steps


def cadence_export_to_sequence_steps(export: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A cadence export (the `data` of `GET /v2/cadence_exports/{id}`) → sequence_steps.

    Export steps have no ids, so `id` is None. An Email step is `auto_email` when its group
    is automated; it is a reply when it names the previous email's step group.
    """
    content = export.get("cadence_content") or {}
    steps: list[dict[str, Any]] = []
    previous_day = 1
    for group in content.get("step_groups") or []:
        day = group.get("day")
        for step in group.get("steps") or []:
            settings = step.get("type_settings") or {}
            step_type = step.get("type")
            template = None
            task_note = None
            if step_type == "Email":
                unified_type = "auto_email" if group.get("automated") else "manual_email"
                email_template = settings.get("email_template") or {}
                template = {
                    "id": None,
                    "name": email_template.get("title"),
                    "subject": email_template.get("subject"),
                    "body": email_template.get("body"),
                    "to": None,
                    "cc": None,
                    "bcc": None,
                }
            else:
                unified_type = "call" if step_type == "Phone" else "task"
                task_note = settings.get("instructions")
            steps.append(
                {
                    "id": None,
                    "name": step.get("name"),
                    "type": unified_type,
                    "interval_seconds": _interval(day, previous_day),
                    "date": None,
                    # reference ids may be 0, so test for presence, not truth.
                    "is_reply": settings.get("previous_email_step_group_reference_id") is not None,
                    "order": len(steps) + 1,
                    "task_note": task_note,
                    "template": template,
                }
            )
            if day is not None:
                previous_day = day
    return steps
