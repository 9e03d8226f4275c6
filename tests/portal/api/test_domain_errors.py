"""Services and selectors raise domain errors; `portal.api.errors.exception_handler` alone
decides the HTTP status, and a provider's package alone reads its error bodies."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from connectors.exceptions import Conflict, NotFound, ProviderError
from connectors.registry import PROVIDERS
from portal.api import services
from tests.portal.api.conftest import error

pytestmark = pytest.mark.django_db

BODY = {"record": {"name": "Acme", "domain": "acme.io"}}
REAL = "https://api.salesloft.com/v2/accounts.json"


def _fail_with(monkeypatch, exc):
    def raiser(**kwargs):
        raise exc

    monkeypatch.setattr(services.connector_services, "record_create", raiser)


@pytest.mark.parametrize(
    ("exc", "status", "code", "detail"),
    [
        (NotFound("No such thing."), 404, "NOT_FOUND_ERROR", "No such thing."),
        (Conflict("Two of them."), 409, "CONFLICT_ERROR", "Two of them."),
        (
            ValidationError({"email": ["Enter a valid email address."]}),
            400,
            "BAD_REQUEST",
            "email: Enter a valid email address.",
        ),
    ],
)
def test_domain_errors_map_to_statuses_in_the_envelope(
    api, conn_a, monkeypatch, exc, status, code, detail
):
    _fail_with(monkeypatch, exc)
    response = api.post("/engagement/v2/accounts", BODY)
    assert response.status_code == status
    item = error(response)
    assert (item["code"], item["detail"], item["meta"]["origin"]) == (code, detail, "supaglue")


def test_the_provider_package_says_what_a_refusal_means(api, conn_a, monkeypatch):
    spec = PROVIDERS[conn_a.provider.name]
    reader = dataclasses.replace(spec, error_detail=lambda body: f"read by the package: {body}")
    monkeypatch.setitem(PROVIDERS, spec.name, reader)
    _fail_with(monkeypatch, ProviderError("422", status=422, body={"errors": {}}, url=REAL))
    response = api.post("/engagement/v2/accounts", BODY)
    assert response.status_code == 422
    assert error(response)["detail"] == (
        "The provider refused the record: read by the package: {'errors': {}}"
    )


def test_a_provider_without_a_reader_shows_the_body_as_it_is(api, conn_a, monkeypatch):
    spec = PROVIDERS[conn_a.provider.name]
    monkeypatch.setitem(PROVIDERS, spec.name, dataclasses.replace(spec, error_detail=None))
    body = {"errors": {"domain": ["taken"]}}
    _fail_with(monkeypatch, ProviderError("422", status=422, body=body, url=REAL))
    response = api.post("/engagement/v2/accounts", BODY)
    assert error(response)["detail"] == f"The provider refused the record: {body}"
