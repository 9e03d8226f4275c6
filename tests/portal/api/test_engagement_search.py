"""Searches from the synced tables: contacts by emails, accounts, sequence states."""

from __future__ import annotations

import pytest

from tests.portal.api.conftest import error, make_record

pytestmark = pytest.mark.django_db


def _emails(*pairs):
    return [{"email_address": e, "email_address_type": t} for e, t in pairs]


def _ids(response):
    assert response.status_code == 200, response.json()
    return [r["id"] for r in response.json()["records"]]


def test_contacts_by_any_email_of_any_type_case_insensitive(api, conn_a):
    make_record(
        conn_a, "contacts", "1", minutes=1, email_addresses=_emails(("ada@x.io", "primary"))
    )
    make_record(
        conn_a,
        "contacts",
        "2",
        minutes=2,
        email_addresses=_emails(("bob@x.io", "primary"), ("Ada.Home@X.io", "personal")),
    )
    make_record(conn_a, "contacts", "3", minutes=3, email_addresses=_emails(("carl@x.io", None)))
    make_record(conn_a, "contacts", "4", minutes=4, email_addresses=[])
    search = "/engagement/v2/contacts/_search"
    assert _ids(api.post(search, {"filter": {"emails": ["ADA@x.io"]}})) == ["1"]
    assert _ids(api.post(search, {"filter": {"emails": ["ada.home@x.io", "carl@x.io"]}})) == [
        "2",
        "3",
    ]
    # A substring is not a match.
    assert _ids(api.post(search, {"filter": {"emails": ["ada@x"]}})) == []


def test_searches_skip_deleted_records_unless_asked(api, conn_a):
    make_record(
        conn_a, "contacts", "1", email_addresses=_emails(("gone@x.io", "primary")), is_deleted=True
    )
    search = "/engagement/v2/contacts/_search"
    assert _ids(api.post(search, {"filter": {"emails": ["gone@x.io"]}})) == []
    path = f"{search}?include_deleted=true"
    assert _ids(api.post(path, {"filter": {"emails": ["gone@x.io"]}})) == ["1"]


def test_accounts_by_name_domain_or_both(api, conn_a):
    make_record(conn_a, "accounts", "1", minutes=1, name="Acme", domain="acme.io")
    make_record(conn_a, "accounts", "2", minutes=2, name="Acme", domain="acme.fr")
    make_record(conn_a, "accounts", "3", minutes=3, name="Other", domain="acme.io")
    search = "/engagement/v2/accounts/_search"
    assert _ids(api.post(search, {"filter": {"name": "acme"}})) == ["1", "2"]
    assert _ids(api.post(search, {"filter": {"domain": "ACME.io"}})) == ["1", "3"]
    assert _ids(api.post(search, {"filter": {"name": "Acme", "domain": "acme.io"}})) == ["1"]


def test_sequence_states_by_contact_sequence_or_both(api, conn_a):
    make_record(conn_a, "sequence_states", "1", minutes=1, contact_id="c1", sequence_id="s1")
    make_record(conn_a, "sequence_states", "2", minutes=2, contact_id="c1", sequence_id="s2")
    make_record(conn_a, "sequence_states", "3", minutes=3, contact_id="c2", sequence_id="s1")
    search = "/engagement/v2/sequence_states/_search"
    assert _ids(api.post(search, {"filter": {"contact_id": "c1"}})) == ["1", "2"]
    assert _ids(api.post(search, {"filter": {"sequence_id": "s1"}})) == ["1", "3"]
    assert _ids(api.post(search, {"filter": {"contact_id": "c1", "sequence_id": "s1"}})) == ["1"]


def test_search_results_page_by_cursor(api, conn_a):
    for n in range(5):
        make_record(conn_a, "accounts", str(n), minutes=n, name="Same")
    search = "/engagement/v2/accounts/_search"
    first = api.post(f"{search}?page_size=2", {"filter": {"name": "Same"}}).json()
    assert first["pagination"]["total_count"] == 5
    second = api.post(
        f"{search}?page_size=2&cursor={first['pagination']['next']}", {"filter": {"name": "Same"}}
    )
    assert _ids(second) == ["2", "3"]


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("contacts", {}, "filter"),
        ("contacts", {"filter": {}}, "filter.emails"),
        ("contacts", {"filter": {"emails": "a@b.c"}}, "filter.emails"),
        ("contacts", {"filter": {"emails": []}}, "filter.emails"),
        ("accounts", {"filter": {}}, "filter"),
        ("accounts", {"filter": {"name": ["x"]}}, "filter.name"),
        ("sequence_states", {"filter": {}}, "filter"),
        ("sequence_states", "not json object", ""),
    ],
)
def test_bad_search_bodies_are_400_naming_the_field(api, conn_a, path, body, named):
    response = api.post(f"/engagement/v2/{path}/_search", body)
    assert response.status_code == 400
    item = error(response)
    assert item["code"] == "BAD_REQUEST"
    assert item["detail"].startswith(named)
