"""What the syncs announce; the portal listens (it may not be imported from here).

* `sync_run_finished(run=)`: a run ended, `success` or `failure` (its counts are final).
"""

from __future__ import annotations

from django.dispatch import Signal

sync_run_finished = Signal()
