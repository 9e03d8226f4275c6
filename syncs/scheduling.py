"""The heartbeat: every minute, enqueue the syncs whose `next_run_at` has come.

Due syncs are grouped by connection into one task each: a connection's objects run one
after another (parents first, sharing one rate budget) while different connections run on
different workers. Claiming a sync pushes its `next_run_at` past the task timeout, so the
next heartbeat does not enqueue it twice, and a lost task simply makes it due again.
"""

from __future__ import annotations

import logging
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from connectors.models import Connection
from syncs.models import Sync
from syncs.runs import sync_runs_reap_dead
from syncs.services import LEASE, _object_order

logger = logging.getLogger(__name__)

HEARTBEAT_SCHEDULE = "glue: enqueue due syncs"
HEARTBEAT_FUNC = "syncs.tasks.syncs_heartbeat"
KEEPALIVE_SCHEDULE = "glue: connections keepalive"
KEEPALIVE_FUNC = "syncs.tasks.connections_keepalive"
KEEPALIVE_MINUTES = 30
PRUNE_SCHEDULE = "glue: prune connect sessions"
PRUNE_FUNC = "syncs.tasks.connect_sessions_prune"
PRUNE_MINUTES = 15
CONNECTION_TASK = "syncs.tasks.connection_syncs_run"


def syncs_due(*, now=None) -> list[Sync]:
    now = now or timezone.now()
    return list(
        Sync.objects.filter(
            paused=False,
            next_run_at__lte=now,
            connection__status=Connection.Status.ACTIVE,
        ).order_by("connection_id", "id")
    )


def syncs_enqueue_due() -> dict[int, list[int]]:
    """Reap dead runs, claim every due sync and enqueue one task per connection.
    Returns {connection id: [sync ids]} as enqueued."""
    from django_q.tasks import async_task

    sync_runs_reap_dead()
    now = timezone.now()
    enqueued: dict[int, list[int]] = {}
    with transaction.atomic():
        for connection_id, group in groupby(syncs_due(now=now), key=lambda s: s.connection_id):
            claimed = [
                sync
                for sync in group
                # Only the heartbeat that moves next_run_at from the value it read owns it.
                if Sync.objects.filter(pk=sync.pk, next_run_at=sync.next_run_at).update(
                    next_run_at=now + LEASE
                )
            ]
            if not claimed:
                continue
            ids = [s.pk for s in sorted(claimed, key=lambda s: _object_order(s.object_name))]
            enqueued[connection_id] = ids

            def enqueue(connection_id=connection_id, ids=ids) -> None:
                async_task(CONNECTION_TASK, connection_id, ids, group="syncs")

            transaction.on_commit(enqueue)
    if enqueued:
        logger.info("Enqueued syncs %s", enqueued)
    return enqueued


def schedules_ensure() -> None:
    """Create the heartbeat, connection keep-alive and connect-session pruning schedules
    once (idempotent; an operator's edits to their timing are kept)."""
    from django_q.models import Schedule

    for name, func, minutes in (
        (HEARTBEAT_SCHEDULE, HEARTBEAT_FUNC, 1),
        (KEEPALIVE_SCHEDULE, KEEPALIVE_FUNC, KEEPALIVE_MINUTES),
        (PRUNE_SCHEDULE, PRUNE_FUNC, PRUNE_MINUTES),
    ):
        Schedule.objects.get_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
            },
        )
