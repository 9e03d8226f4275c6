"""Reading ahead: same results as reading in turn, errors and early stops handled."""

from __future__ import annotations

import threading

import pytest

from connectors.exceptions import ProviderUnavailable
from syncs.engine import run_sync
from syncs.models import Contact, SyncRun
from syncs.readahead import read_ahead, read_ahead_possible

pytestmark = pytest.mark.django_db


def test_not_possible_inside_a_transaction(db):
    assert read_ahead_possible() is False  # the test's own transaction


def test_a_read_ahead_run_stores_the_same_as_a_plain_one(fake, contacts_sync):
    for i in range(45):
        fake.put("contacts", i + 1, first_name=f"P{i}")
    waits = []

    run = run_sync(contacts_sync, read_ahead=True, on_wait=waits.append)

    assert (run.status, run.fetched, run.pages) == ("success", 45, 5)
    assert waits == [0.0]  # the producer's wait reached the caller's callback
    assert Contact.objects.count() == 45
    assert Contact.objects.get(remote_id="45").first_name == "P44"


def test_a_producer_error_fails_the_run_after_the_committed_pages(fake, contacts_sync):
    for i in range(45):
        fake.put("contacts", i + 1)
    fake.fail_after_pages, fake.error = 3, ProviderUnavailable("gone")

    run = run_sync(contacts_sync, read_ahead=True)

    assert (run.status, run.error_type, run.pages) == ("failure", "ProviderUnavailable", 3)
    assert Contact.objects.count() == 30


def test_stopping_early_stops_the_producer():
    produced = []

    def pages():
        for n in range(1000):
            produced.append(n)
            yield n

    stream = read_ahead(pages, idle=lambda: None)
    assert [next(stream), next(stream)] == [0, 1]
    stream.close()
    assert not any(t.name == "sync-read-ahead" for t in threading.enumerate())
    assert len(produced) < 10  # bounded: it never ran far ahead


def test_the_caller_is_told_while_the_producer_waits():
    released = threading.Event()

    def pages():
        yield "first"
        released.wait(timeout=30)  # a long rate-limit wait
        yield "second"

    idles = []

    def idle() -> None:
        idles.append(1)
        released.set()

    assert list(read_ahead(pages, idle=idle, idle_every=0.01)) == ["first", "second"]
    assert idles


def test_a_consumer_crash_leaves_no_thread_behind(fake, contacts_sync):
    for i in range(45):
        fake.put("contacts", i + 1)

    class Killed(BaseException):
        pass

    def die(progress) -> None:
        raise Killed

    with pytest.raises(Killed):
        run_sync(contacts_sync, read_ahead=True, on_page=die)
    assert not any(t.name == "sync-read-ahead" for t in threading.enumerate())
    assert SyncRun.objects.get().status == "in_progress"  # for the reaper, as after a kill
