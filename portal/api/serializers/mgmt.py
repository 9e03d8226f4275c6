"""Management objects as Supaglue's mgmt v2 API shaped them: customers, connections,
providers (secrets never leave), sync configs, syncs, sync runs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connectors.base import COMMON_OBJECTS
from connectors.models import AuthType, Connection, Customer, MagicLink, Provider
from connectors.registry import PROVIDERS
from syncs.models import Strategy, Sync, SyncConfig, SyncRun
from syncs.runs import QUEUED

PROVIDER_NAMES = sorted(PROVIDERS)
# Supaglue served many "applications" from one install; Glue is one application.
APPLICATION_ID = "glue"
# Supaglue wrote into destinations the developer configured; Glue writes into its own
# database, which serves the engagement API: Supaglue's "supaglue" destination type (its
# hosted database behind its list APIs). This is that one destination's name and id.
DESTINATION_NAME = "glue"
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
        required=False,
        allow_blank=True,
        help_text='Write-only: stored encrypted and never returned (answers carry ""). Blank '
        "keeps the stored one (but is refused when the token or API URL moves to another "
        "host).",
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
        # The spec requires `oauth_client_secret`; the secret is write-only here, so it is
        # always "" (`has_client_secret` says whether one is stored). A client that reads
        # a provider and PUTs it back sends "", which keeps the stored secret.
        return {
            "provider_app_id": "",
            "use_managed_oauth": False,
            "oauth": {
                "oauth_scopes": provider.scopes.split(),
                "credentials": {"oauth_client_id": provider.client_id, "oauth_client_secret": ""},
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


# Supaglue's clients name common objects in the singular ("contact", "sequence_state").
SINGULAR_NAMES = {
    (name[:-2] if name.endswith("xes") else name[:-1]): name for name in COMMON_OBJECTS
}


def common_object_name(value: str) -> str:
    """Glue's name of a common object, from its own (`contacts`) or Supaglue's (`contact`)."""
    return SINGULAR_NAMES.get(value, value)


class CommonObjectField(serializers.CharField):
    """A common object's name; Supaglue's singular names are read as Glue's."""

    def to_internal_value(self, data):
        return common_object_name(super().to_internal_value(data))


class CommonObjectSerializer(serializers.Serializer):
    object = CommonObjectField()
    fetch_all_fields_into_raw = serializers.BooleanField(required=False, default=True)
    sync_strategy_override = DefaultConfigSerializer(
        required=False, help_text="This object's own schedule (stored in `object_overrides`)."
    )


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
    destination_name = serializers.SerializerMethodField(
        help_text=f"Always {DESTINATION_NAME!r}: Glue syncs into its own database."
    )
    provider_name = serializers.CharField(source="provider.name")
    config = serializers.SerializerMethodField()

    def get_application_id(self, config: SyncConfig) -> str:
        return APPLICATION_ID

    def get_destination_name(self, config: SyncConfig) -> str:
        return DESTINATION_NAME

    @extend_schema_field(SyncConfigDataSerializer)
    def get_config(self, config: SyncConfig) -> dict[str, Any]:
        default: dict[str, Any] = {
            "period_ms": config.period_ms,
            "strategy": STRATEGY_WIRE.get(config.strategy, config.strategy),
            "auto_start_on_connection": config.auto_start_on_connection,
        }
        # The spec's is a number when set; never (null here) is its absence.
        if config.full_sync_every_n_incrementals is not None:
            default["full_sync_every_n_incrementals"] = config.full_sync_every_n_incrementals
        return {
            "default_config": default,
            "common_objects": [self._common_object(config, name) for name in config.common_objects],
            "object_overrides": config.object_overrides,
        }

    @staticmethod
    def _common_object(config: SyncConfig, name: str) -> dict[str, Any]:
        item: dict[str, Any] = {"object": name, "fetch_all_fields_into_raw": True}
        if (config.object_overrides or {}).get(name):
            # The spec's override is a whole schedule: the config's, with the object's own.
            settings = config.settings_for(name)
            override = {
                "period_ms": settings.period_ms,
                "strategy": STRATEGY_WIRE.get(settings.strategy, settings.strategy),
            }
            if settings.full_sync_every_n_incrementals is not None:
                override["full_sync_every_n_incrementals"] = settings.full_sync_every_n_incrementals
            item["sync_strategy_override"] = override
        return item


