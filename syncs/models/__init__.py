from syncs.models.config import ObjectSettings, Strategy, Sync, SyncConfig
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
from syncs.models.runs import SyncRun

__all__ = [
    "ObjectSettings",
    "Strategy",
    "Sync",
    "SyncConfig",
    "SyncRun",
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
