"""A stand-in for a server someone pointed a provider at: it records every request it gets
and answers each with a fixed status and JSON body."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Listener:
    """`with Listener(host="127.0.0.2") as listener:` → `listener.url`, `listener.requests`
    (method, path, headers, body) of everything received."""

    def __init__(self, *, host: str = "127.0.0.1", status: int = 200, body: Any = None) -> None:
        self.requests: list[tuple[str, str, dict[str, str], str]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                payload = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                listener.requests.append((self.command, self.path, dict(self.headers), payload))
                data = json.dumps(body if body is not None else {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
