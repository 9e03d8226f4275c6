"""Sync configs: validation naming the field, and syncs kept in step with the config."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from connectors.base import COMMON_OBJECTS
from syncs.models import Sync, SyncConfig
from syncs.services import (
    MANUAL_START_REASON,
    sync_config_delete,
    sync_config_save,
    syncs_create_for_connection,
    syncs_pause_for_connection,
)
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"period_ms": 59_999}, "period_ms", "greater than or equal to 60000"),
        ({"common_objects": ["contacts", "deals"]}, "common_objects", "unknown object(s) deals"),
        ({"common_objects": ["users", "users"]}, "common_objects", "lists an object twice"),
        ({"common_objects": "users"}, "common_objects", "must be a list"),
        ({"strategy": "sometimes"}, "strategy", "not a valid choice"),
        ({"full_sync_every_n_incrementals": 0}, "full_sync_every_n_incrementals", "≥ 1"),
        ({"object_overrides": {"deals": {}}}, "object_overrides", "deals: unknown object"),
        (
            {"object_overrides": {"users": {"period_ms": 1000}}},
            "object_overrides",
            "users.period_ms: must be a whole number of milliseconds ≥ 60000",
        ),
        (
            {"object_overrides": {"users": {"colour": "red"}}},
            "object_overrides",
            "users.colour: unknown",
        ),
        (
            {"object_overrides": {"users": {"strategy": "always"}}},
            "object_overrides",
            "users.strategy: must be one of full_then_incremental, full_only",
        ),
    ],
)
def test_bad_config_names_the_field_and_saves_nothing(provider, fields, field, message):
    with pytest.raises(ValidationError) as error:
        sync_config_save(provider=provider, fields=fields)
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert not SyncConfig.objects.exists()


def test_new_config_syncs_every_object_and_overrides_apply(provider):
    config = sync_config_save(
        provider=provider,
        fields={"object_overrides": {"emails": {"period_ms": 120_000, "strategy": "full_only"}}},
    )
    assert config.common_objects == list(COMMON_OBJECTS)
    assert config.settings_for("emails").period_ms == 120_000
    assert config.settings_for("emails").strategy == "full_only"
    assert config.settings_for("users").period_ms == config.period_ms


def test_syncs_follow_the_config(provider, connection):
    sync_config_save(provider=provider, fields={"common_objects": ["users", "contacts"]})
    assert set(Sync.objects.values_list("object_name", flat=True)) == {"users", "contacts"}
    users = Sync.objects.get(object_name="users")

    sync_config_save(provider=provider, fields={"common_objects": ["users", "emails"]})

    assert set(Sync.objects.values_list("object_name", flat=True)) == {"users", "emails"}
    assert Sync.objects.get(object_name="users").pk == users.pk  # kept, not recreated


def test_a_new_connection_gets_syncs_paused_without_auto_start(provider, customer):
    sync_config_save(
        provider=provider,
        fields={"common_objects": ["users"], "auto_start_on_connection": False},
    )
    connection = ConnectionFactory(provider=provider, customer=customer)
    (sync,) = syncs_create_for_connection(connection=connection)
    assert (sync.object_name, sync.paused, sync.paused_reason) == (
        "users",
        True,
        MANUAL_START_REASON,
    )


def test_without_a_config_nothing_is_synced(connection):
    assert syncs_create_for_connection(connection=connection) == []
    assert not Sync.objects.exists()


def test_lost_connection_pauses_and_reconnecting_resumes(provider, connection):
    sync_config_save(provider=provider, fields={"common_objects": ["users", "contacts"]})
    assert syncs_pause_for_connection(connection=connection, reason="invalid_grant") == 2
    assert set(Sync.objects.values_list("paused", "paused_reason")) == {
        (True, "The connection lost its authorization: invalid_grant")
    }
    syncs_create_for_connection(connection=connection)
    assert set(Sync.objects.values_list("paused", "paused_reason")) == {(False, "")}


def test_deleting_a_config_removes_its_syncs(provider, connection):
    config = sync_config_save(provider=provider)
    assert Sync.objects.count() == 7
    sync_config_delete(config=config)
    assert not Sync.objects.exists() and not SyncConfig.objects.exists()
