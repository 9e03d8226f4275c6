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

from .app import SandboxApp
from .config import SandboxConfig
from .generate import generate
from .store import Store

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


def ensure_store(config: SandboxConfig) -> dict[str, Any] | None:
    """Reuse the store when it was generated with the same parameters, else regenerate.
    Returns the generation report, or None when the store was reused."""
    if stored_fingerprint(config.db_path) == config.shape.fingerprint():
        return None
    for suffix in ("-wal", "-shm"):
        Path(str(config.db_path) + suffix).unlink(missing_ok=True)
    return generate(config.db_path, config.shape)


def build_app(config: SandboxConfig) -> SandboxApp:
    ensure_store(config)
    store = Store(config.db_path)
    store.prepare_for_serving()
    return SandboxApp(config, store)


class SandboxServer:
    """A waitress server for one SandboxApp; `start()` runs it on a daemon thread."""

    def __init__(self, config: SandboxConfig, app: SandboxApp | None = None) -> None:
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
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=10)
