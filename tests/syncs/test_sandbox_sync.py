"""The engine over real HTTP against the local provider sandbox, with exact counts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from connectors.models import Connection
from syncs.engine import run_sync
from syncs.models import RECORD_MODELS, Contact, Sequence, Sync, SyncRun
from tests.syncs.conftest import SANDBOX_RESOURCES

pytestmark = pytest.mark.django_db


def sync_of(connection, object_name: str) -> Sync:
    return Sync.objects.select_related("connection__customer", "connection__provider").get(
        connection=connection, object_name=object_name
    )


def stored(connection, object_name: str) -> dict[str, tuple[datetime, bool]]:
    rows = RECORD_MODELS[object_name].objects.filter(connection=connection)
    return {r: (u, d) for r, u, d in rows.values_list("remote_id", "updated_at", "is_deleted")}


def truth(sandbox, object_name: str) -> dict[str, datetime]:
    snapshot = sandbox.control.snapshot(SANDBOX_RESOURCES[object_name])
    return {str(i): datetime.fromisoformat(u) for i, u in snapshot.items()}


def assert_mirrors(sandbox, connection, object_name: str) -> None:
    """Every sandbox record is stored with its updated_at, and nothing else is live."""
    expected, rows = truth(sandbox, object_name), stored(connection, object_name)
    live = {i for i, (_, deleted) in rows.items() if not deleted}
    if object_name == "sequences":  # archived cadences stay upstream, deleted here
        live |= set(Sequence.objects.filter(is_archived=True).values_list("remote_id", flat=True))
    assert live == set(expected), object_name
    assert {i: rows[i][0] for i in expected} == expected, object_name


def test_the_connection_signal_created_one_sync_per_object(sandbox_connection):
    names = set(
        Sync.objects.filter(connection=sandbox_connection).values_list("object_name", flat=True)
    )
    assert names == set(SANDBOX_RESOURCES)
    assert not Sync.objects.filter(paused=True).exists()


def test_a_full_sync_stores_exactly_the_sandbox_records(sandbox, sandbox_connection):
    for name in SANDBOX_RESOURCES:
        run = run_sync(sync_of(sandbox_connection, name))
        assert (run.status, run.strategy, run.error_message) == ("success", "full", ""), name
        assert run.fetched == len(truth(sandbox, name)), name
        assert_mirrors(sandbox, sandbox_connection, name)
    assert Contact.objects.count() == 300
    assert SyncRun.objects.filter(status="success").count() == 7


def test_incremental_fetches_only_changes_then_full_marks_exactly_the_deleted(
    sandbox, sandbox_connection
):
    contacts = sync_of(sandbox_connection, "contacts")
    run_sync(contacts)
    watermark = Sync.objects.get(pk=contacts.pk).watermark
    boundary = set(
        Contact.objects.filter(last_modified_at=watermark).values_list("remote_id", flat=True)
    )

    changes = sandbox.control.mutate("people", update=100, delete=10)
    updated = {str(i) for i in changes["updated"]}
    deleted = {str(i) for i in changes["deleted"]}
    assert (len(updated), len(deleted)) == (100, 10)

    inc = run_sync(sync_of(sandbox_connection, "contacts"))
    seen = set(Contact.objects.filter(last_seen_run_id=inc.pk).values_list("remote_id", flat=True))
    assert inc.strategy == "incremental"
    # Exactly the changed people, plus the record(s) at the watermark the connector re-reads.
    assert seen - boundary == updated
    assert inc.fetched == len(seen) <= 100 + len(boundary)
    assert not Contact.objects.filter(is_deleted=True).exists()  # deletes need a full run

    full = run_sync(sync_of(sandbox_connection, "contacts"), mode="full")
    assert (full.status, full.fetched, full.deleted) == ("success", 290, 10)
    assert (
        set(Contact.objects.filter(is_deleted=True).values_list("remote_id", flat=True)) == deleted
    )
    assert_mirrors(sandbox, sandbox_connection, "contacts")


def test_an_archived_cadence_is_deleted_after_an_incremental_run(sandbox, sandbox_connection):
    sequences = sync_of(sandbox_connection, "sequences")
    run_sync(sequences)
    live_before = Sequence.objects.filter(is_deleted=False).count()
    archived = sandbox.control.mutate("cadences", archive=1)["archived"]
    assert len(archived) == 1

    run = run_sync(sync_of(sandbox_connection, "sequences"))

    assert (run.status, run.strategy) == ("success", "incremental")
    row = Sequence.objects.get(remote_id=str(archived[0]))
    assert (row.is_deleted, row.is_archived) == (True, True)
    assert Sequence.objects.filter(is_deleted=False).count() == live_before - 1


def test_running_the_same_sync_twice_changes_nothing(sandbox, sandbox_connection):
    for name in SANDBOX_RESOURCES:
        run_sync(sync_of(sandbox_connection, name))
    before = {name: stored(sandbox_connection, name) for name in SANDBOX_RESOURCES}

    for name in SANDBOX_RESOURCES:
        full = run_sync(sync_of(sandbox_connection, name), mode="full")
        inc = run_sync(sync_of(sandbox_connection, name))
        assert (full.status, full.deleted, inc.status, inc.deleted) == ("success", 0, "success", 0)

    assert {name: stored(sandbox_connection, name) for name in SANDBOX_RESOURCES} == before


class Killed(BaseException):
    """A SIGKILL as seen from inside: nothing after it runs, the run stays in progress."""


def kill_midway(sandbox_connection) -> SyncRun:
    """Run contacts until two pages are stored, then die like a killed worker; its
    heartbeat then goes stale (as it would, or its pid disappears) and it is reaped."""

    def die_after_two_pages(progress) -> None:
        if progress.pages == 2:
            raise Killed

    with pytest.raises(Killed):
        run_sync(sync_of(sandbox_connection, "contacts"), on_page=die_after_two_pages)
    dead = SyncRun.objects.get(sync__object_name="contacts")
    assert (dead.status, dead.pages) == ("in_progress", 2)
    assert Contact.objects.count() == 200
    SyncRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    return dead


def test_a_run_killed_midway_and_run_again_converges(sandbox, sandbox_connection):
    dead = kill_midway(sandbox_connection)

    run = run_sync(sync_of(sandbox_connection, "contacts"))

    dead.refresh_from_db()
    assert (dead.status, dead.error_type) == ("failure", "WorkerLost")
    # The full pass resumed after the two committed pages (re-reading the boundary record).
    assert (run.status, run.strategy, run.deleted) == ("success", "full", 0)
    assert 100 <= run.fetched <= 101
    assert_mirrors(sandbox, sandbox_connection, "contacts")
    assert Contact.objects.count() == 300


def test_changes_while_a_killed_pass_waits_are_all_caught(sandbox, sandbox_connection):
    kill_midway(sandbox_connection)
    stored_before = set(Contact.objects.values_list("remote_id", flat=True))
    changes = sandbox.control.mutate("people", update=20, delete=5)
    deleted = {str(i) for i in changes["deleted"]}
    assert deleted & stored_before and deleted - stored_before  # both kinds (fixed seed)

    run_sync(sync_of(sandbox_connection, "contacts"))  # the resumed pass

    rows = stored(sandbox_connection, "contacts")
    expected = truth(sandbox, "contacts")
    assert {i: rows[i][0] for i in expected} == expected  # every change is stored
    # A person deleted after the dead run had stored it is only known deleted by the next
    # full pass (as for a delete made while any single pass runs).
    live = {i for i, (_, gone) in rows.items() if not gone}
    assert live - set(expected) == deleted & stored_before

    run = run_sync(sync_of(sandbox_connection, "contacts"), mode="full")

    assert run.deleted == len(deleted & stored_before)
    assert_mirrors(sandbox, sandbox_connection, "contacts")


def test_a_revoked_connection_pauses_its_syncs_with_a_reason(sandbox, sandbox_connection):
    # The customer revoked the key at the provider: it now gets 401 like any unknown key.
    Connection.objects.filter(pk=sandbox_connection.pk).update(api_key="ak" + "0" * 64)

    run = run_sync(sync_of(sandbox_connection, "contacts"))

    assert (run.status, run.error_type) == ("failure", "AuthRevoked")
    syncs = Sync.objects.filter(connection=sandbox_connection)
    assert syncs.count() == 7 and all(s.paused for s in syncs)
    assert all(s.paused_reason.startswith("The connection lost its authorization") for s in syncs)
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.status == Connection.Status.NEEDS_REAUTH
    from syncs.scheduling import syncs_enqueue_due

    assert syncs_enqueue_due() == {}
