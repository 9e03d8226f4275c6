"""The contract suite's requests: one valid call per operation of Supaglue's specs, and the
cheap way to make each one wrong. Data, read by test_contract.py.

Values in paths, queries and bodies are templates over the ids of the synced world
(`{account}`, `{contact}`, … see conftest.World) and of the objects a call's `setup`
creates for it (`{own_contact}`, …); `{unique}` is fresh for every call. Every test runs
in its own transaction, so database changes are rolled back; what reaches the sandbox is
done on objects the test created itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

UNKNOWN_ID = "9999999999"


@dataclass(frozen=True)
class Bad:
    """A request the spec refuses; we must answer 400 in the error envelope."""

    query: dict[str, str] = field(default_factory=dict)
    body: Any = None  # None: the valid call's body


@dataclass(frozen=True)
class Call:
    path: dict[str, str] = field(default_factory=dict)  # overrides PATH_VALUES
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    setup: tuple[str, ...] = ()  # names in SETUPS, run in order before the call
    bad: Bad | None = None
    # The path parameter the 404 case replaces by an unknown id (default: the last one
    # that is not provider_name).
    unknown: str | None = None
    # Where Salesloft has nothing to serve (custom objects, entities, schemas, field
    # mappings, destinations), the issue allows the spec's documented 4xx, with a message
    # saying why, instead of the success answer.
    may_refuse: bool = False
    # Why the valid call itself lies outside the spec, when Glue serves more than Supaglue
    # documented (then its request is not checked against the spec; the answer still is).
    outside_spec: str = ""


# The value of each path parameter unless a call says otherwise.
PATH_VALUES = {
    "account_id": "{account}",
    "contact_id": "{contact}",
    "user_id": "{user}",
    "mailbox_id": "{mailbox}",
    "sequence_id": "{sequence}",
    "sequence_state_id": "{sequence_state}",
    "sequence_step_id": "{step}",
    "customer_id": "{customer}",
    "provider_name": "salesloft",
    "provider_id": "{provider}",
    "sync_config_id": "{sync_config}",
    "magic_link_id": "{own_magic_link}",
    "destination_id": "contract-destination",
    "schema_id": "contract-schema",
    "entity_id": "contract-entity",
}

LIST_BAD = Bad(query={"modified_after": "not-a-date"})
GET_BAD = Bad(query={"include_raw_data": "maybe"})
SYNC_OBJECT = {"object_type": "common", "object": "contacts"}
SYNC_CONFIG = {
    "default_config": {"period_ms": 3_600_000, "strategy": "full then incremental"},
    "common_objects": [{"object": "contacts"}, {"object": "accounts"}],
}
OAUTH_PROVIDER = {
    "name": "salesloft",
    "category": "engagement",
    "auth_type": "oauth2",
    "config": {
        "provider_app_id": "contract-app",
        "oauth": {
            "oauth_scopes": [],
            "credentials": {
                "oauth_client_id": "contract-client-{unique}",
                "oauth_client_secret": "contract-secret-{unique}",
            },
        },
    },
}
SCHEMA_BODY = {
    "name": "contract-{unique}",
    "config": {"fields": [{"name": "first_name"}], "allow_additional_field_mappings": False},
}

CATALOG: dict[str, Call] = {
    # --- engagement: accounts ---
    "createAccount": Call(
        body={"record": {"name": "Contract {unique}", "domain": "{unique}.contract.example"}},
        bad=Bad(body={}),
    ),
    "listAccounts": Call(query={"page_size": "2"}, bad=LIST_BAD),
    "searchAccounts": Call(body={"filter": {"domain": "{account_domain}"}}, bad=Bad(body={})),
    "getAccount": Call(query={"include_raw_data": "true"}, bad=GET_BAD),
    "updateAccount": Call(
        path={"account_id": "{own_account}"},
        setup=("own_account",),
        body={"record": {"name": "Renamed {unique}"}},
        bad=Bad(body={}),
    ),
    "upsertAccount": Call(
        body={
            "record": {"name": "Upserted {unique}", "domain": "{unique}.upsert.example"},
            "upsert_on": {"domain": "{unique}.upsert.example"},
        },
        bad=Bad(body={"record": {"name": "No upsert_on"}}),
    ),
    # --- contacts ---
    "createContact": Call(
        body={
            "record": {
                "first_name": "Ada",
                "last_name": "Contract {unique}",
                "email_addresses": [
                    {"email_address": "ada.{unique}@contract.example", "email_address_type": "work"}
                ],
                # The spec's address has all six keys; Supaglue dropped street_1 for Salesloft.
                "address": {
                    "street_1": "1 Main St",
                    "street_2": None,
                    "city": "Springfield",
                    "state": "IL",
                    "postal_code": "62701",
                    "country": "US",
                },
            }
        },
        bad=Bad(body={}),
    ),
    "listContacts": Call(query={"page_size": "2"}, bad=LIST_BAD),
    "searchContacts": Call(
        body={"filter": {"emails": ["{contact_email}"]}}, bad=Bad(body={"filter": {}})
    ),
    "getContact": Call(bad=GET_BAD),
    "updateContact": Call(
        path={"contact_id": "{own_contact}"},
        setup=("own_contact",),
        body={"record": {"job_title": "Analyst {unique}"}},
        bad=Bad(body={}),
    ),
    # --- users, mailboxes ---
    "listUsers": Call(bad=LIST_BAD),
    "getUser": Call(bad=GET_BAD),
    "listMailboxes": Call(bad=LIST_BAD),
    "getMailbox": Call(bad=GET_BAD),
    # --- sequences ---
    "createSequence": Call(
        body={"record": {"name": "Contract {unique}", "type": "private"}},
        bad=Bad(body={"record": {"name": "No type {unique}"}}),
    ),
    "listSequences": Call(bad=LIST_BAD),
    "getSequence": Call(bad=GET_BAD),
    "createSequenceStep": Call(
        path={"sequence_id": "{own_sequence}"},
        setup=("own_sequence",),
        body={"record": {"type": "call", "interval_seconds": 86400, "task_note": "Call them"}},
        bad=Bad(body={"record": {"name": "No type"}}),
    ),
    "updateSequenceStep": Call(
        path={"sequence_id": "{own_sequence}", "sequence_step_id": "{own_step}"},
        setup=("own_sequence", "own_step"),
        body={"record": {"template": {"subject": "Hello {unique}", "body": "Hi there"}}},
        bad=Bad(body={}),
        may_refuse=True,  # "Not supported in `salesloft`", says the spec
        # Refused for any step (no provider call to look one up); an unknown sequence is 404.
        unknown="sequence_id",
    ),
    # --- sequence states ---
    "createSequenceState": Call(
        setup=("own_contact",),
        body={"record": {"contact_id": "{own_contact}", "sequence_id": "{sequence}"}},
        bad=Bad(body={"record": {"contact_id": "{contact}"}}),
    ),
    "listSequenceStates": Call(bad=LIST_BAD),
    "searchSequenceStates": Call(
        body={"filter": {"contact_id": "{state_contact}"}}, bad=Bad(body={})
    ),
    "batchCreateSequenceState": Call(
        setup=("own_contact",),
        body={"records": [{"contact_id": "{own_contact}", "sequence_id": "{sequence}"}]},
        bad=Bad(body={}),
    ),
    "getSequenceState": Call(bad=GET_BAD),
    # --- mgmt: customers ---
    "getCustomers": Call(),
    "upsertCustomer": Call(
        body={
            "customer_id": "contract-{unique}",
            "name": "Contract {unique}",
            "email": "ops.{unique}@contract.example",
        },
        bad=Bad(body={"name": "No id", "email": "ops@contract.example"}),
    ),
    "getCustomer": Call(),
    "deleteCustomer": Call(path={"customer_id": "{own_customer}"}, setup=("own_customer",)),
    # --- destinations: Glue keeps the synced data in its own database ---
    "getDestinations": Call(may_refuse=True),
    "createDestination": Call(body={"type": "supaglue"}, may_refuse=True),
    "getDestination": Call(may_refuse=True),
    "updateDestination": Call(
        body={
            "name": "contract",
            "type": "postgres",
            "config": {
                "host": "127.0.0.1",
                "port": 5432,
                "database": "contract",
                "schema": "public",
                "user": "contract",
            },
            "version": 1,
        },
        may_refuse=True,
    ),
    # --- magic links ---
    "getMagicLinks": Call(),
    "createMagicLink": Call(
        body={
            "customer_id": "{customer}",
            "provider_name": "salesloft",
            "return_url": "http://localhost/contract-done",
            "expiration_secs": 3600,
        },
        bad=Bad(body={"customer_id": "{customer}", "provider_name": "salesloft"}),
    ),
    "deleteMagicLink": Call(setup=("own_magic_link",)),
    # --- field mappings, entity mappings, schemas, entities: nothing to map in Glue ---
    "listFieldMappings": Call(may_refuse=True),
    "updateObjectFieldMappings": Call(
        body={"name": "contacts", "type": "common", "field_mappings": []}, may_refuse=True
    ),
    "listEntityMappings": Call(may_refuse=True),
    "upsertEntityMapping": Call(body={"entity_id": "contract-entity"}, may_refuse=True),
    "deleteEntityMapping": Call(may_refuse=True),
    "getSchemas": Call(may_refuse=True),
    "createSchema": Call(body=SCHEMA_BODY, may_refuse=True),
    "getSchema": Call(may_refuse=True),
    "updateSchema": Call(body=SCHEMA_BODY, may_refuse=True),
    "deleteSchema": Call(may_refuse=True),
    "getEntities": Call(may_refuse=True),
    "createEntity": Call(body=SCHEMA_BODY, may_refuse=True),
    "getEntity": Call(may_refuse=True),
    "updateEntity": Call(body=SCHEMA_BODY, may_refuse=True),
    "deleteEntity": Call(may_refuse=True),
    # --- providers ---
    "getProviders": Call(),
    "createProvider": Call(setup=("no_provider",), body=OAUTH_PROVIDER, bad=Bad(body={})),
    "getProvider": Call(),
    "updateProvider": Call(body=OAUTH_PROVIDER, bad=Bad(body={})),
    "deleteProvider": Call(setup=("no_provider_connections",)),
    # --- sync configs ---
    "getSyncConfigs": Call(),
    "createSyncConfig": Call(
        setup=("no_sync_config",),
        body={"destination_name": "glue", "provider_name": "salesloft", "config": SYNC_CONFIG},
        bad=Bad(body={"provider_name": "salesloft"}),
    ),
    "getSyncConfig": Call(),
    "updateSyncConfig": Call(body={"config": SYNC_CONFIG}, bad=Bad(body={})),
    "deleteSyncConfig": Call(),
    "getConnectionSyncConfig": Call(may_refuse=True),
    "upsertConnectionSyncConfig": Call(
        body={"standard_objects": [], "custom_objects": []}, may_refuse=True
    ),
    "deleteConnectionSyncConfig": Call(may_refuse=True),
    # --- connections ---
    "getConnections": Call(),
    "createConnection": Call(
        path={"customer_id": "{own_customer}"},
        setup=("own_customer",),
        body={"provider_name": "salesloft", "type": "api_key", "api_key": "{sandbox_api_key}"},
        bad=Bad(body={}),
        outside_spec="the spec's bodies name other providers; Glue connects Salesloft by API "
        "key (issue 12)",
    ),
    "getProviderUserId": Call(
        query={"provider_name": "salesloft"},
        bad=Bad(query={}),
        outside_spec="the spec's provider_name enum lists hubspot, ms_dynamics_365_sales and "
        "intercom only; Glue answers it for its providers",
    ),
    "getConnection": Call(unknown="customer_id"),
    "deleteConnection": Call(
        path={"customer_id": "{own_customer}"}, setup=("own_customer", "own_connection")
    ),
    "getConnectionRateLimitInfo": Call(unknown="customer_id"),
    # --- syncs and runs ---
    "getSyncs": Call(query={"customer_id": "{customer}"}, bad=Bad(query={"object_type": "no"})),
    "pauseSync": Call(body=SYNC_OBJECT, bad=Bad(body={"object_type": "common"})),
    "resumeSync": Call(body=SYNC_OBJECT, bad=Bad(body={"object_type": "common"})),
    "triggerSync": Call(
        body={**SYNC_OBJECT, "perform_full_refresh": True}, bad=Bad(body={"object_type": "common"})
    ),
    "getSyncRuns": Call(query={"customer_id": "{customer}"}, bad=Bad(query={"object_type": "no"})),
    # --- actions ---
    "sendPassthroughRequest": Call(
        body={"path": "/me", "method": "GET"}, bad=Bad(body={"path": "/me"})
    ),
}


# --- setups: objects a call needs, made through the API where the API makes them --------

Setup = Callable[[Any], dict[str, str]]


def _created_id(ctx: Any, path: str, body: dict) -> str:
    answer = ctx.setup_call("post", path, body, customer_headers=True)
    return str(answer["record"]["id"])


def own_account(ctx: Any) -> dict[str, str]:
    record = {"name": "Own {unique}", "domain": "{unique}.own.example"}
    return {"own_account": _created_id(ctx, "/engagement/v2/accounts", {"record": record})}


def own_contact(ctx: Any) -> dict[str, str]:
    record = {
        "first_name": "Own",
        "last_name": "Contact {unique}",
        "email_addresses": [
            {"email_address": "own.{unique}@contract.example", "email_address_type": "work"}
        ],
    }
    return {"own_contact": _created_id(ctx, "/engagement/v2/contacts", {"record": record})}


def own_sequence(ctx: Any) -> dict[str, str]:
    record = {
        "name": "Own {unique}",
        "type": "private",
        "steps": [
            {
                "type": "auto_email",
                "interval_seconds": 0,
                "template": {"subject": "Hello", "body": "Hi there"},
            }
        ],
    }
    return {"own_sequence": _created_id(ctx, "/engagement/v2/sequences", {"record": record})}


def own_step(ctx: Any) -> dict[str, str]:
    sequence = ctx.setup_call(
        "get", "/engagement/v2/sequences/{own_sequence}", customer_headers=True
    )
    return {"own_step": str(sequence["steps"][0]["id"])}


def own_customer(ctx: Any) -> dict[str, str]:
    customer_id = ctx.fill("contract-own-{unique}")
    ctx.setup_call(
        "put",
        "/mgmt/v2/customers",
        {"customer_id": customer_id, "name": "Own", "email": "own@contract.example"},
    )
    return {"own_customer": customer_id}


def own_connection(ctx: Any) -> dict[str, str]:
    ctx.connect_by_api_key(customer_id=ctx.ids["own_customer"])
    return {}


def own_magic_link(ctx: Any) -> dict[str, str]:
    body = {
        "customer_id": "{customer}",
        "provider_name": "salesloft",
        "return_url": "http://localhost/contract-done",
        "expiration_secs": 3600,
    }
    return {"own_magic_link": str(ctx.setup_call("post", "/mgmt/v2/magic_links", body)["id"])}


def no_provider_connections(ctx: Any) -> dict[str, str]:
    ctx.delete_provider_connections()
    return {}


def no_provider(ctx: Any) -> dict[str, str]:
    ctx.delete_provider_connections()
    ctx.setup_call("delete", "/mgmt/v2/providers/{provider}")
    return {}


def no_sync_config(ctx: Any) -> dict[str, str]:
    ctx.setup_call("delete", "/mgmt/v2/sync_configs/{sync_config}")
    return {}


SETUPS: dict[str, Setup] = {
    "own_account": own_account,
    "own_contact": own_contact,
    "own_sequence": own_sequence,
    "own_step": own_step,
    "own_customer": own_customer,
    "own_connection": own_connection,
    "own_magic_link": own_magic_link,
    "no_provider_connections": no_provider_connections,
    "no_provider": no_provider,
    "no_sync_config": no_sync_config,
}
