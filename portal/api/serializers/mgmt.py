"""Management objects as Supaglue's mgmt v2 API shaped them: customers, connections,
providers (secrets never leave), sync configs, syncs, sync runs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connectors.models import AuthType, Connection, Customer, MagicLink, Provider
from connectors.registry import PROVIDERS
from syncs.models import Strategy, Sync, SyncConfig, SyncRun

PROVIDER_NAMES = sorted(PROVIDERS)
# Supaglue served many "applications" from one install; Glue is one application.
APPLICATION_ID = "glue"
# Supaglue's wire names for sync strategies and run statuses.
STRATEGY_WIRE = {
    Strategy.FULL_THEN_INCREMENTAL: "full then incremental",
    Strategy.FULL_ONLY: "full only",
}
STRATEGY_FROM_WIRE = {wire: value for value, wire in STRATEGY_WIRE.items()}
RUN_STATUS_WIRE = {
    SyncRun.Status.SUCCESS: "SUCCESS",
    SyncRun.Status.IN_PROGRESS: "IN_PROGRESS",
    SyncRun.Status.FAILURE: "FAILURE",
}
CONNECTION_STATUS_WIRE = {
    Connection.Status.ACTIVE: "available",
    Connection.Status.NEEDS_REAUTH: "needs_reauth",
    Connection.Status.REVOKED: "revoked",
}


class CustomerSerializer(serializers.ModelSerializer):
    application_id = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["application_id", "customer_id", "name", "email"]

    def get_application_id(self, customer: Customer) -> str:
        return APPLICATION_ID


class CustomerUpsertSerializer(serializers.Serializer):
    customer_id = serializers.CharField(max_length=255)
    name = serializers.CharField(allow_blank=True, required=False, default="")
    email = serializers.EmailField(allow_blank=True, required=False, default="")


class ConnectionSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    status = serializers.SerializerMethodField(
        help_text="`available` when it works; `needs_reauth` or `revoked` when the customer "
        "must reconnect."
    )
    status_reason = serializers.CharField()
    application_id = serializers.SerializerMethodField()
    customer_id = serializers.CharField(source="customer.customer_id")
    provider_id = serializers.CharField(source="provider.pk")
    provider_name = serializers.CharField(source="provider.name")
    category = serializers.CharField(source="provider.category")
    auth_type = serializers.CharField()
    instance_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_status(self, connection: Connection) -> str:
        return CONNECTION_STATUS_WIRE.get(connection.status, connection.status)

    def get_application_id(self, connection: Connection) -> str:
        return APPLICATION_ID

    def get_instance_url(self, connection: Connection) -> str:
        return ""


class OAuthCredentialsSerializer(serializers.Serializer):
    oauth_client_id = serializers.CharField(allow_blank=True)
    oauth_client_secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Write-only: stored encrypted and never returned. Blank keeps the stored one "
        "(but is refused when the token or API URL moves to another host).",
    )


class OAuthConfigSerializer(serializers.Serializer):
    oauth_scopes = serializers.ListField(child=serializers.CharField(), required=False)
    credentials = OAuthCredentialsSerializer()


class ProviderConfigSerializer(serializers.Serializer):
    provider_app_id = serializers.CharField(required=False, allow_blank=True)
    use_managed_oauth = serializers.BooleanField(required=False, default=False)
    oauth = OAuthConfigSerializer()


class ProviderSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    application_id = serializers.SerializerMethodField()
    name = serializers.CharField()
    category = serializers.CharField()
    auth_type = serializers.CharField()
    config = serializers.SerializerMethodField()
    has_client_secret = serializers.BooleanField()
    authorize_url = serializers.URLField()
    token_url = serializers.URLField()
    api_base_url = serializers.URLField()

    def get_application_id(self, provider: Provider) -> str:
        return APPLICATION_ID

    @extend_schema_field(ProviderConfigSerializer)
    def get_config(self, provider: Provider) -> dict[str, Any]:
        return {
            "provider_app_id": "",
            "use_managed_oauth": False,
            "oauth": {
                "oauth_scopes": provider.scopes.split(),
                "credentials": {"oauth_client_id": provider.client_id},
            },
        }


ENDPOINT_HELP = (
    "Default: the real provider's. Only the provider's own hosts (https) or a host in the "
    "server's PROVIDER_ALLOWED_HOSTS; moving it to another host needs "
    "`config.oauth.credentials.oauth_client_secret` in the same request."
)


class ProviderWriteSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=PROVIDER_NAMES)
    category = serializers.CharField(required=False, help_text="Ignored: set by the provider.")
    auth_type = serializers.ChoiceField(choices=AuthType.values, default=AuthType.OAUTH2)
    config = ProviderConfigSerializer()
    authorize_url = serializers.URLField(required=False, help_text="Default: the real provider's.")
    token_url = serializers.URLField(required=False, help_text=ENDPOINT_HELP)
    api_base_url = serializers.URLField(required=False, help_text=ENDPOINT_HELP)


class DefaultConfigSerializer(serializers.Serializer):
    period_ms = serializers.IntegerField(min_value=60000)
    strategy = serializers.ChoiceField(choices=list(STRATEGY_FROM_WIRE))
    full_sync_every_n_incrementals = serializers.IntegerField(
        min_value=1, allow_null=True, required=False
    )
    auto_start_on_connection = serializers.BooleanField(required=False)


class CommonObjectSerializer(serializers.Serializer):
    object = serializers.CharField()
    fetch_all_fields_into_raw = serializers.BooleanField(required=False, default=True)


class SyncConfigDataSerializer(serializers.Serializer):
    default_config = DefaultConfigSerializer()
    common_objects = CommonObjectSerializer(many=True, required=False)
    object_overrides = serializers.DictField(
        required=False,
        help_text='Per object: {"contacts": {"period_ms": 120000, "strategy": "full_only"}}.',
    )


class SyncConfigSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    application_id = serializers.SerializerMethodField()
    provider_name = serializers.CharField(source="provider.name")
    config = serializers.SerializerMethodField()

    def get_application_id(self, config: SyncConfig) -> str:
        return APPLICATION_ID

    @extend_schema_field(SyncConfigDataSerializer)
    def get_config(self, config: SyncConfig) -> dict[str, Any]:
        return {
            "default_config": {
                "period_ms": config.period_ms,
                "strategy": STRATEGY_WIRE.get(config.strategy, config.strategy),
                "full_sync_every_n_incrementals": config.full_sync_every_n_incrementals,
                "auto_start_on_connection": config.auto_start_on_connection,
            },
            "common_objects": [
                {"object": name, "fetch_all_fields_into_raw": True}
                for name in config.common_objects
            ],
            "object_overrides": config.object_overrides,
        }


class SyncConfigWriteSerializer(serializers.Serializer):
    provider_name = serializers.ChoiceField(choices=PROVIDER_NAMES)
    destination_name = serializers.CharField(
        required=False, help_text="Ignored: Glue writes to its own database."
    )
    config = SyncConfigDataSerializer()


class SyncSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    type = serializers.SerializerMethodField()
    object_type = serializers.SerializerMethodField()
    object = serializers.CharField(source="object_name")
    connection_id = serializers.CharField(source="connection.pk")
    sync_config_id = serializers.SerializerMethodField()
    paused = serializers.BooleanField()
    paused_reason = serializers.CharField()
    provider_name = serializers.CharField(source="connection.provider.name")
    customer_id = serializers.CharField(source="connection.customer.customer_id")
    next_run_at = serializers.DateTimeField(allow_null=True)

    def get_type(self, sync: Sync) -> str:
        return "object"

    def get_object_type(self, sync: Sync) -> str:
        return "common"

    def get_sync_config_id(self, sync: Sync) -> str | None:
        config = getattr(sync.connection.provider, "sync_config", None)
        return str(config.pk) if config else None


class SyncActionSerializer(serializers.Serializer):
    object_type = serializers.ChoiceField(choices=["common"], default="common")
    object = serializers.CharField()
    perform_full_refresh = serializers.BooleanField(required=False, default=False)


class SyncRunSerializer(serializers.Serializer):
    run_id = serializers.CharField(source="pk")
    error_message = serializers.SerializerMethodField()
    start_timestamp = serializers.DateTimeField(source="started_at")
    end_timestamp = serializers.DateTimeField(source="ended_at", allow_null=True)
    application_id = serializers.SerializerMethodField()
    customer_id = serializers.CharField(source="sync.connection.customer.customer_id")
    provider_name = serializers.CharField(source="sync.connection.provider.name")
    category = serializers.CharField(source="sync.connection.provider.category")
    connection_id = serializers.CharField(source="sync.connection_id")
    status = serializers.SerializerMethodField()
    num_records_synced = serializers.IntegerField(source="upserted", allow_null=True)
    object_type = serializers.SerializerMethodField()
    object = serializers.CharField(source="sync.object_name")
    strategy = serializers.CharField()
    num_records_deleted = serializers.IntegerField(source="deleted")

    def get_error_message(self, run: SyncRun) -> str | None:
        return run.error_message or None

    def get_application_id(self, run: SyncRun) -> str:
        return APPLICATION_ID

    def get_status(self, run: SyncRun) -> str:
        return RUN_STATUS_WIRE.get(run.status, run.status.upper())

    def get_object_type(self, run: SyncRun) -> str:
        return "common"


class MagicLinkSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    status = serializers.SerializerMethodField(help_text="new, opened, used or expired.")
    application_id = serializers.SerializerMethodField()
    customer_id = serializers.CharField(source="customer.customer_id")
    provider_id = serializers.CharField(source="provider.pk")
    provider_name = serializers.CharField(source="provider.name")
    url = serializers.CharField(help_text="Send this to the customer; it works once.")
    return_url = serializers.CharField()
    expires_at = serializers.DateTimeField()

    def get_status(self, link: MagicLink) -> str:
        if link.status != MagicLink.Status.USED and link.is_expired:
            return "expired"
        return link.status

    def get_application_id(self, link: MagicLink) -> str:
        return APPLICATION_ID


class MagicLinkCreateSerializer(serializers.Serializer):
    customer_id = serializers.CharField(max_length=255)
    provider_name = serializers.ChoiceField(choices=PROVIDER_NAMES)
    return_url = serializers.URLField(help_text="Where the customer lands after connecting.")
    expiration_secs = serializers.IntegerField(min_value=60, max_value=30 * 24 * 3600)


class ConnectSessionCreateSerializer(serializers.Serializer):
    customer_id = serializers.CharField(
        max_length=255, help_text="Your own id for the customer (created if new)."
    )
    provider_name = serializers.ChoiceField(choices=PROVIDER_NAMES)
    return_url = serializers.URLField(
        max_length=2000, help_text="Where the customer lands after connecting (allowed hosts)."
    )
    scopes = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=50,
        help_text="OAuth scopes to ask for; the provider's configured scopes when absent.",
    )
    replace = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Allow the customer to connect another provider account (team or user) than "
        "the one connected now; its synced records are then deleted.",
    )


class ConnectSessionSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Single-use; shown only in this response.")
    connect_url = serializers.CharField(help_text="Send the customer's browser here.")
    expires_at = serializers.DateTimeField()
    customer_id = serializers.CharField()
    provider_name = serializers.CharField()
    return_url = serializers.CharField()
    replace = serializers.BooleanField()


def paginated(name: str, item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """`{next, previous, results, total_count}` around `item` (for the schema)."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": item(many=True),
            "total_count": serializers.IntegerField(),
            "__module__": __name__,
        },
    )
