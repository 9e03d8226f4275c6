"""The Salesloft teams one sandbox serves (`--teams N`, default 1).

Each team is a separate Salesloft customer: its own store (users, data, OAuth tokens),
API key, rate budget and team id. Team 1 is the sandbox as it always was; teams 2..N
are derived from it deterministically, so their credentials survive restarts:

- team id: `TEAM_ID + N - 1` (700, 701, 702, …);
- every generated id (users, accounts, people, cadences, …): team 1's plus
  `(N - 1) * TEAM_ID_STRIDE` (team 2's admin is user 100009001), so ids never collide;
- API key: `"ak" + sha256("<team 1's API key>:team-<N>")` (looks like a real key);
- data: team 1's shape with seed `seed + N - 1`; users' emails at `team<N>.sandboxtest.example`;
- store: `salesloft-team<N>.sqlite3` next to team 1's `salesloft.sqlite3`.

All teams share the one registered OAuth application (client id and secret): like a
partner app, any team's user may approve it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from . import defaults
from .config import DataShape, SandboxConfig


@dataclass(frozen=True)
class Team:
    number: int  # 1-based
    team_id: int
    name: str
    api_key: str
    shape: DataShape
    id_offset: int
    email_domain: str
    db_path: Path

    @property
    def admin_user_id(self) -> int:
        """The first generated user, the admin the API key and client credentials act as."""
        return defaults.ADMIN_USER_ID + self.id_offset

    @property
    def user_ids(self) -> list[int]:
        """Every user of the team (users are generated only, never created by the API)."""
        return [self.admin_user_id + n for n in range(self.shape.resolved().users or 0)]

    def fingerprint(self) -> str:
        """Identity of the team's generated store; team 1's is the shape's as before."""
        base = self.shape.fingerprint()
        if self.number == 1:
            return base
        return hashlib.sha256(f"{base}:team-{self.number}".encode()).hexdigest()


def team_api_key(first_key: str, number: int) -> str:
    if number == 1:
        return first_key
    return "ak" + hashlib.sha256(f"{first_key}:team-{number}".encode()).hexdigest()


def team_of(config: SandboxConfig, number: int) -> Team:
    if number == 1:
        return Team(
            number=1, team_id=defaults.TEAM_ID, name=defaults.TEAM_NAME,
            api_key=config.api_key, shape=config.shape, id_offset=0,
            email_domain=defaults.USER_EMAIL_DOMAIN, db_path=config.db_path,
        )  # fmt: skip
    return Team(
        number=number,
        team_id=defaults.TEAM_ID + number - 1,
        name=f"{defaults.TEAM_NAME} {number}",
        api_key=team_api_key(config.api_key, number),
        shape=replace(config.shape, seed=config.shape.seed + number - 1),
        id_offset=(number - 1) * defaults.TEAM_ID_STRIDE,
        email_domain=f"team{number}.{defaults.USER_EMAIL_DOMAIN}",
        db_path=config.data_dir / f"salesloft-team{number}.sqlite3",
    )


def teams_of(config: SandboxConfig) -> list[Team]:
    return [team_of(config, number) for number in range(1, config.teams + 1)]
