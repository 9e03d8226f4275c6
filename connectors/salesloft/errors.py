"""Salesloft's error bodies, read for people (`ProviderSpec.error_detail`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def error_detail(body: Any) -> str:
    """Salesloft refuses a write (422) with `{"errors": {"field": ["message", ...]}}`;
    say it plainly: `"domain has already been taken; name can't be blank"`."""
    errors = body.get("errors") if isinstance(body, Mapping) else None
    if isinstance(errors, Mapping):
        parts = []
        for field, messages in errors.items():
            messages = messages if isinstance(messages, list) else [messages]
            parts.append(f"{field} {', '.join(str(m) for m in messages)}")
        return "; ".join(parts)
    return str(body) if body else "validation failed"
