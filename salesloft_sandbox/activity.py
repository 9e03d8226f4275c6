"""Generated cadence activity: a person's cadence membership and its email activities.

Membership slots are spread evenly over the people: person i holds membership number
floor(i·M/N) when that number changes at i, and its emails are numbered from n·E/M. So
ids follow from positions alone and chunks of people can be generated independently.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import records

if TYPE_CHECKING:
    from .config import DataShape
    from .generate import Batches
    from .people import Timeline

DAY = 86_400_000_000
MINUTE = 60_000_000


@dataclass(frozen=True)
class Activity:
    """What the person record needs to know about its cadence activity."""

    cadence_id: int
    active_cadences: list[int]
    last_contacted: int | None
    last_step_id: int | None
    counts: dict[str, Any]


class ActivityWriter:
    def __init__(
        self,
        out: Batches,
        shape: DataShape,
        tl: Timeline,
        users: list[int],
        cadences: dict[int, tuple[bool, list[int]]],
        first_id: dict[str, int],
        rng: random.Random,
    ) -> None:
        self.out, self.shape, self.tl, self.users, self.rng = out, shape, tl, users, rng
        self.cadences = cadences
        self.cadence_ids = list(cadences)
        self.first_id = first_id

    def person(self, i: int, person_id: int, email: str, created: int) -> Activity | None:
        """Write person i's membership and emails, if the person holds a slot."""
        memberships, total_emails = self.shape.memberships or 0, self.shape.emails or 0
        people = max(self.shape.people, 1)
        if not memberships or not self.cadence_ids:
            return None
        n = i * memberships // people
        if n == (i + 1) * memberships // people:
            return None
        cadence_id = self.cadence_ids[i * 2654435761 % len(self.cadence_ids)]
        archived, email_steps = self.cadences[cadence_id]
        bits = self.rng.getrandbits(64)
        added = created + bits % max((self.tl.end - created) // 2, 1)
        owner = self.users[(bits >> 24) % len(self.users)]
        first_email = n * total_emails // memberships
        count = (n + 1) * total_emails // memberships - first_email
        sent, step = added, None
        for k in range(count):
            sent = min(sent + DAY * 2 + (bits >> (k % 40)) % DAY, self.tl.end - 1)
            step = email_steps[k % len(email_steps)] if email_steps else None
            self._email(first_email + k, sent, (bits >> (k + 8)) % 4, email, person_id, owner,
                        cadence_id, step)  # fmt: skip
        state = "completed" if archived else records.MEMBERSHIP_STATES[(bits >> 20) % 5]
        membership_id = self.first_id["cadence_memberships"] + n
        updated = max(sent, added)
        membership = records.membership_record(
            id=membership_id, created=added, updated=updated, added=added, person_id=person_id,
            cadence_id=cadence_id, user_id=owner, state=state, sent_emails=count,
            latest_action_id=343_000_000 + n if count else None,
        )  # fmt: skip
        on_cadence = membership["currently_on_cadence"]
        self.out.add_record("cadence_memberships", membership, membership_id, added, updated,
                            person_id, cadence_id, added, int(on_cadence))  # fmt: skip
        counts = {"emails_sent": count, "emails_viewed": 0, "emails_clicked": 0,
                  "emails_replied_to": 0, "emails_bounced": 0, "calls": 0}  # fmt: skip
        return Activity(cadence_id, [cadence_id] if on_cadence else [],
                        sent if count else None, step, counts)  # fmt: skip

    def _email(
        self, n: int, sent: int, views: int, address: str, person_id: int, owner: int,
        cadence_id: int, step: int | None,
    ) -> None:  # fmt: skip
        email_id = self.first_id["activities/emails"] + n
        created, updated = sent - MINUTE, sent + views * MINUTE
        record = records.email_record(
            id=email_id, created=created, updated=updated, sent=sent, recipient_email=address,
            person_id=person_id, user_id=owner, cadence_id=cadence_id, step_id=step,
            views=views, clicks=views // 2, replies=0,
        )  # fmt: skip
        self.out.add_record("activities/emails", record, email_id, created, updated, person_id,
                            cadence_id, step, sent, address)  # fmt: skip
