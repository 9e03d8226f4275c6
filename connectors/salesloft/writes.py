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

from connectors.exceptions import InvalidInput, ProviderError, Unsupported
from connectors.salesloft.mappers import sequence_step_to_cadence_import, step_to_sequence_step
from connectors.salesloft.paging import numbered_pages
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


def _cadence_steps(client: Transport, cadence_id: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for raw in numbered_pages(client, "/steps", params={"cadence_id": cadence_id}):
        records.extend(raw.records)
    return records


def _position(rec: Mapping[str, Any]) -> tuple[int, int, int]:
    return (rec.get("day") or 0, rec.get("step_number") or 0, int(rec["id"]))


def sequence_step_create(
    client: Transport, sequence_id: str, step: Mapping[str, Any]
) -> dict[str, Any]:
    """Add one step after a cadence's last step, as Supaglue did: a cadence import into the
    existing cadence (`cadence_content.cadence_id`, docs/salesloft-api.md §13.5).

    An import answers with the cadence's id only, so the new step is found by listing the
    cadence's steps before and after it (Supaglue answered with the cadence's id instead).
    """
    cadence_id = remote_id_checked(sequence_id, "sequence_id")
    before = _cadence_steps(client, cadence_id)
    last_day = max((rec.get("day") or 1 for rec in before), default=1)
    body = sequence_step_to_cadence_import(step, cadence_id=int(cadence_id), last_day=last_day)
    client.send("POST", "/cadence_imports", json=body, priority=INTERACTIVE)
    known = {rec["id"] for rec in before}
    added = [rec for rec in _cadence_steps(client, cadence_id) if rec["id"] not in known]
    if not added:
        raise ProviderError("Salesloft took the step but lists no new step on the cadence")
    newest = max(added, key=_position)
    return step_to_sequence_step(newest, previous_day=last_day if before else None)


def sequence_step_update(sequence_id: str, step_id: str) -> dict[str, Any]:
    """Salesloft cannot change a step through its API (Supaglue's spec: "Not supported in
    salesloft"): `/v2/steps` is read-only and a cadence import only adds steps."""
    raise Unsupported(
        "Salesloft cannot change a cadence step through its API: its steps are read-only "
        "(a cadence import can only add steps). Edit the step in Salesloft instead."
    )
