"""Several Salesloft teams in one sandbox (`--teams N`): each team's credentials reach its
own data only, OAuth can be approved as any team's user, budgets are separate, and
team 1 is what a one-team sandbox serves."""

import argparse
import hashlib
import html
import re
import subprocess
import sys

import pytest
import requests

from salesloft_sandbox import defaults
from salesloft_sandbox.cli import add_arguments
from salesloft_sandbox.config import SandboxConfig

from .conftest import session_for
from .test_sandbox_oauth import REDIRECT, exchange, redirected
from .test_sandbox_store_cli import ROOT

PEOPLE = 120


@pytest.fixture
def two(make_sandbox):
    return make_sandbox(people=PEOPLE, teams=2, auto_approve=False)


def ids(response: requests.Response) -> set[int]:
    assert response.status_code == 200, response.text
    return {record["id"] for record in response.json()["data"]}


def all_people_ids(http: requests.Session, api_base: str) -> set[int]:
    found: set[int] = set()
    page = 1
    while page:
        body = http.get(f"{api_base}/people", params={"per_page": 100, "page": page}).json()
        found |= {record["id"] for record in body["data"]}
        page = body["metadata"]["paging"]["next_page"]
    return found


def consent_page(sb) -> str:
    query = {
        "client_id": sb.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "state": "s1",
        "scope": "people:read people:write team:read",
    }
    page = requests.get(sb.authorize_url, params=query, allow_redirects=False)
    assert page.status_code == 200
    return page.text


