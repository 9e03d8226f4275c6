"""Fake CRM's `ProviderSpec`: the whole of what Glue needs to know about it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from connectors.base import Page, ProviderSpec, RemoteIdentity, Stream, Writes
from connectors.exceptions import AuthRevoked, InvalidInput
from tests.fakeprovider import store


def _common(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": rec["uid"],
        "created_at": rec["changed"],
        "updated_at": rec["changed"],
        "is_deleted": False,
        "last_modified_at": rec["changed"],
        "raw_data": {k: str(v) for k, v in rec.items()},
    }


def company_to_account(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_common(rec),
        "name": rec["title"],
        "domain": rec["web"],
        "owner_id": None,
        "custom_fields": {},
    }


def person_to_contact(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_common(rec),
        "first_name": rec["given"],
        "last_name": rec["family"],
        "job_title": None,
        "address": {
            "street_1": None,
            "street_2": None,
            "city": None,
            "state": None,
            "postal_code": None,
            "country": None,
        },
        "email_addresses": [{"email_address": rec["mail"], "email_address_type": "work"}],
        "phone_numbers": [],
        "owner_id": None,
        "account_id": rec.get("company"),
        "open_count": 0,
        "click_count": 0,
        "reply_count": 0,
        "bounced_count": 0,
        "custom_fields": {},
        "tags": [],
    }


def contact_to_person(record: Mapping[str, Any]) -> dict[str, Any]:
    emails = record.get("email_addresses") or []
    return {
        "given": record.get("first_name") or "",
        "family": record.get("last_name") or "",
        "mail": emails[0]["email_address"] if emails else "",
        "company": record.get("account_id"),
    }


STREAMS = {
    "accounts": Stream("accounts", "companies", company_to_account),
    "contacts": Stream(
        "contacts", "people", person_to_contact, writes=Writes(create=contact_to_person)
    ),
}


class FakeCrmClient:
    """A `ProviderClient` over the in-memory store; the credentials must be the fake key."""

    def __init__(self, *, api_base_url: str, tokens: Any, **ignored: Any) -> None:
        self.api_base_url, self.tokens = api_base_url, tokens

    def _stream(self, object_name: str) -> Stream:
        if self.tokens.token() != store.KEY:
            raise AuthRevoked("Fake CRM refused the key.", status=401)
        if object_name not in STREAMS:
            raise InvalidInput("object_name", f"Fake CRM has no {object_name}")
        return STREAMS[object_name]

    def url(self, path: str) -> str:
        return f"{self.api_base_url}/{path.lstrip('/')}"

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        raise InvalidInput("path", "Fake CRM has no passthrough")

    def identify(self) -> RemoteIdentity:
        if self.tokens.token() != store.KEY:
            raise AuthRevoked("Fake CRM refused the key.", status=401)
        return RemoteIdentity(store.TEAM["id"], store.TEAM["user_id"])

    def stream_pages(self, object_name: str, since: datetime | None) -> Iterator[Page]:
        stream = self._stream(object_name)
        rows = sorted(store.RECORDS[stream.path], key=lambda r: r["changed"])
        rows = [r for r in rows if since is None or r["changed"] >= since]
        for start in range(0, len(rows), 2):  # two records a page
            page = [stream.to_unified(r) for r in rows[start : start + 2]]
            yield Page(records=page, cursor=page[-1]["last_modified_at"], cost=1)

    def fetch(self, object_name: str, remote_id: str) -> dict[str, Any]:
        stream = self._stream(object_name)
        for rec in store.RECORDS[stream.path]:
            if rec["uid"] == remote_id:
                return stream.to_unified(rec)
        raise InvalidInput("id", f"no {object_name} {remote_id}")

    def create(self, object_name: str, record: Mapping[str, Any]) -> dict[str, Any]:
        stream = self._stream(object_name)
        if stream.writes.create is None:
            raise InvalidInput("object_name", f"Fake CRM cannot create {object_name}")
        return stream.to_unified(store.add(stream.path, stream.writes.create(record)))

    def update(self, object_name: str, remote_id: str, record: Mapping[str, Any]) -> dict:
        raise InvalidInput("object_name", f"Fake CRM cannot update {object_name}")

    def delete(self, object_name: str, remote_id: str) -> None:
        raise InvalidInput("object_name", f"Fake CRM cannot delete {object_name}")

    def sequence_steps(self, sequence_id: str) -> list[dict[str, Any]]:
        return []


SPEC = ProviderSpec(
    name="fakecrm",
    label="Fake CRM",
    category="engagement",
    authorize_url="https://auth.fakecrm.test/authorize",
    token_url="https://auth.fakecrm.test/token",
    api_base_url="https://api.fakecrm.test/v1",
    client_factory=FakeCrmClient,
    streams=STREAMS,
)
