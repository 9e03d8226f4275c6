"""docs/salesloft-api.md §9, §13 and issue 3 "Data": shapes, realistic values, integrity,
determinism."""

import re
from collections import Counter
from datetime import datetime

from salesloft_sandbox.testing import run_sandbox

from .conftest import get_all

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$")
FIELDS = {
    "people": (
        "id created_at updated_at last_contacted_at last_replied_at first_name last_name "
        "display_name email_address full_email_address secondary_email_address "
        "personal_email_address phone phone_extension home_phone mobile_phone "
        "linkedin_url title city state country work_city work_state work_country crm_url "
        "crm_id account_crm_id crm_object_type owner_crm_id person_company_name "
        "person_company_website person_company_industry do_not_contact bouncing locale "
        "locale_utc_offset eu_resident personal_website twitter_handle "
        "last_contacted_type job_seniority custom_fields tags contact_restrictions "
        "success_count starred untouched counts account owner last_contacted_by import "
        "person_stage most_recent_cadence last_completed_step_cadence last_completed_step "
        "cadences"
    ),
    "accounts": (
        "id created_at updated_at archived_at name domain conversational_name description "
        "phone website linkedin_url twitter_handle street city state postal_code country "
        "locale industry company_type founded revenue_range size crm_id crm_url "
        "crm_object_type owner_crm_id last_contacted_at last_contacted_type "
        "do_not_contact custom_fields user_relationships tags counts owner creator "
        "last_contacted_by last_contacted_person company_stage account_tier"
    ),
    "users": (
        "id guid created_at updated_at name first_name last_name job_role active "
        "time_zone locale_utc_offset slack_username twitter_handle email "
        "email_client_email_address sending_email_address from_address full_email_address "
        "bcc_email_address work_country seat_package email_signature email_signature_type "
        "email_signature_click_tracking_disabled team_admin local_dial_enabled "
        "click_to_call_enabled email_client_configured crm_connected "
        "external_feature_flags _private_fields phone_client phone_number_assignment "
        "group team role"
    ),
    "cadences": (
        "id created_at updated_at archived_at latest_active_date team_cadence shared "
        "remove_bounces_enabled remove_replies_enabled opt_out_link_included draft "
        "override_contact_restrictions cadence_framework_id cadence_function name "
        "external_identifier tags creator owner bounced_stage replied_stage added_stage "
        "finished_stage cadence_priority groups counts"
    ),
    "cadence_memberships": (
        "id added_at created_at updated_at person_deleted currently_on_cadence "
        "current_state cadence person user latest_action counts"
    ),
    "activities/emails": (
        "id created_at updated_at recipient_email_address status bounced send_after "
        "sent_at view_tracking click_tracking personalization counts headers user "
        "recipient mailing action task crm_activity cadence step email_template"
    ),
    "steps": (
        "id created_at updated_at disabled type name display_name day step_number "
        "multitouch_enabled details cadence"
    ),
    "custom_fields": ("id name field_type value_type created_at updated_at"),
}


def test_every_documented_field_is_present(sandbox, api):
    for collection, names in FIELDS.items():
        record = api.get(f"{sandbox.api_base}/{collection}").json()["data"][0]
        assert set(record) == set(names.split()), collection


def test_timestamps_have_six_digits_an_offset_and_created_before_updated(sandbox, api):
    for collection in FIELDS:
        for record in api.get(f"{sandbox.api_base}/{collection}", params={"per_page": 100}).json()[
            "data"
        ]:
            assert TIMESTAMP.match(record["created_at"]) and TIMESTAMP.match(
                record["updated_at"]
            ), record
            assert datetime.fromisoformat(record["created_at"]) <= datetime.fromisoformat(
                record["updated_at"]
            )
            datetime.strptime(
                record["updated_at"], "%Y-%m-%dT%H:%M:%S.%f%z"
            )  # what strict clients do


