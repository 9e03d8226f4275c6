"""The one error handler: provider failures, unexpected exceptions, the envelope."""

from __future__ import annotations

import pytest

from connectors.exceptions import AuthRevoked, InvalidInput, ProviderError, RateLimited
from portal.api import services
from tests.portal.api.conftest import error

pytestmark = pytest.mark.django_db

BODY = {"record": {"name": "Acme", "domain": "acme.io"}}
# Answers from the real provider's host are echoed (see test_mgmt_provider_hosts for others).
REAL = "https://api.salesloft.com/v2/accounts.json"


def _fail_with(monkeypatch, exc):
    def raiser(**kwargs):
        raise exc

    # The provider call is the only thing replaced: what leaves the process.
    monkeypatch.setattr(services.connector_services, "record_create", raiser)


@pytest.mark.parametrize(
    ("exc", "status", "code", "says"),
    [
        (
            ProviderError(
                "422",
                status=422,
                body={"errors": {"domain": ["has already been taken"]}},
                url=REAL,
            ),
            422,
            "UNPROCESSABLE_ENTITY_ERROR",
            "domain has already been taken",
        ),
        (
            ProviderError("boom", status=503, body="down", url=REAL),
            502,
            "REMOTE_PROVIDER_ERROR",
            "boom",
        ),
        (AuthRevoked("gone", status=401), 502, "REMOTE_PROVIDER_ERROR", "reconnect"),
        (RateLimited("slow down", retry_after=30), 429, "TOO_MANY_REQUESTS_ERROR", "30s"),
        (
            InvalidInput("phone_numbers[1]", "no room"),
            400,
            "BAD_REQUEST",
            "record.phone_numbers[1]",
        ),
    ],
)
def test_provider_failures_map_to_the_documented_codes(
    api, conn_a, monkeypatch, exc, status, code, says
):
    _fail_with(monkeypatch, exc)
    response = api.post("/engagement/v2/accounts", BODY)
    assert response.status_code == status
    item = error(response)
    assert item["code"] == code and says in item["detail"]
    expected_origin = "supaglue" if isinstance(exc, InvalidInput) else "remote-provider"
    assert item["meta"]["origin"] == expected_origin
    if status == 422:
        assert item["meta"]["cause"] == {"errors": {"domain": ["has already been taken"]}}
    if "boom" in says:
        # Supaglue's schema types `cause` as an object: a text body is wrapped, not dropped.
        assert item["meta"]["cause"] == {"body": "down"}
    if status == 429:
        assert response["Retry-After"] == "30"


def test_the_envelope_is_supaglues_errors_schema(api, conn_a):
    """`status` a string, `problem_type` present, origin one of Supaglue's two values."""
    response = api.get("/engagement/v2/contacts/nope")
    assert response.status_code == 404
    item = response.json()["errors"][0]
    assert item["status"] == "404" and item["problem_type"] == "NOT_FOUND_ERROR"
    assert item["meta"] == {"origin": "supaglue"}


def test_unexpected_errors_are_a_500_envelope_without_internals(api, conn_a, monkeypatch):
    _fail_with(monkeypatch, RuntimeError("secret internals"))
    response = api.post("/engagement/v2/accounts", BODY)
    assert response.status_code == 500
    item = error(response)
    assert item["code"] == "INTERNAL_SERVER_ERROR" and "secret" not in item["detail"]


def test_wrong_content_type_is_415_in_the_envelope(api, conn_a):
    response = api.client.post(
        "/engagement/v2/accounts", data="name=x", content_type="text/plain", headers=api.headers
    )
    assert response.status_code == 415 and error(response)["status"] == "415"


def test_a_body_over_the_limit_answers_413_in_the_envelope(api, settings, caplog):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/engagement/v2/accounts", {"record": {"name": "x" * 5000}})

    assert response.status_code == 413
    item = error(response)
    assert item["code"] == "PAYLOAD_TOO_LARGE_ERROR" and "1000 bytes" in item["detail"]
    assert "Traceback" not in caplog.text


def test_the_api_handler_turns_a_too_big_body_into_413(api, settings, monkeypatch):
    """Behind the middleware too: a body Django refuses while a view reads it."""
    from django.core.exceptions import RequestDataTooBig

    def raiser(**kwargs):
        raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")

    monkeypatch.setattr(services.connector_services, "record_create", raiser)
    response = api.post("/engagement/v2/accounts", BODY)
    assert response.status_code == 413
    assert error(response)["code"] == "PAYLOAD_TOO_LARGE_ERROR"


def test_a_body_over_the_limit_on_a_page_answers_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/admin/login/", {"username": "x" * 5000, "password": "p"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
