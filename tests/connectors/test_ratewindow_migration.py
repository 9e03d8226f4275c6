"""The RateBudget → RateWindow rename keeps the rows (a table rename) and what groups and
users were allowed: the permissions are renamed with the model."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection as db_connection

from connectors.models import RateWindow

pytestmark = pytest.mark.django_db
rename = importlib.import_module("connectors.migrations.0006_ratewindow")
forward = rename.permissions_rename("ratebudget", "ratewindow", "rate window")


class _Editor:
    connection = db_connection


def stale_view_permission() -> Permission:
    """`view_ratebudget` as an upgraded database has it: on the renamed content type."""
    return Permission.objects.create(
        content_type=ContentType.objects.get_for_model(RateWindow),
        codename="view_ratebudget",
        name="Can view rate budget",
    )


def test_the_table_is_renamed_not_recreated():
    assert RateWindow._meta.db_table == "connectors_ratewindow"
    operations = rename.Migration.operations
    assert (operations[0].old_name, operations[0].new_name) == ("RateBudget", "RateWindow")


def test_a_groups_permission_is_renamed_when_the_new_one_does_not_exist_yet():
    # Upgrading, post_migrate has not made the new permissions yet.
    Permission.objects.filter(codename__endswith="_ratewindow").delete()
    stale = stale_view_permission()
    viewers = Group.objects.create(name="Rate viewers")
    viewers.permissions.add(stale)

    forward(global_apps, _Editor())

    stale.refresh_from_db()
    assert (stale.codename, stale.name) == ("view_ratewindow", "Can view rate window")
    assert list(viewers.permissions.values_list("codename", flat=True)) == ["view_ratewindow"]


def test_holders_move_to_a_new_permission_that_exists_already():
    stale = stale_view_permission()
    viewers = Group.objects.create(name="Rate viewers")
    viewers.permissions.add(stale)
    user = User.objects.create_user(username="ops", password="-", is_staff=True)
    user.user_permissions.add(stale)

    forward(global_apps, _Editor())

    assert not Permission.objects.filter(codename="view_ratebudget").exists()
    assert list(viewers.permissions.values_list("codename", flat=True)) == ["view_ratewindow"]
    assert User.objects.get(pk=user.pk).has_perm("connectors.view_ratewindow")
