"""The engine against an in-memory provider: bookkeeping, deletes, resume, failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from connectors.exceptions import AuthRevoked, ProviderUnavailable
from syncs.engine import run_sync
from syncs.models import Contact, Sequence, Sync, SyncRun
from syncs.runs import WORKER_LOST, SyncAlreadyRunning, sync_runs_reap_dead

pytestmark = pytest.mark.django_db


def fresh(sync: Sync) -> Sync:
    sync.refresh_from_db()
    return sync


def test_full_run_stores_every_record_and_moves_to_incremental(fake, contacts_sync):
    for i in range(25):
        fake.put("contacts", i + 1, first_name=f"P{i}", tags=["a"])
    pages = []

    run = run_sync(contacts_sync, on_page=lambda p: pages.append(p.pages))

    assert run.status == SyncRun.Status.SUCCESS
    assert (run.strategy, run.fetched, run.upserted, run.pages, run.api_cost) == (
        "full",
        25,
        25,
        3,
        3,
    )
    assert run.deleted == 0 and run.ended_at is not None
    assert pages == [1, 2, 3]
    assert Contact.objects.filter(connection=contacts_sync.connection).count() == 25
    row = Contact.objects.get(remote_id="7")
    assert (row.first_name, row.tags, row.last_seen_run_id) == ("P6", ["a"], run.pk)
    assert row.customer_id == contacts_sync.connection.customer.customer_id
    assert row.provider_name == "salesloft"
    sync = fresh(contacts_sync)
    assert sync.phase == Sync.Phase.INCREMENTAL
    assert sync.watermark == max(r["last_modified_at"] for r in fake.data["contacts"].values())
    assert sync.consecutive_failures == 0
    assert timedelta(minutes=9) < sync.next_run_at - timezone.now() <= timedelta(minutes=10)


def test_incremental_fetches_only_changes_and_full_marks_exactly_the_missing(fake, contacts_sync):
    for i in range(30):
        fake.put("contacts", i + 1)
    run_sync(contacts_sync)
    for i in (3, 4, 5):
        fake.put("contacts", i, first_name="changed")
    fake.delete("contacts", 10)
    fake.delete("contacts", 11)

    inc = run_sync(fresh(contacts_sync))

    assert (inc.strategy, inc.fetched, inc.deleted) == ("incremental", 3, 0)
    assert fake.calls[-1][1] is not None
    assert Contact.objects.filter(first_name="changed").count() == 3
    assert Contact.objects.filter(is_deleted=True).count() == 0  # incrementals cannot see deletes

    before = timezone.now()
    full = run_sync(fresh(contacts_sync), mode="full")

    assert (full.strategy, full.fetched, full.deleted) == ("full", 28, 2)
    deleted = Contact.objects.filter(is_deleted=True)
    assert sorted(deleted.values_list("remote_id", flat=True)) == ["10", "11"]
    assert all(row.last_modified_at >= before for row in deleted)
    # A record that comes back is undeleted by the next run that sees it.
    fake.put("contacts", 10, first_name="back")
    run_sync(fresh(contacts_sync))
    assert Contact.objects.get(remote_id="10").is_deleted is False
    assert Contact.objects.filter(is_deleted=True).count() == 1


def test_running_the_same_sync_twice_changes_nothing(fake, contacts_sync):
    for i in range(15):
        fake.put("contacts", i + 1, last_name=f"L{i}")
    run_sync(contacts_sync, mode="full")
    first = list(Contact.objects.order_by("remote_id").values("remote_id", "last_name"))

    again = run_sync(fresh(contacts_sync), mode="full")
    inc = run_sync(fresh(contacts_sync))

    assert again.deleted == 0 and inc.fetched == 0
    assert list(Contact.objects.order_by("remote_id").values("remote_id", "last_name")) == first
    assert not Contact.objects.filter(is_deleted=True).exists()


def test_archived_sequences_are_deleted_by_an_incremental_run(fake, connection, sync_config):
    sync = Sync.objects.get(connection=connection, object_name="sequences")
    fake.put("sequences", 1, name="kept")
    fake.put("sequences", 2, name="to archive")
    run_sync(sync)
    fake.put("sequences", 2, name="to archive", is_archived=True, is_deleted=True)

    run = run_sync(fresh(sync))

    assert (run.strategy, run.fetched, run.deleted) == ("incremental", 1, 1)
    assert Sequence.objects.get(remote_id="2").is_deleted is True
    assert Sequence.objects.get(remote_id="1").is_deleted is False


def test_failure_midway_keeps_committed_pages_and_backs_off(fake, contacts_sync):
    for i in range(35):
        fake.put("contacts", i + 1)
    fake.fail_after_pages, fake.error = 2, ProviderUnavailable("503 after retries")

    run = run_sync(contacts_sync)

    assert run.status == SyncRun.Status.FAILURE
    assert (run.error_type, run.error_message) == ("ProviderUnavailable", "503 after retries")
    assert (run.pages, run.upserted) == (2, 20)
    assert Contact.objects.count() == 20
    sync = fresh(contacts_sync)
    stamps = sorted(r["last_modified_at"] for r in fake.data["contacts"].values())
    assert sync.watermark == stamps[19]
    assert sync.phase == Sync.Phase.FULL and sync.consecutive_failures == 1
    first_delay = sync.next_run_at - timezone.now()

    fake.fail_after_pages = 0
    run_sync(sync)  # fails again: the wait doubles
    sync = fresh(sync)
    assert sync.consecutive_failures == 2
    assert sync.next_run_at - timezone.now() > first_delay + timedelta(seconds=50)

    fake.fail_after_pages = None
    ok = run_sync(sync)  # the full pass resumes where the committed pages end
    assert (ok.status, ok.strategy, ok.fetched) == ("success", "full", 15)
    assert fake.calls[-1] == ("contacts", stamps[19])
    assert Contact.objects.count() == 35
    sync = fresh(sync)
    assert (sync.consecutive_failures, sync.full_pass_run_id, sync.phase) == (
        0,
        None,
        "incremental",
    )


def test_auth_revoked_fails_the_run_and_pauses_the_sync(fake, contacts_sync):
    fake.put("contacts", 1)
    fake.fail_after_pages, fake.error = 0, AuthRevoked("invalid_grant", status=400)

    run = run_sync(contacts_sync)

    assert (run.status, run.error_type) == ("failure", "AuthRevoked")
    sync = fresh(contacts_sync)
    assert sync.paused is True
    assert "lost its authorization" in sync.paused_reason and "invalid_grant" in sync.paused_reason


class Killed(BaseException):
    """What a SIGKILL looks like from inside: the run is left in progress, nothing cleans up."""


def kill_after(pages: int):
    def on_page(progress) -> None:
        if progress.pages >= pages:
            raise Killed

    return on_page


def test_a_killed_run_blocks_while_alive_then_is_reaped_and_the_next_run_converges(
    fake, contacts_sync
):
    for i in range(40):
        fake.put("contacts", i + 1)
    with pytest.raises(Killed):
        run_sync(contacts_sync, on_page=kill_after(2))
    dead = SyncRun.objects.get(sync=contacts_sync)
    assert dead.status == SyncRun.Status.IN_PROGRESS and dead.pages == 2

    with pytest.raises(SyncAlreadyRunning):  # fresh heartbeat, our own live process
        run_sync(fresh(contacts_sync))

    SyncRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    Sync.objects.filter(pk=contacts_sync.pk).update(next_run_at=timezone.now() + timedelta(hours=1))
    assert sync_runs_reap_dead() == 1  # what the heartbeat does every minute
    sync = fresh(contacts_sync)
    assert sync.consecutive_failures == 1
    assert sync.next_run_at <= timezone.now() + timedelta(minutes=1)  # due again soon
    fake.delete("contacts", 40)
    run = run_sync(sync)

    dead.refresh_from_db()
    assert (dead.status, dead.error_type) == ("failure", WORKER_LOST)
    # The pass resumes after the dead run's two committed pages (their rows count as seen).
    assert (run.status, run.strategy, run.fetched, run.deleted) == ("success", "full", 19, 0)
    assert set(Contact.objects.filter(is_deleted=False).values_list("remote_id", flat=True)) == {
        str(i) for i in range(1, 40)
    }


def test_a_new_full_pass_never_resumes_from_an_incremental_watermark(fake, contacts_sync):
    for i in range(30):
        fake.put("contacts", i + 1)
    run_sync(contacts_sync)
    fake.delete("contacts", 3)
    fake.fail_after_pages, fake.error = 0, ProviderUnavailable("down")
    assert run_sync(fresh(contacts_sync), mode="full").status == "failure"  # before any page
    fake.fail_after_pages = None

    run = run_sync(fresh(contacts_sync))

    assert (run.strategy, run.fetched, run.deleted) == ("full", 29, 1)
    assert fake.calls[-1] == ("contacts", None)
    assert list(Contact.objects.filter(is_deleted=True).values_list("remote_id", flat=True)) == [
        "3"
    ]


def test_a_run_whose_process_is_gone_is_reaped_at_once(fake, contacts_sync):
    import subprocess
    import sys

    from syncs.runs import worker_id

    gone = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone_worker = worker_id(gone.pid)
    gone.kill()
    gone.wait()
    fake.put("contacts", 1)
    with pytest.raises(Killed):
        run_sync(contacts_sync, on_page=kill_after(1))
    SyncRun.objects.update(worker=gone_worker)

    run = run_sync(fresh(contacts_sync))

    assert run.status == SyncRun.Status.SUCCESS
    assert SyncRun.objects.filter(error_type=WORKER_LOST).count() == 1


def test_the_database_allows_one_running_run_per_sync(contacts_sync):
    now = timezone.now()
    SyncRun.objects.create(sync=contacts_sync, strategy="full", started_at=now, heartbeat_at=now)
    SyncRun.objects.create(
        sync=contacts_sync, strategy="full", started_at=now, heartbeat_at=now, status="success"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(
            sync=contacts_sync, strategy="full", started_at=now, heartbeat_at=now
        )


def test_full_sync_every_n_incrementals(fake, provider, connection):
    from syncs.services import sync_config_save

    sync_config_save(
        provider=provider, fields={"common_objects": ["users"], "full_sync_every_n_incrementals": 2}
    )
    sync = Sync.objects.get(connection=connection, object_name="users")
    fake.put("users", 1)
    strategies = [run_sync(fresh(sync)).strategy for _ in range(5)]
    assert strategies == ["full", "incremental", "incremental", "full", "incremental"]


def test_full_only_strategy_and_full_refresh_flag(fake, provider, connection):
    from syncs.services import sync_config_save

    sync_config_save(
        provider=provider,
        fields={
            "common_objects": ["users", "accounts"],
            "object_overrides": {"users": {"strategy": "full_only"}},
        },
    )
    users = Sync.objects.get(connection=connection, object_name="users")
    accounts = Sync.objects.get(connection=connection, object_name="accounts")
    fake.put("users", 1)
    fake.put("accounts", 1)
    assert [run_sync(fresh(users)).strategy for _ in range(2)] == ["full", "full"]
    assert [run_sync(fresh(accounts)).strategy for _ in range(2)] == ["full", "incremental"]
    Sync.objects.filter(pk=accounts.pk).update(full_refresh_next=True)
    assert run_sync(fresh(accounts)).strategy == "full"
    assert fresh(accounts).full_refresh_next is False
    assert run_sync(fresh(accounts)).strategy == "incremental"


def test_unknown_mode_is_refused(contacts_sync):
    with pytest.raises(ValueError, match="mode must be one of full, incremental"):
        run_sync(contacts_sync, mode="partial")


# --- triggered runs: opened queued, claimed by the worker ------------------------------------


def test_a_triggered_run_is_queued_then_claimed_by_the_worker(
    fake, contacts_sync, django_capture_on_commit_callbacks
):
    from syncs.engine import sync_run_by_id
    from syncs.services import sync_trigger

    fake.put("contacts", 1)
    with django_capture_on_commit_callbacks(execute=False):
        queued = sync_trigger(contacts_sync, full_refresh=True)
    assert (queued.status, queued.worker) == ("in_progress", "")
    # The queued run holds the sync's slot: a scheduled run meanwhile is skipped...
    with pytest.raises(SyncAlreadyRunning):
        run_sync(fresh(contacts_sync))
    # ...and the task the trigger enqueued does the work under the answered id.
    done = sync_run_by_id(sync_id=contacts_sync.pk, run_id=queued.pk)
    assert done.pk == queued.pk and done.status == SyncRun.Status.SUCCESS
    assert done.worker != "" and done.strategy == "full" and done.upserted == 1
    assert SyncRun.objects.filter(sync=contacts_sync).count() == 1


def test_a_trigger_during_a_run_answers_that_run(fake, contacts_sync):
    from syncs.runs import sync_run_start
    from syncs.services import sync_trigger

    running = sync_run_start(sync=contacts_sync, strategy="full")
    assert sync_trigger(contacts_sync).pk == running.pk
    assert SyncRun.objects.filter(sync=contacts_sync).count() == 1


def test_a_queued_run_nobody_picked_up_is_reaped_without_backoff(fake, contacts_sync):
    from syncs.engine import sync_run_by_id
    from syncs.runs import QUEUED_STALE_AFTER, sync_run_start

    queued = sync_run_start(sync=contacts_sync, strategy="full", queued=True)
    # Ten minutes in the queue are not death (a busy queue): only the lease is.
    SyncRun.objects.filter(pk=queued.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=11))
    assert sync_runs_reap_dead() == 0
    SyncRun.objects.filter(pk=queued.pk).update(
        heartbeat_at=timezone.now() - QUEUED_STALE_AFTER - timedelta(seconds=1)
    )
    assert sync_runs_reap_dead() == 1
    queued.refresh_from_db()
    assert queued.status == SyncRun.Status.FAILURE and queued.error_type == WORKER_LOST
    assert "No worker picked up" in queued.error_message
    assert fresh(contacts_sync).consecutive_failures == 0
    # Its task, arriving late, runs the sync under a new run.
    late = sync_run_by_id(sync_id=contacts_sync.pk, run_id=queued.pk)
    assert late.pk != queued.pk and late.status == SyncRun.Status.SUCCESS
