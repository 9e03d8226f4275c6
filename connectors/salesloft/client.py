"""`SalesloftClient`: Salesloft's `ProviderClient`, the provider contract `connectors.services`
calls. Each operation finds the object's stream (`streams.py`) and runs the one piece of code
that does it (`reads.py`, `writes.py`) over the transport (`transport.py`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from connectors.base import Page, RemoteIdentity
from connectors.salesloft import reads, webhooks, writes
from connectors.salesloft.streams import stream_of
from connectors.salesloft.transport import Transport


class SalesloftClient:
    def __init__(self, **transport: Any) -> None:
        self.transport = Transport(**transport)

    def url(self, path: str) -> str:
        return self.transport.url(path)

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.transport.send(method, path, **kwargs)

    def identify(self) -> RemoteIdentity:
        """The team (the rate budget's scope) and user the credentials belong to."""
        me = self.transport.get("/me")["data"] or {}
        team = me.get("team") or {}
        if team.get("id") is None:
            team = self.transport.get("/team")["data"]
        user_id = me.get("id")
        return RemoteIdentity(str(team["id"]), "" if user_id is None else str(user_id))

    def stream_pages(self, object_name: str, since: datetime | None) -> Iterator[Page]:
        stream = stream_of(object_name)  # an unknown name fails now, not at the first page
        return stream.pages(self.transport, stream, since)

    def fetch(self, object_name: str, remote_id: str) -> dict[str, Any]:
        stream = stream_of(object_name)
        return stream.fetch(self.transport, stream, remote_id)

    def create(self, object_name: str, record: Mapping[str, Any]) -> dict[str, Any]:
        stream = stream_of(object_name)
        return writes.record_create(
            self.transport, stream, record, fetch=lambda rid: self.fetch(object_name, rid)
        )

    def update(self, object_name: str, remote_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
        return writes.record_update(self.transport, stream_of(object_name), remote_id, record)

    def delete(self, object_name: str, remote_id: str) -> None:
        writes.record_delete(self.transport, stream_of(object_name), remote_id)

    def sequence_steps(self, sequence_id: str) -> list[dict[str, Any]]:
        return reads.sequence_steps_fetch(self.transport, sequence_id)

    def sequence_step_create(self, sequence_id: str, step: Mapping[str, Any]) -> dict[str, Any]:
        return writes.sequence_step_create(self.transport, sequence_id, step)

    def sequence_step_update(
        self, sequence_id: str, step_id: str, step: Mapping[str, Any]
    ) -> dict[str, Any]:
        return writes.sequence_step_update(sequence_id, step_id)

    def webhook_subscribe(self, callback_url: str, token: str, event_type: str) -> str:
        return webhooks.subscribe(self.transport, callback_url, token, event_type)

    def webhook_unsubscribe(self, subscription_id: str) -> None:
        webhooks.unsubscribe(self.transport, subscription_id)


def make_client(**kwargs: Any) -> SalesloftClient:
    """The spec's `client_factory`."""
    return SalesloftClient(**kwargs)
