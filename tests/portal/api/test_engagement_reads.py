"""Unified reads: lists, filters, cursor paging, single records, from the synced tables."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.api.pagination import Position, cursor_encode
from syncs.models import Contact
from tests.portal.api.conftest import BASE_TIME, error, make_record

pytestmark = pytest.mark.django_db

OBJECTS = ["accounts", "contacts", "users", "mailboxes", "sequences", "sequence_states", "emails"]


@pytest.mark.parametrize("object_name", OBJECTS)
def test_every_object_lists_and_gets_with_every_unified_field(api, conn_a, object_name):
    stored = make_record(conn_a, object_name, "11", minutes=1)
    body = api.get(f"/engagement/v2/{object_name}").json()
    assert body["pagination"] == {"next": None, "previous": None, "total_count": 1}
    (record,) = body["records"]
    model_fields = {n for n in type(stored).unified_field_names() if n != "remote_id"}
    assert set(record) == (model_fields - {"raw_data"}) | {"id"}
    assert record["id"] == "11"
    assert record["last_modified_at"] == "2024-03-01T12:01:00.123456Z"
    if object_name != "sequences":  # a sequence's GET also reads its steps from the provider
        one = api.get(f"/engagement/v2/{object_name}/11")
        assert one.status_code == 200 and one.json() == record


def test_contact_fields_come_back_as_stored(api, conn_a):
    make_record(
        conn_a,
        "contacts",
        "7",
        first_name="Ada",
        address={
            "street_1": None,
            "street_2": None,
            "city": "Paris",
            "state": None,
            "postal_code": None,
            "country": "FR",
        },
        email_addresses=[{"email_address": "ada@x.example", "email_address_type": "primary"}],
        phone_numbers=[{"phone_number": "+33 1", "phone_number_type": "mobile"}],
        reply_count=3,
        open_count=9,
        tags=["vip"],
        custom_fields={"tier": "gold"},
    )
    record = api.get("/engagement/v2/contacts/7").json()
    assert record["first_name"] == "Ada"
    assert record["address"]["city"] == "Paris"
    assert record["email_addresses"] == [
        {"email_address": "ada@x.example", "email_address_type": "primary"}
    ]
    assert record["phone_numbers"][0]["phone_number_type"] == "mobile"
    assert (record["reply_count"], record["open_count"]) == (3, 9)
    assert record["tags"] == ["vip"] and record["custom_fields"] == {"tier": "gold"}


def test_raw_data_only_on_request(api, conn_a):
    make_record(conn_a, "accounts", "5", raw_data={"id": 5, "name": "Raw Co"})
    assert "raw_data" not in api.get("/engagement/v2/accounts").json()["records"][0]
    listed = api.get("/engagement/v2/accounts", include_raw_data="true").json()["records"][0]
    assert listed["raw_data"] == {"id": 5, "name": "Raw Co"}
    one = api.get("/engagement/v2/accounts/5", include_raw_data="true").json()
    assert one["raw_data"] == {"id": 5, "name": "Raw Co"}


def test_deleted_rows_come_back_flagged_unless_excluded(api, conn_a):
    make_record(conn_a, "contacts", "1", minutes=1)
    make_record(conn_a, "contacts", "2", minutes=2, is_deleted=True)
    default = api.get("/engagement/v2/contacts").json()
    assert [(r["id"], r["is_deleted"]) for r in default["records"]] == [("1", False), ("2", True)]
    hidden = api.get("/engagement/v2/contacts", include_deleted="false").json()
    assert [r["id"] for r in hidden["records"]] == ["1"]
    assert hidden["pagination"]["total_count"] == 1
    supaglue_name = api.get("/engagement/v2/contacts", include_deleted_data="false").json()
    assert [r["id"] for r in supaglue_name["records"]] == ["1"]


def test_modified_after_is_strictly_after(api, conn_a):
    for minute in range(5):
        make_record(conn_a, "users", str(minute), minutes=minute)
    after = (BASE_TIME + timedelta(minutes=2)).isoformat().replace("+00:00", "Z")
    body = api.get("/engagement/v2/users", modified_after=after).json()
    assert [r["id"] for r in body["records"]] == ["3", "4"]
    assert body["pagination"]["total_count"] == 2
    # An offset (with its "+" sent unencoded, as people do) means the same instant.
    local = (BASE_TIME + timedelta(minutes=2)).astimezone().isoformat()
    body = api.get("/engagement/v2/users", modified_after=local).json()
    assert [r["id"] for r in body["records"]] == ["3", "4"]


def test_created_and_modified_bounds_filter_lists(api, conn_a):
    """Supaglue's `created_after` / `created_before` (and `modified_before`), exclusive."""
    for n in range(5):
        made = make_record(conn_a, "accounts", str(n), minutes=n)
        type(made).objects.filter(pk=made.pk).update(created_at=BASE_TIME + timedelta(days=n))

    def iso(delta):
        return (BASE_TIME + delta).isoformat().replace("+00:00", "Z")

    def listed(**query):
        body = api.get("/engagement/v2/accounts", **query).json()
        assert body["pagination"]["total_count"] == len(body["records"])
        return sorted(r["id"] for r in body["records"])

    assert listed(created_after=iso(timedelta(days=2))) == ["3", "4"]
    assert listed(created_before=iso(timedelta(days=2))) == ["0", "1"]
    assert listed(modified_before=iso(timedelta(minutes=2))) == ["0", "1"]
    both = listed(created_after=iso(timedelta(days=0)), modified_before=iso(timedelta(minutes=4)))
    assert both == ["1", "2", "3"]


