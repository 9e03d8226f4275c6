"""The heartbeat schedule runs a due sync through Django-Q2: the configured broker (the ORM
by default; Redis when REDIS_URL is set), the real scheduler and Django-Q's worker."""

from __future__ import annotations

from datetime import timedelta

import django_q.tasks
import pytest
from django.conf import settings
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule

from syncs.models import Contact, Sync, SyncRun
from syncs.scheduling import HEARTBEAT_FUNC, schedules_ensure
from tests.syncs.queue import run_schedules_and_tasks

BROKERS = ["orm", "redis"] if settings.REDIS_URL else ["orm"]


@pytest.fixture(params=BROKERS)
def broker(request, monkeypatch):
    if request.param == "redis":
        from django_q.brokers.redis_broker import Redis

        broker = Redis(list_key=f"glue-test-{timezone.now().timestamp()}")
    else:
        from django_q.brokers.orm import ORM

        broker = ORM(list_key="glue-test")
    assert type(get_broker()).__name__ == ("Redis" if settings.REDIS_URL else "ORM")
    # Tasks enqueued by tasks go to the same broker.
    monkeypatch.setattr(django_q.tasks, "get_broker", lambda *a, **k: broker)
    broker.purge_queue()
    yield broker
    broker.purge_queue()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_runs_a_due_sync(broker, sandbox, sandbox_connection):
    Sync.objects.exclude(object_name="contacts").update(
        next_run_at=timezone.now() + timedelta(hours=1)
    )
    schedules_ensure()
    Schedule.objects.update(next_run=timezone.now() + timedelta(minutes=5))
    Schedule.objects.filter(func=HEARTBEAT_FUNC).update(
        next_run=timezone.now() - timedelta(seconds=1)
    )

    done = run_schedules_and_tasks(broker)

    assert [(t["func"], t["success"]) for t in done] == [
        (HEARTBEAT_FUNC, True),
        ("syncs.tasks.connection_syncs_run", True),
    ]
    run = SyncRun.objects.get()
    assert (run.sync.object_name, run.status, run.strategy, run.fetched) == (
        "contacts", "success", "full", 300
    )  # fmt: skip
    assert Contact.objects.filter(connection=sandbox_connection).count() == 300
    assert Schedule.objects.get(func=HEARTBEAT_FUNC).next_run > timezone.now()
    assert Sync.objects.get(pk=run.sync_id).next_run_at > timezone.now()
    assert run_schedules_and_tasks(broker) == []  # nothing due any more
