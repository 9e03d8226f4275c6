"""Reading the next page while the current one is written.

A sync alternates between waiting on the provider (HTTP, JSON, mapping: the connector's
work) and writing to the database (ours). Reading one or two pages ahead in a thread
overlaps the two: the socket and SQLite/PostgreSQL release the GIL while they wait.
Memory stays flat (a bounded queue), and nothing about durability changes: pages are still
written, and the watermark advanced, one committed page at a time, in order.

The connector then runs in another thread, with its own database connection (its rate
budget and token refresh write rows). So read-ahead is off when the caller holds a
transaction (that thread could not see its uncommitted rows) and on in-memory SQLite.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection as db
from django.db import connections, transaction

DEPTH = 2
_DONE = object()


def read_ahead_possible() -> bool:
    in_memory = db.vendor == "sqlite" and db.is_in_memory_db()
    return not transaction.get_connection().in_atomic_block and not in_memory


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def read_ahead(
    make_pages: Callable[[], Iterator[Any]], *, idle: Callable[[], None], idle_every: float = 10.0
) -> Iterator[Any]:
    """Yield what `make_pages()` yields, produced by a background thread up to `DEPTH` items
    ahead. `idle()` runs in the caller's thread every `idle_every` seconds spent waiting
    (the run's heartbeat: a rate-limit wait is not a dead worker). The producer's errors
    are raised here; closing this generator stops the producer."""
    items: queue.Queue = queue.Queue(maxsize=DEPTH)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        pages = None
        try:
            pages = make_pages()
            for page in pages:
                if not put(page):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which decides
            put(_Failed(exc))
        finally:
            if pages is not None and hasattr(pages, "close"):
                pages.close()
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=produce, name="sync-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            try:
                item = items.get(timeout=idle_every)
            except queue.Empty:
                idle()
                continue
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join(timeout=60)