def _walk(api, path, page_size, between=None):
    """Follow `next` to the end; `between(page_number)` runs after each page."""
    seen, cursor, pages = [], None, 0
    while True:
        query = {"page_size": page_size}
        if cursor:
            query["cursor"] = cursor
        body = api.get(path, **query).json()
        assert len(body["records"]) <= page_size
        seen += [r["id"] for r in body["records"]]
        pages += 1
        cursor = body["pagination"]["next"]
        if between:
            between(pages)
        if not cursor:
            return seen, pages


def test_cursor_paging_loses_and_repeats_nothing_while_rows_are_inserted(api, conn_a):
    for n in range(25):
        make_record(conn_a, "contacts", f"{n:03d}", minutes=n)
    # Rows keep arriving while the client pages: older than the cursor, equal to it, newer.
    extra = iter(range(100, 200))

    def insert(page: int) -> None:
        make_record(conn_a, "contacts", f"{next(extra)}", minutes=-10)  # behind: not seen
        make_record(conn_a, "contacts", f"{next(extra)}", minutes=1000 + page)  # ahead: seen

    seen, pages = _walk(api, "/engagement/v2/contacts", 4, between=insert)
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert {f"{n:03d}" for n in range(25)} <= set(seen), "an original row was lost"
    ahead = {r for r in seen if int(r) >= 100 and int(r) % 2 == 1}
    assert ahead, "rows inserted ahead of the cursor show up on later pages"
    assert pages > 6


def test_ties_on_last_modified_at_page_by_id(api, conn_a):
    for n in range(7):
        make_record(conn_a, "accounts", f"a{n}", minutes=0)
    seen, _ = _walk(api, "/engagement/v2/accounts", 3)
    assert seen == [f"a{n}" for n in range(7)]


def test_previous_goes_back_a_page(api, conn_a):
    for n in range(6):
        make_record(conn_a, "users", f"u{n}", minutes=n)
    first = api.get("/engagement/v2/users", page_size=2).json()
    assert first["pagination"]["previous"] is None
    second = api.get("/engagement/v2/users", page_size=2, cursor=first["pagination"]["next"]).json()
    assert [r["id"] for r in second["records"]] == ["u2", "u3"]
    back = api.get(
        "/engagement/v2/users", page_size=2, cursor=second["pagination"]["previous"]
    ).json()
    assert [r["id"] for r in back["records"]] == ["u0", "u1"]
    assert back["pagination"]["previous"] is None
    assert back["pagination"]["next"] is not None


