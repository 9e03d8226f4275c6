"""Building and serving the sandbox: make sure the store exists for the requested data
shape (generating it if not), then serve the WSGI app with waitress's thread pool."""

from __future__ import annotations

import logging
import socket
import sqlite3
import threading
from pathlib import Path
from typing import Any

from waitress.server import create_server

from .app import SandboxApp, TeamsApp
from .config import SandboxConfig
from .generate import generate
from .store import Store
from .teams import Team, team_of, teams_of
from .timestamps import WallClock

log = logging.getLogger(__name__)


def stored_fingerprint(path: Path) -> str | None:
    """The generation fingerprint of an existing store, or None (missing/corrupt)."""
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def ensure_store(config: SandboxConfig, team: Team | None = None) -> dict[str, Any] | None:
    """Reuse a team's store (team 1 by default) when it was generated with the same
    parameters, else regenerate. Returns the generation report, or None when reused."""
    team = team or team_of(config, 1)
    if stored_fingerprint(team.db_path) == team.fingerprint():
        return None
    for suffix in ("-wal", "-shm"):
        Path(str(team.db_path) + suffix).unlink(missing_ok=True)
    return generate(
        team.db_path, team.shape, id_offset=team.id_offset, team_id=team.team_id,
        email_domain=team.email_domain, fingerprint=team.fingerprint(),
    )  # fmt: skip


def build_app(config: SandboxConfig) -> TeamsApp:
    """One SandboxApp (store, OAuth tokens, rate budget, faults, stats) per team, behind
    the TeamsApp that routes each request to its team. All teams share one clock."""
    apps, wall = [], WallClock()
    for team in teams_of(config):
        ensure_store(config, team)
        store = Store(team.db_path, id_floor=team.id_offset)
        store.prepare_for_serving()
        apps.append(SandboxApp(config, store, team, wall))
    return TeamsApp(config, apps)


class SandboxServer:
    """A waitress server for the sandbox's teams; `start()` runs it on a daemon thread."""

    def __init__(self, config: SandboxConfig, app: TeamsApp | None = None) -> None:
        self.app = app or build_app(config)
        self.server = create_server(
            self.app, host=config.host, port=config.port, threads=config.threads,
            ident="Salesloft sandbox", channel_timeout=120, connection_limit=1000,
        )  # fmt: skip
        # waitress sends at most SO_SNDBUF bytes per loop turn; the 16 KB default turns
        # one 170 KB page into a dozen turns. Accepted sockets inherit this size.
        self.server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
        self.host, self.port = config.host, int(self.server.effective_port)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self.server.run()

    def _run_until_stopped(self) -> None:
        # Our own loop (one poll per turn) so stop() can end it between turns instead
        # of closing sockets under a running select().
        while not self._stopping.is_set():
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, count=1)
        self.server.task_dispatcher.shutdown(timeout=1)
        self.server.asyncore.close_all(self.server._map)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run_until_stopped, name="salesloft-sandbox", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        for app in self.app.apps:
            app.faults.release()  # stalled requests end now, not after their timeout
            app.webhooks.stop()
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=10)
