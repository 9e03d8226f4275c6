"""Small HTML pieces the admin screens share."""

from __future__ import annotations

import json

from django.utils.html import format_html
from django.utils.safestring import SafeString


def copy_button(value: str) -> SafeString:
    """`value` in a code block with a button that copies it to the clipboard."""
    return format_html(
        '<code class="glue-copy-value">{}</code> '
        '<button type="button" class="button glue-copy" data-copy="{}">Copy</button>',
        value,
        value,
    )


def pretty_json(value: object) -> SafeString:
    return format_html('<pre class="glue-json">{}</pre>', json.dumps(value, indent=2, default=str))


BADGE_COLOURS = {
    "active": "#1f7a3a",
    "success": "#1f7a3a",
    "healthy": "#1f7a3a",
    "in_progress": "#1d5fa8",
    "needs_reauth": "#b26a00",
    "paused": "#6b6b6b",
    "revoked": "#a32020",
    "failure": "#a32020",
    "failing": "#a32020",
}


def badge(value: str, label: str | None = None) -> SafeString:
    colour = BADGE_COLOURS.get(value, "#555")
    return format_html(
        '<span class="glue-badge" style="background:{}">{}</span>', colour, label or value
    )
