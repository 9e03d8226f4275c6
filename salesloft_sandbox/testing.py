"""`run_sandbox()`: a sandbox on a free port for the duration of a `with` block, plus a
small client for its /_sandbox control endpoints. Meant for tests of any component
that talks to Salesloft."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import requests

from . import defaults
from .config import DataShape, SandboxConfig
from .server import SandboxServer
from .teams import Team, teams_of


class Control:
    """Calls /_sandbox/* with an API key: a team's key acts on that team."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"

    def _call(self, method: str, path: str, payload: dict | None = None) -> Any:
        response = self.session.request(
            method, f"{self.base_url}/_sandbox/{path}", json=payload, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "stats")

    def reset_stats(self) -> dict[str, Any]:
        return self._call("POST", "stats/reset")

    def mutate(self, resource: str, **counts: int) -> dict[str, Any]:
        """E.g. mutate("people", update=100, delete=10, create=5), mutate("cadences", archive=2)."""
        return self._call("POST", "mutate", {"resource": resource, **counts})

    def faults(self, **settings: Any) -> dict[str, Any]:
        """E.g. faults(http_503=0.2), faults(force_429=3), faults(expire_tokens=True),
        faults(reset=True)."""
        return self._call("POST", "faults", settings)

    def webhooks(self) -> dict[str, Any]:
        """The team's webhook delivery counters: pending, delivered, failed_attempts,
        retried, gave_up, dropped, duplicated."""
        return self._call("GET", "webhooks")

    def webhooks_wait(self, timeout: float = 10.0) -> dict[str, Any]:
        """Wait until no webhook delivery is queued, held for a retry or being sent;
        answers the counters (check `pending` == 0 if the timeout may have passed)."""
        return self._call("POST", "webhooks/wait", {"timeout": timeout})

    def webhooks_reset(self) -> dict[str, Any]:
        """Forget queued deliveries and zero the counters (subscriptions stay)."""
        return self._call("POST", "webhooks/reset")

    def clock(self, advance: float | None = None) -> dict[str, float]:
        """The sandbox's time (`{"now": epoch seconds, "offset_seconds": …}`), first moved
        forward by `advance` seconds if given: tokens expire and rate windows turn without
        a test sleeping. Shared by every team."""
        if advance is None:
            return self._call("GET", "clock")
        return self._call("POST", "clock", {"advance": advance})

    def next_minute(self) -> None:
        """Move the sandbox's clock to the start of the next clock minute: a fresh rate
        window with (almost) 60 s of room, whatever the real time."""
        self.clock(advance=60 - self.clock()["now"] % 60)

    def snapshot(self, resource: str) -> dict[int, str]:
        """Ground truth: {id: updated_at} of every record of `resource`."""
        url = f"{self.base_url}/_sandbox/snapshot/{resource}"
        with self.session.get(url, stream=True, timeout=300) as response:
            response.raise_for_status()
            rows = (orjson.loads(line) for line in response.iter_lines() if line)
            return {row["id"]: row["updated_at"] for row in rows}


@dataclass(frozen=True)
class TeamHandle:
    """One Salesloft team of a running sandbox (`sandbox.teams[0]` is team 1)."""

    base_url: str
    team: Team

    @property
    def number(self) -> int:
        return self.team.number

    @property
    def team_id(self) -> int:
        return self.team.team_id

    @property
    def api_key(self) -> str:
        return self.team.api_key

    @property
    def admin_user_id(self) -> int:
        return self.team.admin_user_id

    @property
    def user_ids(self) -> list[int]:
        return self.team.user_ids

    @property
    def control(self) -> Control:
        return Control(self.base_url, self.team.api_key)


@dataclass
class RunningSandbox:
    server: SandboxServer
    config: SandboxConfig

    @property
    def teams(self) -> list[TeamHandle]:
        """Every team served (`teams=N`), team 1 first."""
        return [TeamHandle(self.base_url, team) for team in teams_of(self.config)]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def api_base(self) -> str:
        return self.base_url + "/v2"

    @property
    def authorize_url(self) -> str:
        return self.base_url + "/oauth/authorize"

    @property
    def token_url(self) -> str:
        return self.base_url + "/oauth/token"

    @property
    def api_key(self) -> str:
        return self.config.api_key

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    @property
    def control(self) -> Control:
        return Control(self.base_url, self.api_key)


@contextlib.contextmanager
def run_sandbox(
    *,
    people: int = 300,
    seed: int = defaults.DEFAULT_SEED,
    data_dir: Path | str | None = None,
    auto_approve: bool = True,
    rate_limit: bool = True,
    **options: Any,
) -> Iterator[RunningSandbox]:
    """Start a sandbox on 127.0.0.1:<free port> in a background thread; stop it on exit.

    `options` are other SandboxConfig fields (api_key, token_lifetime, threads, teams, …) or
    DataShape counts (accounts, users, cadences, memberships, emails). Without a
    `data_dir` the store lives in a temporary directory removed afterwards.
    """
    shape_keys = {"accounts", "users", "cadences", "memberships", "emails"}
    shape = DataShape(
        seed=seed, people=people, **{k: v for k, v in options.items() if k in shape_keys}
    )
    rest = {k: v for k, v in options.items() if k not in shape_keys}
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="salesloft-sandbox-"))
        config = SandboxConfig(
            data_dir=Path(data_dir),
            shape=shape,
            port=0,
            auto_approve=auto_approve,
            rate_limit=rate_limit,
            **rest,
        )
        server = SandboxServer(config)
        server.start()
        try:
            yield RunningSandbox(server, config)
        finally:
            server.stop()
