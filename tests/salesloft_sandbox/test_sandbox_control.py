"""The /_sandbox control endpoints: stats, mutate, faults, snapshot, clock."""

import time

import pytest
import requests

from salesloft_sandbox.timestamps import parse

from .conftest import get_all, session_for


@pytest.fixture
def sb(make_sandbox):
    return make_sandbox(people=300, seed=3)


def test_control_needs_the_api_key(sb):
    assert requests.get(f"{sb.base_url}/_sandbox/stats").status_code == 401
    token = requests.post(
        sb.token_url,
        data={"grant_type": "client_credentials"},
        auth=(sb.client_id, sb.client_secret),
    ).json()
    assert (
        session_for(sb, token["access_token"]).get(f"{sb.base_url}/_sandbox/stats").status_code
        == 401
    )


def test_stats_per_path_and_reset(sb):
    http = session_for(sb)
    http.get(f"{sb.api_base}/people")
    http.get(f"{sb.api_base}/people.json", params={"page": 101})
    http.get(f"{sb.api_base}/people/55500001")
    stats = sb.control.stats()
    assert stats["requests"] == 3 and stats["cost"] == 5 and stats["statuses"] == {"200": 3}
    assert stats["paths"]["GET /v2/people"]["requests"] == 2
    assert stats["paths"]["GET /v2/people/{id}"]["cost"] == 1
    assert sb.control.reset_stats()["requests"] == 0


def test_mutate_updates_deletes_and_creates(sb):
    http = session_for(sb)
    before = sb.control.snapshot("people")
    result = sb.control.mutate("people", update=10, delete=3, create=2)
    assert (
        len(result["updated"]) == 10 and len(result["deleted"]) == 3 and len(result["created"]) == 2
    )
    after = sb.control.snapshot("people")
    assert set(after) == (set(before) - set(result["deleted"])) | set(result["created"])
    for record_id in result["updated"]:
        assert after[record_id] > before[record_id] or after[record_id][:4] > before[record_id][:4]
    changed = {i for i in before if i in after and after[i] != before[i]}
    assert changed == set(result["updated"])
    newest = http.get(f"{sb.api_base}/people", params={"per_page": 12}).json()["data"]
    assert {p["id"] for p in newest} == set(result["updated"]) | set(result["created"])
    assert len(get_all(http, f"{sb.api_base}/people")) == 300 - 3 + 2


def test_mutate_is_deterministic_for_a_seed(make_sandbox):
    first = make_sandbox(people=300, seed=5).control
    second = make_sandbox(people=300, seed=5).control
    for control in (first, second):
        control.mutate("accounts", update=5)
    one = first.mutate("people", update=7, delete=2)
    two = second.mutate("people", update=7, delete=2)
    assert (one["updated"], one["deleted"]) == (two["updated"], two["deleted"])


def test_mutate_archives_cadences(sb):
    http = session_for(sb)
    result = sb.control.mutate("cadences", archive=2)
    assert len(result["archived"]) == 2
    for cadence_id in result["archived"]:
        assert http.get(f"{sb.api_base}/cadences/{cadence_id}").json()["data"]["archived_at"]
    bad = requests.post(
        f"{sb.base_url}/_sandbox/mutate",
        json={"resource": "people", "archive": 1},
        headers={"Authorization": f"Bearer {sb.api_key}"},
    )
    assert bad.status_code == 400


def test_snapshot_streams_jsonl_and_json(sb):
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    lines = requests.get(f"{sb.base_url}/_sandbox/snapshot/people", headers=headers)
    assert lines.headers["Content-Type"].startswith("application/x-ndjson")
    assert len(lines.text.strip().splitlines()) == 300
    array = requests.get(
        f"{sb.base_url}/_sandbox/snapshot/activities/emails?format=json", headers=headers
    ).json()
    assert array and set(array[0]) == {"id", "updated_at", "updated_at_us"}
    http = session_for(sb)
    listed = {e["id"]: e["updated_at"] for e in get_all(http, f"{sb.api_base}/activities/emails")}
    assert {row["id"]: row["updated_at"] for row in array} == listed


@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_http_errors(sb, status):
    http = session_for(sb)
    sb.control.faults(**{f"http_{status}": 1.0})
    failed = http.get(f"{sb.api_base}/people")
    assert failed.status_code == status and "x-ratelimit-remaining-minute" in failed.headers
    sb.control.faults(reset=True)
    assert http.get(f"{sb.api_base}/people").status_code == 200


def test_next_n_errors_and_probabilities(sb):
    http = session_for(sb)
    sb.control.faults(next_503=2)
    assert [http.get(f"{sb.api_base}/people").status_code for _ in range(3)] == [503, 503, 200]
    sb.control.faults(http_500=0.5)
    statuses = [http.get(f"{sb.api_base}/people").status_code for _ in range(40)]
    assert 5 < statuses.count(500) < 35 and statuses.count(200) == 40 - statuses.count(500)


def test_latency_and_timeouts(sb):
    http = session_for(sb)
    sb.control.faults(latency_ms=300)
    started = time.perf_counter()
    assert http.get(f"{sb.api_base}/people").status_code == 200
    assert time.perf_counter() - started >= 0.3
    sb.control.faults(latency_ms=0, next_timeout=1, timeout_seconds=1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        http.get(f"{sb.api_base}/people", timeout=0.5)
    # the stalled request still holds one of waitress's threads: the next is served anyway
    assert http.get(f"{sb.api_base}/people", timeout=5).status_code == 200


def test_connection_dropped_mid_body(sb):
    http = session_for(sb)
    sb.control.faults(next_drop=1)
    with pytest.raises(
        (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)
    ):
        http.get(f"{sb.api_base}/people", params={"per_page": 100})
    assert http.get(f"{sb.api_base}/people").status_code == 200


def test_unknown_fault_setting_is_rejected(sb):
    response = requests.post(
        f"{sb.base_url}/_sandbox/faults",
        json={"http_504": 1},
        headers={"Authorization": f"Bearer {sb.api_key}"},
    )
    assert response.status_code == 400


def test_the_clock_moves_forward_on_request_and_writes_follow_it(sb):
    http = session_for(sb)
    before = sb.control.clock()
    moved = sb.control.clock(advance=3600)
    assert moved["offset_seconds"] == 3600 and moved["now"] - before["now"] >= 3600
    person = http.get(f"{sb.api_base}/people").json()["data"][0]
    updated = http.put(f"{sb.api_base}/people/{person['id']}", json={"title": "CTO"})
    assert parse(updated.json()["data"]["updated_at"]) >= moved["now"] * 1_000_000
    for bad in (-1, "soon", None, "nan"):
        response = http.post(f"{sb.base_url}/_sandbox/clock", json={"advance": bad})
        assert response.status_code == 400 and "advance" in response.json()["error"]
    assert sb.control.clock()["offset_seconds"] == 3600  # refused moves moved nothing
