"""One record at a time: get, create, update, delete, and a cadence's steps.

Writes are mapped with the mappers first (`InvalidInput` before any call), sent with
interactive priority, and answered with the record as Salesloft now holds it: the write's
own response when it carries the record (people, accounts, memberships), else a read
(a cadence import answers only with the new id). A Salesloft 422 surfaces as
`ProviderError(status=422, body={"errors": {...}})`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.exceptions import InvalidInput
from connectors.ratelimit import Priority
from connectors.salesloft.client import SalesloftClient
from connectors.salesloft.mappers import (
    account_to_salesloft,
    cadence_export_to_sequence_steps,
    cadence_to_sequence,
    contact_to_person,
    sequence_state_to_membership,
    sequence_to_cadence_import,
    steps_to_sequence_steps,
)
from connectors.salesloft.paging import numbered_pages
from connectors.salesloft.streams import stream_of

WRITE = Priority.INTERACTIVE


def _remote_id(value: Any, field: str = "id") -> str:
    """Salesloft ids are integers; anything else would change the request's path."""
    text = str(value).strip()
    if not (text.isascii() and text.isdecimal()):
        raise InvalidInput(field, f"must be a Salesloft id (a whole number), got {value!r}")
    return text


def _data(body: Any) -> dict[str, Any]:
    return body.get("data") if isinstance(body, Mapping) else {}


def sequence_steps_fetch(client: SalesloftClient, sequence_id: str) -> list[dict[str, Any]]:
    """A cadence's steps as sequence_steps: the export has their content (templates,
    automation, replies), `/v2/steps` their ids; both list steps by (day, step number), so
    the ids are matched by position. If the two disagree in length, the id-bearing list
    wins (content is then missing, never misattributed)."""
    cadence_id = _remote_id(sequence_id)
    export = _data(client.send("GET", f"/cadence_exports/{cadence_id}", priority=WRITE).body)
    records: list[dict[str, Any]] = []
    for raw in numbered_pages(client, "/steps", params={"cadence_id": cadence_id}):
        records.extend(raw.records)
    with_ids = steps_to_sequence_steps(records)
    steps = cadence_export_to_sequence_steps(export)
    if len(steps) != len(with_ids):
        return with_ids
    for step, identified in zip(steps, with_ids, strict=True):
        step["id"] = identified["id"]
    return steps


def record_fetch(client: SalesloftClient, object_name: str, remote_id: str) -> dict[str, Any]:
    stream = stream_of(object_name)
    rec = _data(client.send("GET", f"{stream.path}/{_remote_id(remote_id)}", priority=WRITE).body)
    if object_name == "sequences":
        return cadence_to_sequence(rec, steps=sequence_steps_fetch(client, str(rec["id"])))
    return stream.to_unified(rec)


def record_create(
    client: SalesloftClient, object_name: str, record: Mapping[str, Any]
) -> dict[str, Any]:
    stream = stream_of(object_name)
    if object_name == "contacts":
        body = contact_to_person(record)
    elif object_name == "accounts":
        body = account_to_salesloft(record)
    elif object_name == "sequence_states":
        body = sequence_state_to_membership(record)
    elif object_name == "sequences":
        created = _data(client.send("POST", "/cadence_imports", json=sequence_to_cadence_import(
            record
        ), priority=WRITE).body)  # fmt: skip
        return record_fetch(client, "sequences", str(created["cadence"]["id"]))
    else:
        raise InvalidInput("object_name", f"{object_name} cannot be created in Salesloft")
    return stream.to_unified(
        _data(client.send("POST", stream.path, json=body, priority=WRITE).body)
    )


def record_update(
    client: SalesloftClient, object_name: str, remote_id: str, record: Mapping[str, Any]
) -> dict[str, Any]:
    stream = stream_of(object_name)
    if object_name == "contacts":
        body = contact_to_person(record, partial=True)
    elif object_name == "accounts":
        body = account_to_salesloft(record, partial=True)
    else:
        raise InvalidInput("object_name", f"{object_name} cannot be updated in Salesloft")
    path = f"{stream.path}/{_remote_id(remote_id)}"
    return stream.to_unified(_data(client.send("PUT", path, json=body, priority=WRITE).body))


def record_delete(client: SalesloftClient, object_name: str, remote_id: str) -> None:
    if object_name != "sequence_states":
        raise InvalidInput("object_name", f"{object_name} cannot be deleted through Glue")
    stream = stream_of(object_name)
    client.send("DELETE", f"{stream.path}/{_remote_id(remote_id)}", priority=WRITE)
