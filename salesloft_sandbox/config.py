"""The sandbox's settings: one dataclass shared by the command, the server and tests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import defaults


@dataclass(frozen=True)
class DataShape:
    """How much data to generate; every field is part of the store's identity."""

    seed: int = defaults.DEFAULT_SEED
    people: int = defaults.DEFAULT_PEOPLE
    accounts: int | None = None
    users: int | None = None
    cadences: int | None = None
    memberships: int | None = None
    emails: int | None = None

    def resolved(self) -> DataShape:
        """Fill unset counts with a realistic share of the people."""
        people = max(self.people, 0)
        # One membership per person at most, and emails only hang off memberships.
        memberships = min(self.memberships if self.memberships is not None else people // 5, people)
        return DataShape(
            seed=self.seed,
            people=people,
            accounts=self.accounts if self.accounts is not None else max(people // 8, 1),
            users=self.users if self.users is not None else min(max(people // 400, 5), 250),
            cadences=self.cadences
            if self.cadences is not None
            else min(max(people // 200, 4), 2000),
            memberships=memberships,
            emails=(self.emails if self.emails is not None else memberships) if memberships else 0,
        )

    def fingerprint(self) -> str:
        """Stable text that identifies a generated store (generator version included)."""
        payload = {"generator": GENERATOR_VERSION, **asdict(self.resolved())}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# Bump when generate.py changes what it writes, so old stores are regenerated.
GENERATOR_VERSION = 3


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the running sandbox needs to know."""

    data_dir: Path
    shape: DataShape = field(default_factory=DataShape)
    host: str = defaults.DEFAULT_HOST
    port: int = defaults.DEFAULT_PORT
    api_key: str = defaults.DEFAULT_API_KEY
    client_id: str = defaults.DEFAULT_CLIENT_ID
    client_secret: str = defaults.DEFAULT_CLIENT_SECRET
    rate_limit: bool = True
    rate_limit_per_minute: int = defaults.DEFAULT_RATE_LIMIT_PER_MINUTE
    token_lifetime: int = defaults.DEFAULT_TOKEN_LIFETIME
    auto_approve: bool = False
    # The real API answered 500 to an unparseable timestamp filter, where its docs promise
    # 422 (docs/salesloft-api.md §8.1). 500 is the default for fidelity, 422 is selectable.
    bad_timestamp_status: int = 500
    threads: int = defaults.DEFAULT_THREADS
    # Salesloft teams served (see teams.py); team 1 is the one above, 2..N are derived.
    teams: int = defaults.DEFAULT_TEAMS
    # Salesloft retries a failed webhook delivery three more times, 15 s apart; tests
    # shorten the spacing. A delivery not answered within the timeout has failed.
    webhook_retry_seconds: float = 15.0
    webhook_timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not isinstance(self.teams, int) or self.teams < 1:
            raise ValueError(f"teams must be a whole number of at least 1, got {self.teams!r}")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "salesloft.sqlite3"
