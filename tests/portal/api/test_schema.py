"""The OpenAPI schema generates cleanly and documents every endpoint, header and error;
Swagger UI and Redoc are served from local files."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from io import StringIO

    out = StringIO()
    with django_db_blocker.unblock():
        # --fail-on-warn turns any drf-spectacular warning (an undocumented field, an
        # unresolvable type, a name collision) into a failure; --validate checks OpenAPI 3.
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_every_supaglue_operation_is_there(schema):
    operations = {
        op["operationId"]
        for methods in schema["paths"].values()
        for op in methods.values()
        if isinstance(op, dict) and "operationId" in op
    }
    expected = {
        "listAccounts", "getAccount", "createAccount", "updateAccount", "upsertAccount",
        "searchAccounts", "listContacts", "getContact", "createContact", "updateContact",
        "searchContacts", "listUsers", "getUser", "listMailboxes", "getMailbox",
        "listSequences", "getSequence", "createSequence", "listSequenceStates",
        "getSequenceState", "createSequenceState", "deleteSequenceState",
        "searchSequenceStates", "listEmails", "getEmail",
        "getCustomers", "upsertCustomer", "getCustomer", "deleteCustomer",
        "getConnections", "getConnection", "deleteConnection",
        "getProviders", "createProvider", "getProvider", "updateProvider", "deleteProvider",
        "getSyncConfigs", "createSyncConfig", "getSyncConfig", "updateSyncConfig",
        "deleteSyncConfig", "getSyncs", "pauseSync", "resumeSync", "triggerSync",
        "listSyncRuns", "sendPassthroughRequest",
    }  # fmt: skip
    assert expected <= operations, expected - operations


def test_every_operation_has_the_key_and_documents_errors(schema):
    assert schema["components"]["securitySchemes"]["x-api-key"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
    }
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            assert {"x-api-key": []} in op["security"], (method, path)
            assert "401" in op["responses"], (method, path)
            error_schema = op["responses"]["401"]["content"]["application/json"]["schema"]
            assert error_schema == {"$ref": "#/components/schemas/Errors"}
            headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
            if path.startswith(("/engagement/", "/actions/")) or "/syncs/_" in path:
                assert {"x-customer-id", "x-provider-name"} <= headers, (method, path)


def test_list_parameters_and_envelope_are_documented(schema):
    op = schema["paths"]["/engagement/v2/contacts"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"page_size", "cursor", "modified_after", "include_raw_data", "include_deleted"} <= names
    body = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert set(page["properties"]) == {"pagination", "records"}


def test_write_operations_carry_examples(schema):
    post = schema["paths"]["/engagement/v2/contacts"]["post"]
    assert post["requestBody"]["content"]["application/json"]["examples"]
    assert "201" in post["responses"] and "422" in post["responses"]


def test_docs_pages_use_local_assets(client):
    for path in ("/api/docs/", "/api/redoc/"):
        page = client.get(path).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page
        assert "cdn.jsdelivr" not in page and "unpkg.com" not in page
    assert client.get("/api/schema/").status_code == 200


def test_the_schema_is_generated_once_per_process(client, monkeypatch):
    from django.urls import resolve
    from drf_spectacular.generators import SchemaGenerator

    view_class = resolve("/api/schema/").func.view_class
    if hasattr(view_class, "_schema"):  # forget what an earlier test had generated
        monkeypatch.setattr(view_class, "_schema", None)
    generated = []
    real = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        generated.append(True)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)

    first = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    second = client.get("/api/schema/?version=x&lang=de", HTTP_ACCEPT="application/json")

    assert first.status_code == second.status_code == 200
    assert len(generated) == 1
    assert first.json() == second.json()
    assert "/engagement/v2/contacts" in first.json()["paths"]
