"""Salesloft as the rest of Glue sees it: names, real hosts, setup help, streams."""

from __future__ import annotations

from connectors.base import ProviderSpec
from connectors.salesloft import webhooks
from connectors.salesloft.client import make_client
from connectors.salesloft.errors import error_detail
from connectors.salesloft.streams import STREAMS

SETUP_STEPS = (
    "In Salesloft, open Settings → Your Applications → Manage Apps.",
    "Open your OAuth application (or Create New → OAuth application), then click Edit.",
    "Paste the redirect URL below into Redirect URI and click Save.",
    "Copy the Application ID and the Secret shown on the application's page into this form.",
)

SPEC = ProviderSpec(
    name="salesloft",
    label="Salesloft",
    category="engagement",
    authorize_url="https://accounts.salesloft.com/oauth/authorize",
    token_url="https://accounts.salesloft.com/oauth/token",  # noqa: S106 (a URL)
    api_base_url="https://api.salesloft.com/v2",
    client_factory=make_client,
    default_scopes="",
    setup_steps=SETUP_STEPS,
    streams=STREAMS,
    error_detail=error_detail,
    webhook_events=webhooks.EVENTS,
    webhook_event_type=webhooks.event_type,
    webhook_verify=webhooks.verify,
)