def test_total_count_is_the_whole_filtered_set(api, conn_a):
    for n in range(5):
        make_record(conn_a, "emails", str(n), minutes=n)
    body = api.get("/engagement/v2/emails", page_size=2).json()
    assert body["pagination"]["total_count"] == 5 and len(body["records"]) == 2


def test_page_size_defaults_to_100_and_caps_at_1000(api, conn_a):
    Contact.objects.bulk_create(
        [
            Contact(
                connection=conn_a,
                customer_id="cust-a",
                provider_name="salesloft",
                remote_id=str(n),
                last_modified_at=BASE_TIME,
            )
            for n in range(1001)
        ]
    )
    assert len(api.get("/engagement/v2/contacts").json()["records"]) == 100
    assert len(api.get("/engagement/v2/contacts", page_size=1000).json()["records"]) == 1000
    too_big = api.get("/engagement/v2/contacts", page_size=1001)
    assert too_big.status_code == 400
    assert "page_size" in error(too_big)["detail"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"page_size": "ten"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJ4IjoxfQ"}, "cursor"),  # base64 JSON, but not ours
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"modified_after": "2024-13-45T00:00:00Z"}, "modified_after"),
        # Valid ISO 8601, but beyond the last UTC date-time once its offset is applied.
        ({"modified_after": "9999-12-31T23:00:00-05:00"}, "modified_after"),
        ({"modified_after": "0001-01-01T00:00:00+05:00"}, "modified_after"),
        # base64 of {"t":"9999-12-31T23:00:00-05:00","i":"x","d":"n"}
        (
            {"cursor": "eyJ0IjoiOTk5OS0xMi0zMVQyMzowMDowMC0wNTowMCIsImkiOiJ4IiwiZCI6Im4ifQ"},
            "cursor",
        ),
        ({"include_raw_data": "maybe"}, "include_raw_data"),
        ({"created_after": "last week"}, "created_after"),
        ({"created_before": "2024-02-30T00:00:00Z"}, "created_before"),
        ({"include_deleted": "2"}, "include_deleted"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(api, conn_a, query, named):
    response = api.get("/engagement/v2/contacts", **query)
    assert response.status_code == 400
    item = error(response)
    assert item["code"] == "BAD_REQUEST" and item["detail"].startswith(named)


def test_a_forged_cursor_cannot_reach_another_customer(api, conn_a, conn_b):
    make_record(conn_b, "contacts", "b1", minutes=5)
    cursor = cursor_encode(Position(BASE_TIME, "0"))
    body = api.get("/engagement/v2/contacts", cursor=cursor).json()
    assert body["records"] == []


def test_unknown_record_and_unknown_object_are_404(api, conn_a):
    missing = api.get("/engagement/v2/contacts/999")
    assert missing.status_code == 404 and error(missing)["code"] == "NOT_FOUND_ERROR"
    unknown = api.get("/engagement/v2/widgets")
    assert unknown.status_code == 404 and error(unknown)["code"] == "NOT_FOUND_ERROR"
    assert "/engagement/v2/widgets" in error(unknown)["detail"]
    # Writes to unknown paths too: no CSRF page, the envelope.
    for method in ("post", "delete", "put"):
        response = getattr(api, method)("/engagement/v2/sequence_states/")
        assert response.status_code == 404 and error(response)["code"] == "NOT_FOUND_ERROR"


def test_methods_an_object_does_not_offer_are_405_in_the_envelope(api, conn_a):
    response = api.post("/engagement/v2/users", {"record": {}})
    assert response.status_code == 405
    assert error(response)["code"] == "METHOD_NOT_ALLOWED_ERROR"
    assert api.delete("/engagement/v2/contacts/1").status_code == 405
