"""What connectors announce; the syncs app listens (it may not be imported from here).

* `connection_connected(connection=, account_changed=)`: a connection was created or
  reconnected (OAuth or API key); `account_changed` when it now holds another provider
  account's credentials than before (its old records are not that account's). Sent
  inside the transaction that saved it, so receivers' writes are atomic with it;
  receivers that enqueue work should do so with `transaction.on_commit`.
* `connection_lost(connection=, reason=)`: a connection became `needs_reauth` or `revoked`.
* `webhook_event_received(event=)`: a verified webhook delivery was stored (see below).
"""

from __future__ import annotations

from django.dispatch import Signal

connection_connected = Signal()
connection_lost = Signal()
# `connection_disconnecting(connection=)`: sent by `connection_disconnect` before the
# credentials are wiped, so receivers can still call the provider (e.g. unsubscribe).
connection_disconnecting = Signal()
# `webhook_event_received(event=)`: a verified provider delivery was stored (a new one, not a
# duplicate), inside the transaction that stored it; the syncs app applies it.
webhook_event_received = Signal()
