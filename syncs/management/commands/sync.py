"""`manage.py sync --customer ID`: run a customer's syncs now, in the foreground."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from connectors.base import COMMON_OBJECTS
from connectors.exceptions import NotFound
from syncs.engine import RunProgress, run_sync
from syncs.runs import SyncAlreadyRunning
from syncs.selectors import connection_for_customer, syncs_for_objects


class Command(BaseCommand):
    help = "Run a customer's syncs now, with a progress bar per object, then a summary."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customer", required=True, help="the customer's id")
        parser.add_argument("--provider", help="provider name (default: its only connection)")
        parser.add_argument(
            "--object",
            dest="objects",
            nargs="+",
            action="extend",
            metavar="OBJECT",
            help=f"objects to sync (default: all configured): {', '.join(COMMON_OBJECTS)}",
        )
        parser.add_argument("--full", action="store_true", help="a full run, not incremental")
        parser.add_argument("--quiet", action="store_true", help="print errors only")

    def handle(self, *args, customer, provider, objects, full, quiet, **options) -> None:
        try:
            connection = connection_for_customer(customer_id=customer, provider_name=provider)
            syncs = syncs_for_objects(connection=connection, object_names=objects)
        except NotFound as exc:
            raise CommandError(str(exc)) from None
        out = self.stdout._out
        # A pipe or a log file gets the whole table, not 80 columns of it.
        width = None if getattr(out, "isatty", lambda: False)() else 140
        console = Console(file=out, quiet=quiet, highlight=False, width=width)
        mode = "full" if full else None
        results = []
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<16}"),
            BarColumn(),
            TextColumn("{task.fields[records]:>9,} records  {task.fields[pages]:>6,} pages"),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            for sync in syncs:
                task = bar.add_task(sync.object_name, total=None, records=0, pages=0, note="")
                waits = {"count": 0}

                def on_page(p: RunProgress, task=task) -> None:
                    bar.update(task, records=p.fetched, pages=p.pages, note="")

                def on_wait(seconds: float, task=task, waits=waits) -> None:
                    waits["count"] += 1
                    note = f"waiting {seconds:.0f}s for rate budget" if seconds else "waiting"
                    bar.update(task, note=f"{note} (wait {waits['count']})")

                started = time.monotonic()
                try:
                    run = run_sync(sync, mode=mode, on_page=on_page, on_wait=on_wait)
                except SyncAlreadyRunning as exc:
                    results.append((sync, None, str(exc), time.monotonic() - started, 0))
                    bar.update(task, total=1, completed=1, note="[red]already running")
                    continue
                note = "[green]done" if run.status == "success" else f"[red]{run.error_type}"
                bar.update(task, total=1, completed=1, note=note)
                results.append((sync, run, "", time.monotonic() - started, waits["count"]))
        failed = [r for r in results if r[1] is None or r[1].status != "success"]
        console.print(self._summary(results))
        for sync, run, message, _, _ in failed:
            error = message or f"{run.error_type}: {run.error_message}"
            self.stderr.write(f"{sync.object_name}: {error}")
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} syncs failed")

    def _summary(self, results) -> Table:
        table = Table(title="Sync summary")
        for name in ("object", "strategy", "status"):
            table.add_column(name)
        for name in ("fetched", "upserted", "deleted", "pages", "API cost", "waits", "seconds"):
            table.add_column(name, justify="right")
        for sync, run, _, seconds, waits in results:
            if run is None:
                table.add_row(sync.object_name, "", "[red]skipped", *[""] * 6, f"{seconds:.1f}")
                continue
            colour = "green" if run.status == "success" else "red"
            table.add_row(
                sync.object_name,
                run.strategy,
                f"[{colour}]{run.status}",
                f"{run.fetched:,}",
                f"{run.upserted:,}",
                f"{run.deleted:,}",
                f"{run.pages:,}",
                f"{run.api_cost:,}",
                f"{waits:,}",
                f"{seconds:.1f}",
            )
        return table
