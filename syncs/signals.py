"""What the syncs announce; the portal listens (it may not be imported from here).

* `sync_run_finished(run=)`: a run ended, `success` or `failure` (its counts are final).
* `record_events_wanted(connection=)`: asked once per run (and per webhook event); a
  receiver answers True when someone wants record-level events of this connection. Only
  then are the records of a page compared with the stored rows (one query per page).
* `records_changed(connection=, object_name=, created=, updated=, deleted=)`: a sync page
  or a provider's webhook event was stored, inside its transaction (receivers' writes, an
  outbox, commit with it); each list holds unified records.
"""

from __future__ import annotations

from django.dispatch import Signal

sync_run_finished = Signal()
record_events_wanted = Signal()
records_changed = Signal()
