"""docs/salesloft-api.md §6–§8: list envelope, paging, sorting and filters."""

from datetime import datetime, timedelta

import pytest

from salesloft_sandbox.testing import run_sandbox

from .conftest import get_all


def people(sandbox, api, **params):
    response = api.get(f"{sandbox.api_base}/people", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_envelope_and_default_metadata(sandbox, api):
    body = people(sandbox, api)
    assert set(body) == {"metadata", "data"}
    assert body["metadata"] == {
        "filtering": {},
        "paging": {"per_page": 25, "current_page": 1, "next_page": 2, "prev_page": None},
        "sorting": {"sort_by": "updated_at", "sort_direction": "DESC NULLS LAST"},
    }
    assert len(body["data"]) == 25


@pytest.mark.parametrize(
    "per_page, expected", [("1", 1), ("100", 100), ("0", 25), ("101", 25), ("abc", 25), ("-5", 25)]
)
def test_per_page_is_corrected_and_echoed(sandbox, api, per_page, expected):
    body = people(sandbox, api, per_page=per_page)
    assert body["metadata"]["paging"]["per_page"] == expected and len(body["data"]) == expected


def test_bad_page_is_corrected_to_one(sandbox, api):
    assert people(sandbox, api, page="zero")["metadata"]["paging"]["current_page"] == 1
    assert people(sandbox, api, page="-3")["metadata"]["paging"]["current_page"] == 1


def test_last_page_and_past_the_end(sandbox, api):
    last = people(sandbox, api, per_page=100, page=15)  # 1500 people
    assert (
        last["metadata"]["paging"]["next_page"] is None
        and last["metadata"]["paging"]["prev_page"] == 14
    )
    assert len(last["data"]) == 100
    beyond = people(sandbox, api, per_page=100, page=16)
    assert beyond["data"] == [] and beyond["metadata"]["paging"]["next_page"] is None


def test_paging_counts_only_on_request(sandbox, api):
    assert "total_count" not in people(sandbox, api)["metadata"]["paging"]
    paging = people(sandbox, api, per_page=100, include_paging_counts="true")["metadata"]["paging"]
    assert paging["total_count"] == 1500 and paging["total_pages"] == 15
    capped = people(sandbox, api, include_paging_counts="1", limit_paging_counts="true", per_page=1)
    assert capped["metadata"]["paging"]["total_count"] == 1500  # below the 10,000 cap


def test_steps_per_cadence_count(sandbox, api):
    cadence = api.get(f"{sandbox.api_base}/cadences").json()["data"][0]
    body = api.get(
        f"{sandbox.api_base}/steps",
        params={"cadence_id": cadence["id"], "include_paging_counts": 1},
    ).json()
    steps = get_all(api, f"{sandbox.api_base}/steps", cadence_id=cadence["id"])
    assert body["metadata"]["paging"]["total_count"] == len(steps) >= 3
    assert {s["cadence"]["id"] for s in steps} == {cadence["id"]}


def test_sorting_default_asc_and_by_name(sandbox, api):
    desc = [p["updated_at"] for p in people(sandbox, api, per_page=100)["data"]]
    assert desc == sorted(desc, key=datetime.fromisoformat, reverse=True)
    body = people(sandbox, api, per_page=100, sort_by="updated_at", sort_direction="asc")
    asc = [p["updated_at"] for p in body["data"]]
    assert asc == sorted(asc, key=datetime.fromisoformat)
    assert body["metadata"]["sorting"] == {
        "sort_by": "updated_at",
        "sort_direction": "ASC NULLS FIRST",
    }
    names = [
        a["name"]
        for a in api.get(
            f"{sandbox.api_base}/accounts", params={"sort_by": "name", "sort_direction": "ASC"}
        ).json()["data"]
    ]
    assert names == sorted(names)


@pytest.mark.parametrize(
    "params, field",
    [({"sort_by": "shoe_size"}, "sort_by"), ({"sort_direction": "sideways"}, "sort_direction")],
)
def test_invalid_sort_is_422(sandbox, api, params, field):
    response = api.get(f"{sandbox.api_base}/people", params=params)
    assert response.status_code == 422 and field in response.json()["errors"]


def test_ids_filter_in_all_three_encodings_and_missing_ids_skipped(sandbox, api):
    ids = [p["id"] for p in people(sandbox, api, per_page=3)["data"]]
    wanted = sorted(ids)
    base = f"{sandbox.api_base}/people"
    encodings = [
        "&".join(f"ids[]={i}" for i in ids) + "&ids[]=1",
        "&".join(f"ids={i}" for i in ids),
        "ids=" + ",".join(map(str, ids)) + ",2",
    ]
    for query in encodings:
        body = api.get(f"{base}?{query}").json()
        assert sorted(p["id"] for p in body["data"]) == wanted, query


def test_timestamp_operators_compare_to_the_microsecond(sandbox, api):
    record = people(sandbox, api, per_page=1, sort_by="updated_at", sort_direction="ASC", page=700)[
        "data"
    ][0]
    stamp = datetime.fromisoformat(record["updated_at"])
    exact_z = stamp.astimezone(datetime.now().astimezone().tzinfo).isoformat()
    utc = stamp.astimezone(tz=None).astimezone(__import__("datetime").timezone.utc)
    variants = [
        record["updated_at"],  # as rendered, -05:00 / -04:00
        utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),  # Airbyte
        utc.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z",  # nanoseconds (amp-labs)
        utc.isoformat(),  # +00:00 (Singer)
        exact_z,
    ]
    for text in variants:
        gte = people(sandbox, api, **{"updated_at[gte]": text, "ids[]": record["id"]})["data"]
        gt = people(sandbox, api, **{"updated_at[gt]": text, "ids[]": record["id"]})["data"]
        lte = people(sandbox, api, **{"updated_at[lte]": text, "ids[]": record["id"]})["data"]
        lt = people(sandbox, api, **{"updated_at[lt]": text, "ids[]": record["id"]})["data"]
        assert (len(gte), len(gt), len(lte), len(lt)) == (1, 0, 1, 0), text
    one_micro_less = (utc - timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert people(sandbox, api, **{"updated_at[gt]": one_micro_less, "ids[]": record["id"]})["data"]
    millis = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"  # Supaglue
    assert (
        len(people(sandbox, api, **{"updated_at[gte]": millis, "ids": record["id"]})["data"]) == 1
    )


def test_range_and_created_at_filters(sandbox, api):
    body = people(
        sandbox,
        api,
        per_page=100,
        **{"created_at[gte]": "2024-01-01T00:00:00Z", "created_at[lt]": "2024-07-01T00:00:00Z"},
    )
    assert body["data"] and body["metadata"]["filtering"] == {
        "created_at": {"gte": "2024-01-01T00:00:00Z", "lt": "2024-07-01T00:00:00Z"}
    }
    for person in body["data"]:
        assert "2024-01-01" <= person["created_at"][:10] <= "2024-07-01"


def test_unparseable_timestamp_answers_500_like_the_real_api(sandbox, api):
    response = api.get(
        f"{sandbox.api_base}/people", params={"updated_at[gt]": "{{ stream_state }}"}
    )
    assert response.status_code == 500
    assert response.json() == {"status": 500, "error": "Internal Server Error"}


def test_unparseable_timestamp_status_is_configurable(tmp_path):
    with run_sandbox(people=50, data_dir=tmp_path, bad_timestamp_status=422) as sb:
        import requests

        response = requests.get(
            f"{sb.api_base}/people?updated_at[gt]=yesterday",
            headers={"Authorization": f"Bearer {sb.api_key}"},
        )
        assert response.status_code == 422 and "updated_at" in response.json()["errors"]


def test_unknown_filters_are_ignored(sandbox, api):
    plain = people(sandbox, api)
    assert (
        people(sandbox, api, favourite_colour="blue", **{"bogus[gt]": "x"})["data"] == plain["data"]
    )


def test_email_name_domain_archived_filters(sandbox, api):
    person = people(sandbox, api)["data"][3]
    found = people(sandbox, api, **{"email_addresses[]": person["email_address"].upper()})["data"]
    assert [p["id"] for p in found] == [person["id"]]
    account = api.get(f"{sandbox.api_base}/accounts").json()["data"][2]
    by_domain = api.get(
        f"{sandbox.api_base}/accounts", params={"domain": account["domain"]}
    ).json()["data"]
    by_name = api.get(f"{sandbox.api_base}/accounts", params={"name[]": account["name"]}).json()[
        "data"
    ]
    assert [a["id"] for a in by_domain] == [a["id"] for a in by_name] == [account["id"]]
    archived = get_all(api, f"{sandbox.api_base}/cadences", archived="true")
    active = get_all(api, f"{sandbox.api_base}/cadences", archived="false")
    everything = get_all(api, f"{sandbox.api_base}/cadences")
    assert archived and all(c["archived_at"] for c in archived)
    assert active and not any(c["archived_at"] for c in active)
    assert len(archived) + len(active) == len(everything)


def test_person_and_cadence_filters_on_memberships_and_emails(sandbox, api):
    membership = api.get(f"{sandbox.api_base}/cadence_memberships").json()["data"][0]
    person_id, cadence_id = membership["person"]["id"], membership["cadence"]["id"]
    found = api.get(
        f"{sandbox.api_base}/cadence_memberships",
        params={"person_id": person_id, "cadence_id": cadence_id},
    ).json()
    assert [m["id"] for m in found["data"]] == [membership["id"]]
    emails = get_all(api, f"{sandbox.api_base}/activities/emails", **{"person_id[]": person_id})
    assert emails and {e["recipient"]["id"] for e in emails} == {person_id}
    by_cadence = get_all(api, f"{sandbox.api_base}/cadence_memberships", cadence_id=cadence_id)
    assert by_cadence and {m["cadence"]["id"] for m in by_cadence} == {cadence_id}


def test_people_sort_by_name(sandbox, api):
    body = people(sandbox, api, per_page=100, sort_by="name", sort_direction="ASC")
    names = [p["display_name"] for p in body["data"]]
    assert names == sorted(names)


def test_people_cadence_id_filter_means_currently_on_the_cadence(sandbox, api):
    on = get_all(api, f"{sandbox.api_base}/cadence_memberships", currently_on_cadence="true")
    cadence_id = on[0]["cadence"]["id"]
    expected = {m["person"]["id"] for m in on if m["cadence"]["id"] == cadence_id}
    found = get_all(api, f"{sandbox.api_base}/people", **{"cadence_id[]": cadence_id})
    assert {p["id"] for p in found} == expected
    assert all(cadence_id in [c["id"] for c in p["cadences"]] for p in found)