def test_emails_and_domains_are_unique(sandbox, api):
    people = get_all(api, f"{sandbox.api_base}/people")
    accounts = get_all(api, f"{sandbox.api_base}/accounts")
    assert len(people) == 1500
    assert len({p["email_address"].lower() for p in people}) == len(people)
    assert len({a["domain"] for a in accounts}) == len(accounts)
    assert all(a["domain"] == a["domain"].lower() for a in accounts)


def test_references_point_at_real_records(sandbox, api):
    users = {u["id"] for u in api.get(f"{sandbox.api_base}/users").json()["data"]}
    accounts = {a["id"]: a for a in get_all(api, f"{sandbox.api_base}/accounts")}
    people = {p["id"]: p for p in get_all(api, f"{sandbox.api_base}/people")}
    cadences = {c["id"] for c in get_all(api, f"{sandbox.api_base}/cadences")}
    steps = {s["id"]: s for s in get_all(api, f"{sandbox.api_base}/steps")}
    for person in people.values():
        assert person["account"]["id"] in accounts and person["owner"]["id"] in users
        assert person["email_address"].endswith("@" + accounts[person["account"]["id"]]["domain"])
        assert person["account"]["_href"].endswith(f"/v2/accounts/{person['account']['id']}")
    per_account = Counter(p["account"]["id"] for p in people.values())
    assert all(a["counts"]["people"] == per_account[i] for i, a in accounts.items())
    memberships = get_all(api, f"{sandbox.api_base}/cadence_memberships")
    assert memberships
    for membership in memberships:
        assert membership["person"]["id"] in people and membership["cadence"]["id"] in cadences
        assert membership["user"]["id"] in users
    for email in get_all(api, f"{sandbox.api_base}/activities/emails"):
        person = people[email["recipient"]["id"]]
        assert email["recipient_email_address"] == person["email_address"]
        step = steps[email["step"]["id"]]
        assert step["cadence"]["id"] == email["cadence"]["id"] and step["type"] == "email"
    assert {s["cadence"]["id"] for s in steps.values()} == cadences


def test_some_cadences_are_archived(sandbox, api):
    cadences = get_all(api, f"{sandbox.api_base}/cadences")
    assert 0 < sum(1 for c in cadences if c["archived_at"]) < len(cadences)


def test_a_bulk_import_of_250_plus_people_shares_one_updated_at(sandbox, api):
    stamps = Counter(p["updated_at"] for p in get_all(api, f"{sandbox.api_base}/people"))
    assert stamps.most_common(1)[0][1] >= 250


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    def first_page(seed, name):
        import requests

        with run_sandbox(people=200, seed=seed, data_dir=tmp_path / name) as sb:
            headers = {"Authorization": f"Bearer {sb.api_key}"}
            return requests.get(f"{sb.api_base}/people?per_page=100", headers=headers).json()[
                "data"
            ]

    assert first_page(7, "a") == first_page(7, "b")
    assert first_page(7, "a") != first_page(8, "c")


def test_indexed_columns_agree_with_the_stored_json(sandbox):
    """Generation writes indexed columns directly for speed; they must equal what the
    write path derives from the JSON (resources.row_values), or filters would lie."""
    import sqlite3

    import orjson

    from salesloft_sandbox.resources import RESOURCES, row_values

    with sqlite3.connect(sandbox.config.db_path) as conn:
        for resource in RESOURCES.values():
            columns = ["id", "created_at", "updated_at", *resource.columns]
            rows = conn.execute(f"SELECT {', '.join(columns)}, body FROM {resource.table}")
            for *stored, body in rows.fetchall():
                assert list(row_values(resource, orjson.loads(body)).values()) == stored, (
                    resource.name
                )


def test_accounts_exist_before_their_people(sandbox, api):
    accounts = {a["id"]: a for a in get_all(api, f"{sandbox.api_base}/accounts")}
    for person in get_all(api, f"{sandbox.api_base}/people"):
        account = accounts[person["account"]["id"]]
        assert datetime.fromisoformat(account["created_at"]) <= datetime.fromisoformat(
            person["created_at"]
        )
