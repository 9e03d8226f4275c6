"""The sandbox's Salesloft webhooks: /v2/webhook_subscriptions, signed deliveries of API
writes and /_sandbox/mutate changes to a real local listener, retries, and delivery faults."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
import requests

from salesloft_sandbox.testing import RunningSandbox

from .conftest import session_for

TOKEN = "cb-token-0123456789"


class Listener:
    """A tiny receiver on 127.0.0.1: records every POST; answers `fail_next` of them 500."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        self.attempts = 0
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                listener.attempts += 1
                if listener.fail_next > 0:
                    listener.fail_next -= 1
                    self.send_response(500)
                else:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    listener.received.append((headers, body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/salesloft"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        return [orjson.loads(body) for _, body in self.received]


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.server.shutdown()
    lst.server.server_close()


@pytest.fixture
def hooked(make_sandbox) -> RunningSandbox:
    return make_sandbox(people=50, webhook_retry_seconds=0.05)


def subscribe(sb: RunningSandbox, url: str, event_type: str = "person_updated", **extra) -> dict:
    response = session_for(sb).post(
        f"{sb.api_base}/webhook_subscriptions",
        json={"callback_url": url, "callback_token": TOKEN, "event_type": event_type, **extra},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def first_person_id(sb: RunningSandbox) -> int:
    page = session_for(sb).get(f"{sb.api_base}/people", params={"per_page": 1}).json()
    return page["data"][0]["id"]


def test_api_write_is_delivered_signed_with_the_record_as_get_shows_it(hooked, listener):
    sub = subscribe(hooked, listener.url)
    assert sub["enabled"] is True and sub["event_type"] == "person_updated"
    api = session_for(hooked)
    person_id = first_person_id(hooked)
    api.put(f"{hooked.api_base}/people/{person_id}", json={"title": "Chief Hook Officer"})
    status = hooked.control.webhooks_wait()
    assert status["pending"] == 0 and status["delivered"] == 1
    ((headers, body),) = listener.received
    assert headers["x-salesloft-event"] == "person_updated"
    expected = hmac.new(TOKEN.encode(), body, hashlib.sha1).hexdigest()
    assert hmac.compare_digest(headers["x-salesloft-signature"], expected)
    shown = api.get(f"{hooked.api_base}/people/{person_id}").json()["data"]
    assert orjson.loads(body) == shown and shown["title"] == "Chief Hook Officer"


def test_mutate_changes_are_delivered_per_event_type(hooked, listener):
    subscribe(hooked, listener.url, "person_updated")
    subscribe(hooked, listener.url, "person_created")
    subscribe(hooked, listener.url, "person_deleted")
    subscribe(hooked, listener.url, "account_updated")  # no account changes: nothing sent
    result = hooked.control.mutate("people", update=3, create=2, delete=1)
    hooked.control.webhooks_wait()
    events = sorted((h["x-salesloft-event"], orjson.loads(b)["id"]) for h, b in listener.received)
    want = sorted(
        [("person_updated", i) for i in result["updated"]]
        + [("person_created", i) for i in result["created"]]
        + [("person_deleted", i) for i in result["deleted"]]
    )
    assert events == want


def test_disabled_and_deleted_subscriptions_deliver_nothing(hooked, listener):
    api = session_for(hooked)
    sub = subscribe(hooked, listener.url)
    url = f"{hooked.api_base}/webhook_subscriptions/{sub['id']}"
    assert api.put(url, json={"enabled": False}).json()["data"]["enabled"] is False
    assert api.get(url).json()["data"]["enabled"] is False
    hooked.control.mutate("people", update=2)
    assert hooked.control.webhooks_wait()["delivered"] == 0
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.get(f"{hooked.api_base}/webhook_subscriptions").json()["data"] == []


def test_a_failed_delivery_is_retried_then_delivered(hooked, listener):
    subscribe(hooked, listener.url)
    listener.fail_next = 2
    hooked.control.mutate("people", update=1)
    status = hooked.control.webhooks_wait()
    assert listener.attempts == 3 and len(listener.received) == 1
    assert status["retried"] == 2 and status["delivered"] == 1 and status["gave_up"] == 0


def test_a_delivery_failing_four_times_is_dropped(hooked, listener):
    subscribe(hooked, listener.url)
    listener.fail_next = 10
    hooked.control.mutate("people", update=1)
    status = hooked.control.webhooks_wait()
    assert listener.attempts == 4 and listener.received == []  # 1 try + 3 retries
    assert status["gave_up"] == 1 and status["failed_attempts"] == 4


def test_a_refused_connection_counts_as_a_failure(hooked, listener):
    url = listener.url
    listener.server.shutdown()
    listener.server.server_close()  # nothing listens on the port any more
    subscribe(hooked, url)
    hooked.control.mutate("people", update=1)
    assert hooked.control.webhooks_wait()["gave_up"] == 1


def test_retry_spacing_is_the_configured_one(make_sandbox, listener):
    sb = make_sandbox(people=20, webhook_retry_seconds=0.6)
    subscribe(sb, listener.url)
    listener.fail_next = 1
    started = time.monotonic()
    sb.control.mutate("people", update=1)
    sb.control.webhooks_wait()
    assert len(listener.received) == 1 and time.monotonic() - started >= 0.6


def test_the_api_call_does_not_wait_for_the_delivery(hooked, listener):
    subscribe(hooked, listener.url)
    hooked.control.faults(webhook_delay_ms=1500)
    started = time.monotonic()
    hooked.control.mutate("people", update=1)
    assert time.monotonic() - started < 1.0
    assert hooked.control.webhooks()["pending"] == 1
    hooked.control.webhooks_wait()
    assert len(listener.received) == 1


def test_fault_drop(hooked, listener):
    subscribe(hooked, listener.url)
    hooked.control.faults(next_webhook_drop=1)
    result = hooked.control.mutate("people", update=2)
    status = hooked.control.webhooks_wait()
    assert status["dropped"] == 1 and len(listener.received) == 1
    assert orjson.loads(listener.received[0][1])["id"] in result["updated"]


def test_fault_duplicate(hooked, listener):
    subscribe(hooked, listener.url)
    hooked.control.faults(next_webhook_duplicate=1)
    hooked.control.mutate("people", update=1)
    hooked.control.webhooks_wait()
    assert len(listener.received) == 2 and listener.received[0] == listener.received[1]


def test_fault_reorder(hooked, listener):
    subscribe(hooked, listener.url)
    api = session_for(hooked)
    person_id = first_person_id(hooked)
    hooked.control.faults(next_webhook_reorder=1, webhook_reorder_ms=1500)
    for title in ("First", "Second"):
        api.put(f"{hooked.api_base}/people/{person_id}", json={"title": title})
    hooked.control.webhooks_wait()
    assert [b["title"] for b in listener.bodies()] == ["Second", "First"]


def test_fault_delay(hooked, listener):
    subscribe(hooked, listener.url)
    assert hooked.control.faults(webhook_delay_ms=300)["webhook_delay_ms"] == 300
    started = time.monotonic()
    hooked.control.mutate("people", update=1)
    hooked.control.webhooks_wait()
    assert len(listener.received) == 1 and time.monotonic() - started >= 0.3


def test_webhook_faults_are_listed_and_reset(hooked):
    hooked.control.faults(webhook_drop=0.5, http_503=0.1)
    current = requests.get(
        f"{hooked.base_url}/_sandbox/faults",
        headers={"Authorization": f"Bearer {hooked.api_key}"},
    ).json()
    assert current["webhook_drop"] == 0.5 and current["http_503"] == 0.1
    assert hooked.control.faults(reset=True)["webhook_drop"] == 0.0
    with pytest.raises(requests.HTTPError):
        hooked.control.faults(webhook_explode=1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"callback_token": TOKEN, "event_type": "person_updated"}, "callback_url"),
        ({"callback_url": "ftp://x", "callback_token": TOKEN, "event_type": "person_updated"},
         "callback_url"),
        ({"callback_url": "http://127.0.0.1:9/", "event_type": "person_updated"},
         "callback_token"),
        ({"callback_url": "http://127.0.0.1:9/", "callback_token": TOKEN,
          "event_type": "person_exploded"}, "event_type"),
        ({"callback_url": "http://127.0.0.1:9/", "callback_token": TOKEN,
          "event_type": "person_updated", "enabled": "maybe"}, "enabled"),
    ],
)  # fmt: skip
def test_invalid_subscriptions_are_422_naming_the_field(sandbox, body, field):
    response = session_for(sandbox).post(f"{sandbox.api_base}/webhook_subscriptions", json=body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_update_needs_a_boolean_enabled(hooked, listener):
    sub = subscribe(hooked, listener.url)
    url = f"{hooked.api_base}/webhook_subscriptions/{sub['id']}"
    response = session_for(hooked).put(url, json={"enabled": "yes"})
    assert response.status_code == 422 and "enabled" in response.json()["errors"]


def test_each_event_needs_the_read_scope_of_its_object(hooked, listener):
    token = requests.post(
        hooked.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": hooked.client_id,
            "client_secret": hooked.client_secret,
            "scope": "people:read",
        },
    ).json()["access_token"]
    api = session_for(hooked, token)
    url = f"{hooked.api_base}/webhook_subscriptions"
    ok = api.post(url, json={"callback_url": listener.url, "callback_token": TOKEN,
                             "event_type": "person_created"})  # fmt: skip
    assert ok.status_code == 200
    for event_type, scope in (("account_updated", "accounts:read"),
                              ("cadence_membership_created", "cadences:read"),
                              ("email_updated", "emails:read")):  # fmt: skip
        refused = api.post(url, json={"callback_url": listener.url, "callback_token": TOKEN,
                                      "event_type": event_type})  # fmt: skip
        assert refused.status_code == 403 and scope in refused.json()["error"]
    # A subscription made with a wider token is invisible and untouchable with this one.
    wide = subscribe(hooked, listener.url, "account_updated")
    assert [s["event_type"] for s in api.get(url).json()["data"]] == ["person_created"]
    assert api.delete(f"{url}/{wide['id']}").status_code == 403


def test_subscriptions_belong_to_their_team(make_sandbox, listener):
    sb = make_sandbox(people=40, teams=2, webhook_retry_seconds=0.05)
    team1, team2 = sb.teams
    sub = subscribe(sb, listener.url)  # team 1's API key
    other = requests.Session()
    other.headers["Authorization"] = f"Bearer {team2.api_key}"
    assert other.get(f"{sb.api_base}/webhook_subscriptions").json()["data"] == []
    assert other.get(f"{sb.api_base}/webhook_subscriptions/{sub['id']}").status_code == 404
    team2.control.mutate("people", update=2)
    assert team2.control.webhooks_wait()["delivered"] == 0
    assert listener.received == []
    team1.control.mutate("people", update=1)
    team1.control.webhooks_wait()
    assert len(listener.received) == 1
