"""The seven common objects as Salesloft serves them: where each is listed, how it is read
and mapped, and which writes it takes. Everything that differs between objects is here, as
data; `reads.py` and `writes.py` hold the code, once."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from connectors.base import Page, Stream, Writes
from connectors.exceptions import InvalidInput
from connectors.salesloft import reads
from connectors.salesloft.mappers import (
    account_to_salesloft,
    account_to_unified,
    cadence_to_sequence,
    contact_to_person,
    email_activity_to_email,
    membership_to_sequence_state,
    person_to_contact,
    sequence_state_to_membership,
    sequence_to_cadence_import,
    user_to_mailbox,
    user_to_unified,
)
from connectors.salesloft.transport import Transport

Pager = Callable[[Transport, Stream, "datetime | None"], Iterator[Page]]
Fetcher = Callable[[Transport, Stream, str], dict[str, Any]]


@dataclass(frozen=True)
class SalesloftStream(Stream):
    """A `Stream` with Salesloft's details: the pager that lists it, how one record is read,
    and, for a create answered with an id only, where it is posted and the id's place."""

    pages: Pager = reads.changed_pages
    fetch: Fetcher = reads.record_fetch
    create_path: str | None = None
    created_id: Callable[[Mapping[str, Any]], Any] | None = None


USERS_PARAMS = {"sort_by": "id", "sort_direction": "ASC"}

STREAMS: dict[str, SalesloftStream] = {
    stream.name: stream
    for stream in (
        SalesloftStream(
            "users", "/users", user_to_unified, params=USERS_PARAMS, pages=reads.whole_pages
        ),
        SalesloftStream(
            "mailboxes", "/users", user_to_mailbox, params=USERS_PARAMS, pages=reads.whole_pages
        ),
        SalesloftStream(
            "accounts",
            "/accounts",
            account_to_unified,
            writes=Writes(
                create=account_to_salesloft, update=partial(account_to_salesloft, partial=True)
            ),
        ),
        SalesloftStream(
            "contacts",
            "/people",
            person_to_contact,
            writes=Writes(
                create=contact_to_person, update=partial(contact_to_person, partial=True)
            ),
        ),
        SalesloftStream(
            "sequences",
            "/cadences",
            cadence_to_sequence,
            pages=reads.cadence_pages,
            fetch=reads.cadence_fetch,
            writes=Writes(create=sequence_to_cadence_import),
            create_path="/cadence_imports",
            created_id=lambda answer: answer["cadence"]["id"],
        ),
        SalesloftStream(
            "sequence_states",
            "/cadence_memberships",
            membership_to_sequence_state,
            writes=Writes(create=sequence_state_to_membership, delete=True),
        ),
        SalesloftStream("emails", "/activities/emails", email_activity_to_email),
    )
}


def stream_of(object_name: str) -> SalesloftStream:
    try:
        return STREAMS[object_name]
    except KeyError:
        raise InvalidInput(
            "object_name", f"must be one of {', '.join(STREAMS)}; got {object_name!r}"
        ) from None
