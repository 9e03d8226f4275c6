"""connectors.http: retries, typed errors, no redirects, redacted logs (focused, with
`responses`; the sandbox tests exercise the same paths over real HTTP)."""

from __future__ import annotations

import logging

import pytest
import requests
import responses

from connectors.exceptions import AuthRevoked, ProviderError, ProviderUnavailable, RateLimited
from connectors.http import HttpClient, redact_headers

URL = "https://api.example.test/v2/people"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return HttpClient(sleep=sleeps.append, max_retries=3, backoff_base=0.5, backoff_max=4)


@responses.activate
def test_5xx_is_retried_with_growing_jittered_backoff_then_succeeds(client, sleeps):
    responses.get(URL, status=503, json={"error": "busy"})
    responses.get(URL, status=500, json={"error": "oops"})
    responses.get(URL, status=200, json={"data": [1]})

    response = client.request("GET", URL)

    assert response.status == 200 and response.body == {"data": [1]}
    assert len(responses.calls) == 3
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


@responses.activate
def test_5xx_surfaces_as_provider_unavailable_once_retries_are_spent(client, sleeps):
    responses.get(URL, status=502, json={"status": 502, "error": "Bad gateway"})

    with pytest.raises(ProviderUnavailable) as caught:
        client.request("GET", URL)

    assert caught.value.status == 502
    assert len(responses.calls) == 4  # the first attempt and three retries
    assert len(sleeps) == 3


@responses.activate
def test_timeouts_and_dropped_connections_are_retried_then_typed(client, sleeps):
    responses.get(URL, body=requests.ReadTimeout("slow"))
    responses.get(URL, body=requests.ConnectionError("reset by peer"))
    responses.get(URL, json={"data": []})
    assert client.request("GET", URL).status == 200

    responses.reset()
    responses.get(URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(ProviderUnavailable, match="ReadTimeout"):
        client.request("GET", URL)
    assert len(responses.calls) == 4


@responses.activate
def test_a_post_that_may_have_been_processed_is_not_repeated(client):
    responses.post(URL, status=500, json={"status": 500, "error": "Internal Server Error"})
    with pytest.raises(ProviderUnavailable):
        client.request("POST", URL, json={"email_address": "a@b.test"})
    assert len(responses.calls) == 1

    responses.reset()
    responses.post(URL, status=503, json={"error": "maintenance"})  # a gateway refused it
    responses.post(URL, json={"data": {"id": 1}})
    assert client.request("POST", URL, json={}).body == {"data": {"id": 1}}
    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"error": "invalid_token"}, AuthRevoked),
        (429, {"error": "API rate limit exceeded"}, RateLimited),
        (404, {"error": "Not Found"}, ProviderError),
        (403, {"error": "Missing required scope: people:write"}, ProviderError),
    ],
)
def test_error_answers_become_typed_errors_with_status_and_body(client, status, body, error):
    responses.get(URL, status=status, json=body, headers={"Retry-After": "17"})
    with pytest.raises(error) as caught:
        client.request("GET", URL)
    assert caught.value.status == status
    assert caught.value.body == body
    assert len(responses.calls) == 1
    if error is RateLimited:
        assert caught.value.retry_after == 17


@responses.activate
def test_a_422_keeps_the_field_errors(client):
    errors = {"errors": {"email_address": ["is already taken"]}}
    responses.post(URL, status=422, json=errors)
    with pytest.raises(ProviderError) as caught:
        client.request("POST", URL, json={"email_address": "taken@x.test"})
    assert caught.value.status == 422
    assert caught.value.body == errors
    assert "email_address" in str(caught.value)


@responses.activate
def test_redirects_are_never_followed(client):
    responses.get(URL, status=302, headers={"Location": "https://evil.example/steal"})
    response = client.request("GET", URL, raise_errors=False)
    assert response.status == 302
    assert [call.request.url for call in responses.calls] == [URL]


@responses.activate
def test_raise_errors_false_returns_the_answer_as_sent(client):
    responses.get(URL, status=404, json={"error": "Not Found"}, headers={"X-Thing": "1"})
    response = client.request("GET", URL, raise_errors=False)
    assert (response.status, response.body, response.headers["x-thing"]) == (
        404,
        {"error": "Not Found"},
        "1",
    )


@responses.activate
def test_authorization_is_redacted_from_every_log_line(client, caplog):
    responses.get(URL, status=500)
    responses.get(URL, body=requests.ConnectionError("boom"))
    responses.get(URL, json={"data": []})
    caplog.set_level(logging.DEBUG, logger="connectors.http")

    client.request("GET", URL, headers={"Authorization": "Bearer sl_at_SECRET", "X-Api-Key": "k1"})

    assert len(caplog.records) == 3
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "sl_at_SECRET" not in text and "k1" not in text
    assert "[redacted]" in text


def test_redact_headers_is_case_insensitive():
    assert redact_headers({"authorization": "x", "Accept": "json"}) == {
        "authorization": "[redacted]",
        "Accept": "json",
    }


@pytest.mark.parametrize("url", ["http://", "api.example.com/v2", "ftp://api.example.com/v2"])
def test_a_url_that_can_never_work_fails_at_once_without_retries(client, sleeps, url):
    with pytest.raises(ProviderError, match="cannot be sent") as caught:
        client.request("GET", url)
    assert not isinstance(caught.value, ProviderUnavailable)
    assert sleeps == []