class SyncConfigWriteSerializer(serializers.Serializer):
    provider_name = serializers.ChoiceField(choices=PROVIDER_NAMES)
    destination_name = serializers.CharField(
        required=False,
        help_text=f"Ignored: Glue writes to its own database (destination {DESTINATION_NAME!r}).",
    )
    config = SyncConfigDataSerializer()


class SyncConfigUpdateSerializer(serializers.Serializer):
    """Supaglue's update body: the config only (its provider is the existing config's)."""

    provider_name = serializers.ChoiceField(
        choices=PROVIDER_NAMES, required=False, help_text="Optional; must be the config's own."
    )
    destination_name = serializers.CharField(required=False, help_text="Ignored.")
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
    object = CommonObjectField()
    perform_full_refresh = serializers.BooleanField(required=False, default=False)


class SyncRunSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    sync_id = serializers.CharField()
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
    strategy = serializers.CharField(help_text="Extension: full or incremental.")
    num_records_deleted = serializers.IntegerField(source="deleted", help_text="Extension.")
    queued = serializers.SerializerMethodField(
        help_text="Extension: true while a triggered run waits for a worker (its status is "
        "then IN_PROGRESS)."
    )

    def get_error_message(self, run: SyncRun) -> str | None:
        return run.error_message or None

    def get_application_id(self, run: SyncRun) -> str:
        return APPLICATION_ID

    def get_status(self, run: SyncRun) -> str:
        return RUN_STATUS_WIRE.get(run.status, run.status.upper())

    def get_object_type(self, run: SyncRun) -> str:
        return "common"

    def get_queued(self, run: SyncRun) -> bool:
        return run.status == SyncRun.Status.IN_PROGRESS and run.worker == QUEUED


class TriggeredSyncSerializer(SyncSerializer):
    """The sync, and (extension) the run the trigger queued, or the one already running."""

    run_id = serializers.SerializerMethodField(
        help_text="Extension: the run doing it; GET /mgmt/v2/sync-runs/{run_id} follows it."
    )

    def get_run_id(self, sync: Sync) -> str:
        return str(self.context["run"].pk)


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


class ConnectionCreateSerializer(serializers.Serializer):
    """Supaglue's body for an API-key connection (its OAuth providers connect through a
    connect session or magic link instead)."""

    provider_name = serializers.ChoiceField(choices=PROVIDER_NAMES)
    type = serializers.ChoiceField(choices=["api_key"], help_text="Only API keys are taken here.")
    api_key = serializers.CharField(
        write_only=True, max_length=2000, help_text="Checked with the provider, stored encrypted."
    )
    replace = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Extension: allow a key of another provider account than the connected one "
        "(its synced records are then deleted).",
    )


class ProviderUserIdSerializer(serializers.Serializer):
    user_id = serializers.CharField(help_text="The provider's id of the user who connected.")


class RateWindowSerializer(serializers.Serializer):
    limit = serializers.IntegerField(help_text="The budget of a window (cost units).")
    remaining = serializers.IntegerField(help_text="What is left of the current window.")
    reset_time = serializers.IntegerField(
        required=False,
        help_text="Epoch seconds when the current window ends; absent when no window is open "
        "(the whole budget is available).",
    )


class RateLimitWindowsSerializer(serializers.Serializer):
    minute = RateWindowSerializer(help_text="The provider account's per-minute cost budget.")


class RateLimitInfoSerializer(serializers.Serializer):
    other = RateLimitWindowsSerializer()


class ConnectionSyncConfigSerializer(serializers.Serializer):
    """Supaglue's per-connection overrides: destination settings and standard or custom
    objects, none of which Glue has. An empty (or empty-listed) body is accepted."""

    destination_config = serializers.DictField(required=False)
    standard_objects = serializers.ListField(child=serializers.DictField(), required=False)
    custom_objects = serializers.ListField(child=serializers.DictField(), required=False)


class DestinationSerializer(serializers.Serializer):
    """Supaglue's `supaglue` destination type: its own database behind its list APIs, which
    is what Glue's database is."""

    id = serializers.CharField()
    application_id = serializers.CharField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["supaglue"])
    version = serializers.IntegerField()


def glue_destination() -> dict[str, Any]:
    return {
        "id": DESTINATION_NAME,
        "application_id": APPLICATION_ID,
        "name": DESTINATION_NAME,
        "type": "supaglue",
        "version": 1,
    }
