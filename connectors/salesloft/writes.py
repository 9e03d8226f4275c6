"""Writing Salesloft, one record at a time, from what each stream declares (`streams.py`).

Writes are mapped first (`InvalidInput` before any call), sent ahead of syncs in the rate
budget, and answered with the record as Salesloft now holds it: the write's own response
when it carries the record (people, accounts, memberships), else a read of the id it
answered with (a cadence import answers only with the new cadence's id). A Salesloft 422
surfaces as `ProviderError(status=422, body={"errors": {...}})`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from connectors.exceptions import InvalidInput
from connectors.salesloft.reads import INTERACTIVE, data_of, remote_id_checked
from connectors.salesloft.transport import Transport

if TYPE_CHECKING:
    from connectors.salesloft.streams import SalesloftStream


def _refused(stream: SalesloftStream, verb: str) -> InvalidInput:
    return InvalidInput("object_name", f"{stream.name} cannot be {verb} in Salesloft")


def record_create(
    client: Transport,
    stream: SalesloftStream,
    record: Mapping[str, Any],
    fetch: Callable[[str], dict[str, Any]],
) -> dict[str, Any]:
    """Create `record`; `fetch(id)` reads it back when the answer does not carry it."""
    if stream.writes.create is None:
        raise _refused(stream, "created")
    body = stream.writes.create(record)
    answer = data_of(
        client.send("POST", stream.create_path or stream.path, json=body, priority=INTERACTIVE).body
    )
    if stream.created_id is not None:
        return fetch(str(stream.created_id(answer)))
    return stream.to_unified(answer)


def record_update(
    client: Transport, stream: SalesloftStream, remote_id: str, record: Mapping[str, Any]
) -> dict[str, Any]:
    if stream.writes.update is None:
        raise _refused(stream, "updated")
    path = f"{stream.path}/{remote_id_checked(remote_id)}"
    body = stream.writes.update(record)
    return stream.to_unified(
        data_of(client.send("PUT", path, json=body, priority=INTERACTIVE).body)
    )


def record_delete(client: Transport, stream: SalesloftStream, remote_id: str) -> None:
    if not stream.writes.delete:
        raise _refused(stream, "deleted")
    client.send("DELETE", f"{stream.path}/{remote_id_checked(remote_id)}", priority=INTERACTIVE)
