"""Webhooks out: events for the developer's app, from a durable outbox, signed per the
Standard Webhooks specification (https://www.standardwebhooks.com/).

* `signing`: the secret and the three headers.
* `transport`: the one outbound POST (no redirects, a timeout, no private addresses unless
  `WEBHOOK_ALLOW_PRIVATE_NETWORKS`).
* `selectors`: endpoints and the delivery log.
* `services`: endpoints, the outbox (`webhook_event_emit`), delivery, retries, Resend.

`portal.events` turns the connectors' and syncs' signals into events.
"""
