"""Writes on providers, customers and connections, and the facade other apps call:
connect flows, token refresh, records, passthrough (reads of our own rows live in
`connectors.selectors`).

Callers import from `connectors.services`; the modules below hold one noun each:
`providers` (provider and customer rows, the admin's provider check), `encryption` (key
rotation), `tokens` (the token endpoint, refresh, keep-alive, losing a connection),
`clients` (provider API clients per connection), `connect` (the connect flow's rules and
storing its connection), `connect_sessions` (issuing and opening them, OAuth states),
`magic_links`, `records` (the provider's records read and written now: sync pages, one
record, single-record writes) and `passthrough`.
"""

from connectors.services.clients import (
    connection_budget_key,
    connection_client,
    connection_rate_window,
    provider_identity,
)
from connectors.services.connect import (
    ConnectFlowError,
    connect_provider,
    connection_create_with_api_key,
    connection_save_oauth,
    return_url_check,
    return_url_with,
)
from connectors.services.connect_sessions import (
    BROWSER_COOKIE,
    connect_session_create,
    connect_session_open,
    connect_session_unsigned,
    connect_session_url,
    connect_sessions_prune,
    oauth_state_consume,
)
from connectors.services.encryption import encrypted_fields_rotate
from connectors.services.magic_links import (
    magic_link_create,
    magic_link_open,
    magic_link_session,
    magic_link_use,
)
from connectors.services.passthrough import (
    PassthroughResponse,
    passthrough_path,
    passthrough_request,
)
from connectors.services.providers import (
    customer_upsert,
    provider_defaults,
    provider_endpoint_changes,
    provider_redirect_url,
    provider_save,
    provider_test,
    service_user,
)
from connectors.services.records import (
    provider_error_detail,
    record_create,
    record_delete,
    record_fetch,
    record_update,
    sequence_step_create,
    sequence_step_update,
    sequence_steps_fetch,
    stream_pages,
)
from connectors.services.tokens import (
    connection_access_token,
    connection_disconnect,
    connection_mark_needs_reauth,
    connection_refresh,
    connections_keepalive,
)
from connectors.services.webhooks import (
    WebhookRefused,
    connection_webhook,
    connection_webhooks_subscribe,
    connection_webhooks_unsubscribe,
    webhook_event_receive,
)

__all__ = [
    "WebhookRefused",
    "connection_webhook",
    "connection_webhooks_subscribe",
    "connection_webhooks_unsubscribe",
    "webhook_event_receive",
    "BROWSER_COOKIE",
    "ConnectFlowError",
    "PassthroughResponse",
    "connect_provider",
    "connect_session_create",
    "connect_session_open",
    "connect_session_unsigned",
    "connect_session_url",
    "connect_sessions_prune",
    "connection_access_token",
    "connection_budget_key",
    "connection_rate_window",
    "connection_client",
    "connection_create_with_api_key",
    "connection_disconnect",
    "connection_mark_needs_reauth",
    "connection_refresh",
    "connection_save_oauth",
    "connections_keepalive",
    "customer_upsert",
    "encrypted_fields_rotate",
    "magic_link_create",
    "magic_link_open",
    "magic_link_session",
    "magic_link_use",
    "oauth_state_consume",
    "passthrough_path",
    "passthrough_request",
    "provider_identity",
    "provider_defaults",
    "provider_endpoint_changes",
    "provider_error_detail",
    "provider_redirect_url",
    "provider_save",
    "provider_test",
    "record_create",
    "record_delete",
    "record_fetch",
    "record_update",
    "return_url_check",
    "return_url_with",
    "sequence_step_create",
    "sequence_step_update",
    "sequence_steps_fetch",
    "service_user",
    "stream_pages",
]
