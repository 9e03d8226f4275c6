"""One provider-setup service (`syncs.services.provider_setup`) behind the admin's provider
form and `POST /mgmt/v2/providers`: a new provider gets the default sync config either way."""

from __future__ import annotations

import pytest

from connectors.base import COMMON_OBJECTS
from connectors.models import Connection, Provider
from syncs.models import Sync, SyncConfig
from syncs.services import sync_config_save
from tests.portal.api.test_mgmt import _provider_body
from tests.portal.test_admin_provider import ADD_URL, provider_form

pytestmark = pytest.mark.django_db


def _create_in_admin(admin_client, api) -> None:
    response = admin_client.post(ADD_URL, provider_form())
    assert response.status_code == 302, response.content


def _create_through_the_api(admin_client, api) -> None:
    response = api.post("/mgmt/v2/providers", _provider_body())
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("create", [_create_in_admin, _create_through_the_api])
def test_a_new_provider_gets_the_default_sync_config_whichever_path(admin_client, api, create):
    Connection.objects.all().delete()
    Provider.objects.all().delete()
    create(admin_client, api)
    config = SyncConfig.objects.get(provider=Provider.objects.get())
    assert config.common_objects == list(COMMON_OBJECTS)
    assert config.period_ms == SyncConfig._meta.get_field("period_ms").default


def test_updating_a_provider_keeps_its_own_sync_config(api, conn_a):
    sync_config_save(provider=conn_a.provider, fields={"common_objects": ["contacts"]})
    response = api.put("/mgmt/v2/providers/salesloft", _provider_body())
    assert response.status_code == 200, response.json()
    assert SyncConfig.objects.get().common_objects == ["contacts"]
    assert list(Sync.objects.values_list("object_name", flat=True)) == ["contacts"]


def test_a_refused_provider_leaves_no_sync_config(api):
    Connection.objects.all().delete()
    Provider.objects.all().delete()
    response = api.post("/mgmt/v2/providers", _provider_body(token_url="not a url"))
    assert response.status_code == 400
    assert not Provider.objects.exists() and not SyncConfig.objects.exists()
