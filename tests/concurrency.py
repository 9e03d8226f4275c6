"""Running the same call from two threads at once, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_at_once(call: Callable[[str], Any], names: tuple[str, ...] = ("a", "b")):
    """`call(name)` in one thread per name, released together by a barrier; returns
    ({name: result}, [exceptions raised]). Each thread closes its database connections."""
    results: dict[str, Any] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(names))

    def worker(name: str) -> None:
        try:
            barrier.wait()
            results[name] = call(name)
        except Exception as exc:  # reported to the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors
