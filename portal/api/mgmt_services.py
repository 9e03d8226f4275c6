"""Management writes behind `/mgmt/v2/`: thin over `connectors.services` and `syncs.services`,
reading Supaglue-shaped bodies. They raise domain errors (`connectors.exceptions`, Django's
`ValidationError` with the body's field names); `portal.api.errors` makes them 400/404/409."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from connectors import services as connector_services
from connectors.exceptions import Conflict, InvalidInput, NotFound
from connectors.models import Connection, ConnectSession, Customer, MagicLink, Provider
from connectors.selectors import customer_get
from portal.api.serializers.mgmt import STRATEGY_FROM_WIRE
from portal.models import ApiKey
from syncs import services as sync_services
from syncs.models import SyncConfig


def _wire_names(exc: ValidationError, wire_names: dict[str, str]) -> ValidationError:
    """A model's `ValidationError` naming each field as the request body names it."""
    if not hasattr(exc, "message_dict"):
        return exc
    return ValidationError(
        {wire_names.get(field, field): messages for field, messages in exc.message_dict.items()}
    )


def customer_delete(*, customer: Customer) -> None:
    """Delete a customer with its connections, syncs and synced records."""
    customer.delete()


def connection_delete(*, connection: Connection) -> None:
    """Disconnect (credentials wiped, its syncs told) and delete the connection, as
    Supaglue did: its syncs and synced records go with it."""
    connector_services.connection_disconnect(connection=connection)
    connection.delete()


def connection_create(
    *, customer_id: str, provider_name: str, api_key: str, replace: bool = False
) -> Connection:
    """Connect an existing customer to `provider_name` with an API key (checked with the
    provider first: `InvalidInput` naming `api_key` when refused)."""
    customer = customer_get(customer_id=customer_id)
    provider = Provider.objects.filter(name=provider_name).first()
    if provider is None:
        raise InvalidInput("provider_name", f"no {provider_name!r} provider; create it first")
    return connector_services.connection_create_with_api_key(
        customer=customer, provider=provider, api_key=api_key, replace=replace
    )


# Model fields → where the Supaglue-shaped body carries them, so a 400 names the latter.
PROVIDER_WIRE_FIELDS = {
    "client_id": "config.oauth.credentials.oauth_client_id",
    "client_secret": "config.oauth.credentials.oauth_client_secret",
    "scopes": "config.oauth.oauth_scopes",
}


def provider_write(
    *, provider: Provider | None, data: dict[str, Any], key: ApiKey | None = None
) -> Provider:
    """Create (`provider` None) or update a provider from a Supaglue-shaped body; a provider
    without a sync config gets the default one, as in the admin. The client secret is
    write-only: blank or absent keeps the stored one, except that moving the token
    or API URL to another host needs it again. Such a move is logged (admin log) as the
    service user, naming `key`."""
    name = data["name"]
    if provider is None:
        if Provider.objects.filter(name=name).exists():
            raise Conflict(f"A {name!r} provider exists already; PUT /providers/{name} updates it.")
        provider = Provider(**connector_services.provider_defaults(name=name))
    elif provider.name != name:
        raise InvalidInput("name", f"a provider cannot be renamed ({provider.name!r} → {name!r})")
    oauth = data["config"]["oauth"]
    fields: dict[str, Any] = {
        "auth_type": data.get("auth_type", provider.auth_type),
        "client_id": oauth["credentials"].get("oauth_client_id", ""),
    }
    if "oauth_scopes" in oauth:
        fields["scopes"] = " ".join(oauth["oauth_scopes"])
    for url in ("authorize_url", "token_url", "api_base_url"):
        if data.get(url):
            fields[url] = data[url]
    note = f"Via the management API with key {key.name!r} ({key.prefix}…)." if key else ""
    try:
        provider, _ = sync_services.provider_setup(
            provider=provider,
            client_secret=oauth["credentials"].get("oauth_client_secret") or None,
            fields=fields,
            change_note=note,
        )
    except ValidationError as exc:
        raise _wire_names(exc, PROVIDER_WIRE_FIELDS) from None
    return provider


def provider_delete(*, provider: Provider) -> None:
    try:
        with transaction.atomic():
            provider.delete()
    except ProtectedError:
        raise Conflict(
            f"The {provider.name!r} provider still has connections; delete them first."
        ) from None


def sync_config_write(*, config: SyncConfig | None, data: dict[str, Any]) -> SyncConfig:
    """Create (`config` None) or update a provider's sync config from a Supaglue-shaped body.

    A provider gets the default config when it is set up (`provider_setup`), so Supaglue's
    order (create the provider, then POST its sync config) would meet a 409. A create
    therefore replaces a config still holding exactly the defaults (nobody changed it:
    replacing it loses nothing); one that differs is a 409 naming the PUT that updates it.
    An update takes the provider from the config (Supaglue's body has only `config`)."""
    if config is None:
        provider = Provider.objects.filter(name=data["provider_name"]).first()
        if provider is None:
            raise InvalidInput(
                "provider_name", f"no {data['provider_name']!r} provider; create it first"
            )
        existing = SyncConfig.objects.filter(provider=provider).first()
        if existing is not None and not sync_services.sync_config_is_default(config=existing):
            raise Conflict(
                f"{provider.name!r} has a sync config (id {existing.pk}) with changed settings; "
                f"PUT /sync_configs/{existing.pk} updates it."
            )
    else:
        provider = config.provider
        if data.get("provider_name", provider.name) != provider.name:
            raise InvalidInput("provider_name", "a sync config cannot move to another provider")
    body = data["config"]
    default = body["default_config"]
    fields: dict[str, Any] = {
        "period_ms": default["period_ms"],
        "strategy": STRATEGY_FROM_WIRE[default["strategy"]],
    }
    for key in ("full_sync_every_n_incrementals", "auto_start_on_connection"):
        if key in default:
            fields[key] = default[key]
    overrides = dict(body.get("object_overrides", {}))
    if "common_objects" in body:
        fields["common_objects"] = [item["object"] for item in body["common_objects"]]
        for item in body["common_objects"]:
            if "sync_strategy_override" in item:
                overrides[item["object"]] = _override_from_wire(item["sync_strategy_override"])
    if "object_overrides" in body or overrides:
        fields["object_overrides"] = overrides
    return sync_services.sync_config_save(provider=provider, fields=fields)


def _override_from_wire(override: dict[str, Any]) -> dict[str, Any]:
    """Supaglue's per-object `sync_strategy_override` as an `object_overrides` entry
    (`auto_start_on_connection` is the config's only: it is not per object here)."""
    values = {
        "period_ms": override["period_ms"],
        "strategy": STRATEGY_FROM_WIRE[override["strategy"]],
    }
    if override.get("full_sync_every_n_incrementals") is not None:
        values["full_sync_every_n_incrementals"] = override["full_sync_every_n_incrementals"]
    return values


def sync_config_delete(*, config: SyncConfig) -> None:
    sync_services.sync_config_delete(config=config)


def _customer_get_or_create(customer_id: str) -> Customer:
    """The customer, created (validated) if new: connect links name the developer's own id."""
    try:
        return customer_get(customer_id=customer_id)
    except NotFound:
        return connector_services.customer_upsert(customer_id=customer_id)


def connect_session_create(
    *,
    customer_id: str,
    provider_name: str,
    return_url: str,
    scopes: list[str] | None = None,
    replace: bool = False,
    origin: str = "",
) -> tuple[ConnectSession, str]:
    """A connect session for `customer_id` (created if new, as for magic links): the only
    way into a connect flow. Returns the session and its token (shown once)."""
    with transaction.atomic():
        customer = _customer_get_or_create(customer_id)
        return connector_services.connect_session_create(
            customer=customer,
            provider_name=provider_name,
            return_url=return_url,
            scopes=scopes,
            replace=replace,
            origin=origin,
        )


def magic_link_create(
    *, customer_id: str, provider_name: str, return_url: str, expiration_secs: int
) -> MagicLink:
    """A single-use connect link for `customer_id` (created if new) to `provider_name`;
    the return URL must be on an allowed host (no open redirect)."""
    if not Provider.objects.filter(name=provider_name).exists():
        raise InvalidInput("provider_name", f"no {provider_name!r} provider; create it first")
    with transaction.atomic():
        customer = _customer_get_or_create(customer_id)
        return connector_services.magic_link_create(
            customer=customer,
            provider_name=provider_name,
            return_url=return_url,
            expiration_secs=expiration_secs,
        )


def magic_link_delete(*, link: MagicLink) -> None:
    link.delete()
