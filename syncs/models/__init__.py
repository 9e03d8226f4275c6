from syncs.models.records import (
    RECORD_MODELS,
    Account,
    Contact,
    Email,
    EngagementRecord,
    Mailbox,
    Sequence,
    SequenceState,
    User,
)

__all__ = [
    "RECORD_MODELS",
    "Account",
    "Contact",
    "Email",
    "EngagementRecord",
    "Mailbox",
    "Sequence",
    "SequenceState",
    "User",
]
