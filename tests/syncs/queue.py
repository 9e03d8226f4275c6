"""Running Django-Q2 in the test process: the scheduler, then a worker over the broker's tasks,
until the queue is empty. Bounded, and deterministic (no cluster processes, no sleeps)."""

from __future__ import annotations

import queue
from multiprocessing import Value

from django_q.brokers import Broker
from django_q.scheduler import scheduler
from django_q.signing import SignedPackage
from django_q.worker import worker


def run_schedules_and_tasks(broker: Broker, *, max_tasks: int = 20) -> list[dict]:
    """Fire due schedules into `broker`, then execute every task it holds (including those
    the tasks enqueue) with Django-Q's own worker; returns the finished task dicts."""
    scheduler(broker=broker)
    done: list[dict] = []
    while len(done) < max_tasks:
        task_set = broker.dequeue()
        if not task_set:
            break
        tasks, results = queue.Queue(), queue.Queue()
        for ack_id, payload in task_set:
            task = SignedPackage.loads(payload)
            task["ack_id"] = ack_id
            tasks.put(task)
        tasks.put("STOP")
        worker(tasks, results, Value("f", -1), timeout=120)
        while not results.empty():
            task = results.get()
            broker.acknowledge(task["ack_id"])
            done.append(task)
    return done
