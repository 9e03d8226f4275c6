"""Pause, resume, trigger and the heartbeat's claims (the queue itself: test_django_q.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from connectors.models import Connection
from syncs.models import Sync
from syncs.scheduling import (
    HEARTBEAT_FUNC,
    KEEPALIVE_FUNC,
    PRUNE_FUNC,
    schedules_ensure,
    syncs_enqueue_due,
)
from syncs.services import LEASE, sync_pause, sync_resume, sync_trigger
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def orm_broker(monkeypatch):
    """Enqueued tasks land in the ORM queue table, whatever the configured broker."""
    import django_q.tasks
    from django_q.brokers.orm import ORM

    monkeypatch.setattr(django_q.tasks, "get_broker", lambda *a, **k: ORM(list_key="glue-test"))


def queued() -> list[tuple[str, tuple]]:
    tasks = [SignedPackage.loads(q.payload) for q in OrmQ.objects.order_by("id")]
    return [(t["func"], t["args"]) for t in tasks]


def test_heartbeat_enqueues_due_syncs_once_per_connection_in_object_order(
    provider, connection, sync_config, django_capture_on_commit_callbacks
):
    other = ConnectionFactory(provider=provider)
    from syncs.services import syncs_create_for_connection

    syncs_create_for_connection(connection=other)
    Sync.objects.filter(connection=other).exclude(object_name="emails").update(
        next_run_at=timezone.now() + timedelta(hours=1)
    )
    Sync.objects.filter(connection=connection, object_name="users").update(paused=True)
    OrmQ.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        enqueued = syncs_enqueue_due()

    mine = list(
        Sync.objects.filter(connection=connection, paused=False)
        .exclude(object_name="users")
        .values_list("object_name", "pk")
    )
    order = ["mailboxes", "accounts", "contacts", "sequences", "sequence_states", "emails"]
    assert enqueued[connection.pk] == [dict(mine)[name] for name in order]
    assert enqueued[other.pk] == [Sync.objects.get(connection=other, object_name="emails").pk]
    assert queued() == [
        ("syncs.tasks.connection_syncs_run", (connection.pk, enqueued[connection.pk])),
        ("syncs.tasks.connection_syncs_run", (other.pk, enqueued[other.pk])),
    ]
    claimed = Sync.objects.get(connection=connection, object_name="contacts")
    assert claimed.next_run_at > timezone.now() + LEASE - timedelta(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert syncs_enqueue_due() == {}  # claimed: not enqueued twice
    assert len(queued()) == 2


def test_inactive_connections_are_not_scheduled(connection, sync_config):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.REVOKED)
    assert syncs_enqueue_due() == {}


def test_pause_resume_and_trigger(contacts_sync, django_capture_on_commit_callbacks):
    OrmQ.objects.all().delete()
    sync = sync_pause(contacts_sync, reason="maintenance")
    assert (sync.paused, sync.paused_reason) == (True, "maintenance")
    assert contacts_sync.pk not in sum(syncs_enqueue_due().values(), [])

    Sync.objects.filter(pk=sync.pk).update(consecutive_failures=4)
    sync = sync_resume(sync)
    assert (sync.paused, sync.paused_reason, sync.consecutive_failures) == (False, "", 0)
    assert sync.next_run_at <= timezone.now()

    OrmQ.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = sync_trigger(sync, full_refresh=True)
    sync = run.sync
    assert queued() == []  # nothing before the commit
    for callback in callbacks:
        callback()
    # The run is opened, queued, at once: its id is in the task for the worker to claim.
    assert queued() == [("syncs.tasks.sync_run", (sync.pk, run.pk))]
    assert (run.status, run.worker, run.strategy) == ("in_progress", "", "full")
    assert sync.full_refresh_next is True
    assert sync.next_run_at > timezone.now()  # claimed: the heartbeat leaves it alone


def test_schedules_are_created_once(db):
    schedules_ensure()
    Schedule.objects.filter(func=HEARTBEAT_FUNC).update(minutes=5)  # an operator's edit
    schedules_ensure()
    heartbeat = Schedule.objects.get(func=HEARTBEAT_FUNC)
    assert (heartbeat.schedule_type, heartbeat.minutes) == (Schedule.MINUTES, 5)
    assert Schedule.objects.get(func=KEEPALIVE_FUNC).minutes == 30
    assert Schedule.objects.get(func=PRUNE_FUNC).minutes == 15
    # Besides the portal's webhook retry schedule (portal.events), exactly these three.
    assert Schedule.objects.filter(func__startswith="syncs.").count() == 3