def approve(sb, page: str, **extra: str) -> requests.Response:
    """Submit the consent form like tests/connectors/test_connect_flow.py does: its
    hidden fields plus the decision (and, here, optionally the user)."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    return requests.post(
        sb.authorize_url, data={**fields, "decision": "approve", **extra}, allow_redirects=False
    )


def test_derived_team_identities_are_deterministic_and_distinct(two):
    first, second = two.teams
    assert (first.number, first.team_id, first.api_key) == (1, 700, defaults.DEFAULT_API_KEY)
    assert first.admin_user_id == defaults.ADMIN_USER_ID == first.user_ids[0]
    expected_key = "ak" + hashlib.sha256(f"{defaults.DEFAULT_API_KEY}:team-2".encode()).hexdigest()
    assert (second.number, second.team_id, second.api_key) == (2, 701, expected_key)
    assert second.admin_user_id == defaults.ADMIN_USER_ID + defaults.TEAM_ID_STRIDE
    assert not set(first.user_ids) & set(second.user_ids)


def test_each_api_key_sees_only_its_own_team(two):
    first, second = two.teams
    http1, http2 = session_for(two, first.api_key), session_for(two, second.api_key)
    for team, http in ((first, http1), (second, http2)):
        me = http.get(f"{two.api_base}/me").json()["data"]
        assert me["id"] == team.admin_user_id and me["team"]["id"] == team.team_id
        assert http.get(f"{two.api_base}/team").json()["data"]["id"] == team.team_id
        assert ids(http.get(f"{two.api_base}/users")) == set(team.user_ids)
    people1, people2 = all_people_ids(http1, two.api_base), all_people_ids(http2, two.api_base)
    assert len(people1) == len(people2) == PEOPLE and not people1 & people2
    # Team 2 can neither read nor change a record of team 1, even by id.
    victim = min(people1)
    before = http1.get(f"{two.api_base}/people/{victim}").json()["data"]
    assert http2.get(f"{two.api_base}/people/{victim}").status_code == 404
    assert http2.put(f"{two.api_base}/people/{victim}", json={"title": "Owned"}).status_code == 404
    http2.delete(f"{two.api_base}/people/{victim}")  # 204 either way: DELETE is idempotent
    assert http1.get(f"{two.api_base}/people/{victim}").json()["data"] == before
    # What team 2 creates lands in team 2 only (with an id in team 2's range).
    created = http2.post(
        f"{two.api_base}/people", json={"email_address": "new.one@team2.example", "last_name": "O"}
    ).json()["data"]
    assert created["id"] > defaults.TEAM_ID_STRIDE
    assert http1.get(f"{two.api_base}/people/{created['id']}").status_code == 404
    lookup = {"email_addresses[]": "new.one@team2.example"}
    assert ids(http1.get(f"{two.api_base}/people", params=lookup)) == set()
    assert ids(http2.get(f"{two.api_base}/people", params=lookup)) == {created["id"]}


def test_consent_page_lists_every_teams_users_with_team_1_admin_preselected(two):
    page = consent_page(two)
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', page)
    values = [int(value) for value, _, _ in options]
    assert values == two.teams[0].user_ids + two.teams[1].user_ids
    assert [int(value) for value, selected, _ in options if selected] == [9001]
    labels = [html.unescape(label) for _, _, label in options]
    assert labels[0].startswith("Team 1 · ") and labels[-1].startswith("Team 2 · ")
    assert re.fullmatch(r"Team 2 · [^<]+ <[^@]+@team2\.sandboxtest\.example>", labels[-1])


def test_oauth_approval_as_a_team_2_user_reads_and_writes_team_2_only(two):
    first, second = two.teams
    approver = second.user_ids[1]  # a plain user, not team 2's admin
    callback = redirected(approve(two, consent_page(two), user_id=str(approver)))
    assert callback["context"] == f"/v2/users/{approver}" and callback["state"] == "s1"
    tokens = exchange(two, callback["code"]).json()
    http = session_for(two, tokens["access_token"])
    me = http.get(f"{two.api_base}/me").json()["data"]
    assert me["id"] == approver and me["team"]["id"] == second.team_id
    assert all_people_ids(http, two.api_base) == all_people_ids(
        session_for(two, second.api_key), two.api_base
    )
    team1_person = min(all_people_ids(session_for(two, first.api_key), two.api_base))
    assert http.get(f"{two.api_base}/people/{team1_person}").status_code == 404
    assert http.put(f"{two.api_base}/people/{team1_person}", json={"title": "x"}).status_code == 404
    # The refresh token is redeemed at team 2 and stays there.
    refreshed = requests.post(
        two.token_url,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(two.client_id, two.client_secret),
    ).json()
    again = session_for(two, refreshed["access_token"]).get(f"{two.api_base}/me").json()["data"]
    assert again["id"] == approver
    # Expiring team 1's tokens leaves team 2's alone.
    assert first.control.faults(expire_tokens=True)["expired_tokens"] == 0
    assert session_for(two, refreshed["access_token"]).get(f"{two.api_base}/me").ok


def test_the_old_consent_form_without_a_user_still_approves_as_team_1_admin(two):
    page = consent_page(two)
    tokens = exchange(two, redirected(approve(two, page))["code"]).json()
    me = session_for(two, tokens["access_token"]).get(f"{two.api_base}/me").json()["data"]
    assert me["id"] == defaults.ADMIN_USER_ID and me["team"]["id"] == defaults.TEAM_ID
    unknown = approve(two, page, user_id="123")
    assert unknown.status_code == 400 and "user_id" in unknown.text


def test_rate_budgets_are_separate(make_sandbox):
    sb = make_sandbox(people=30, teams=2, rate_limit=True, rate_limit_per_minute=3)
    first, second = sb.teams
    sb.control.next_minute()  # one clock for all teams: both budgets start a fresh minute
    assert second.control.clock()["offset_seconds"] == first.control.clock()["offset_seconds"] > 0
    http1, http2 = session_for(sb, first.api_key), session_for(sb, second.api_key)
    assert [http1.get(f"{sb.api_base}/people").status_code for _ in range(4)] == [200] * 3 + [429]
    fresh = http2.get(f"{sb.api_base}/people")
    assert fresh.status_code == 200 and fresh.headers["x-ratelimit-remaining-minute"] == "2"
    # A forced 429 on team 2 does not touch team 1's (spent) or team 2's own next calls.
    second.control.faults(force_429=1)
    assert http2.get(f"{sb.api_base}/people").status_code == 429
    assert http2.get(f"{sb.api_base}/people").status_code == 200
    assert first.control.stats()["rate_limited"] == 1
    assert second.control.stats()["rate_limited"] == 1


def test_team_1_is_unchanged_by_more_teams(make_sandbox):
    one = make_sandbox(people=PEOPLE, teams=1)
    two = make_sandbox(people=PEOPLE, teams=2)
    assert one.api_key == two.api_key == two.teams[0].api_key
    for path in ("me", "team", "users", "people", "people?page=2&per_page=50", "cadences"):
        answers = [session_for(sb).get(f"{sb.api_base}/{path}") for sb in (one, two)]
        assert answers[0].status_code == 200
        assert answers[0].content == answers[1].content, path


def test_control_endpoints_act_on_team_1_unless_given_a_team(two):
    first, second = two.teams
    http2 = session_for(two, second.api_key)
    http2.get(f"{two.api_base}/people")
    assert first.control.stats()["requests"] == 0
    assert second.control.stats()["requests"] == 1
    operator = session_for(two)  # team 1's key may name any team
    assert operator.get(f"{two.base_url}/_sandbox/stats").json()["requests"] == 0
    assert operator.get(f"{two.base_url}/_sandbox/stats?team=2").json()["requests"] == 1
    assert http2.get(f"{two.base_url}/_sandbox/stats?team=1").status_code == 403
    bad = operator.get(f"{two.base_url}/_sandbox/stats?team=3")
    assert bad.status_code == 400 and "team" in bad.json()["error"]
    truth1 = first.control.snapshot("people")
    changed = second.control.mutate("people", update=5)["updated"]
    assert set(changed) <= set(second.control.snapshot("people"))
    assert first.control.snapshot("people") == truth1


def test_teams_must_be_a_positive_whole_number(capsys):
    with pytest.raises(ValueError, match="teams"):
        SandboxConfig(data_dir=".", teams=0)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert parser.parse_args(["--teams", "3"]).teams == 3
    assert parser.parse_args([]).teams == 1
    for bad in ("0", "-1", "two"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--teams", bad])
        assert "argument --teams" in capsys.readouterr().err


def test_command_line_serves_teams_and_prints_their_keys(tmp_path):
    command = [sys.executable, "-m", "salesloft_sandbox", "--port", "0",
               "--people", "30", "--teams", "2", "--data-dir", str(tmp_path)]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or not lines[-1].lstrip().startswith("Rate limit"):
            lines.append(process.stdout.readline())
        base_url = next(line.split()[-1] for line in lines if "listening on" in line)
        team2 = next(line for line in lines if line.lstrip().startswith("Team 2:  "))
        key = team2.split()[-1]
        assert "id 701" in team2 and key.startswith("ak") and key != defaults.DEFAULT_API_KEY
        me = requests.get(f"{base_url}/v2/me", headers={"Authorization": f"Bearer {key}"})
        assert me.json()["data"]["team"]["id"] == 701
    finally:
        process.terminate()
        process.wait(10)
