"""Pure functions between Salesloft records and the unified model (docs/unified-model.md
§4 reading, §5 writing).

`to_unified` reads synced records, `steps` reads cadence steps, `to_salesloft` and
`cadence_import` build write bodies. Nothing here does I/O.
"""

from .cadence_import import sequence_step_to_cadence_import, sequence_to_cadence_import
from .steps import cadence_export_to_sequence_steps, step_to_sequence_step, steps_to_sequence_steps
from .to_salesloft import account_to_salesloft, contact_to_person, sequence_state_to_membership
from .to_unified import (
    account_to_unified,
    cadence_to_sequence,
    email_activity_to_email,
    membership_to_sequence_state,
    person_to_contact,
    user_to_mailbox,
    user_to_unified,
)

__all__ = [
    "account_to_salesloft",
    "account_to_unified",
    "cadence_export_to_sequence_steps",
    "cadence_to_sequence",
    "contact_to_person",
    "email_activity_to_email",
    "membership_to_sequence_state",
    "person_to_contact",
    "sequence_state_to_membership",
    "sequence_step_to_cadence_import",
    "sequence_to_cadence_import",
    "step_to_sequence_step",
    "steps_to_sequence_steps",
    "user_to_mailbox",
    "user_to_unified",
]
