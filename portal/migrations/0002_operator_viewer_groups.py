"""Two groups for the people who run Glue day to day (superusers keep every permission):

- Viewers: every `view_*` permission of Glue's apps and Django-Q's task tables: read only.
- Operators: what Viewers have, plus running syncs (pause, resume, sync now, full resync:
  `syncs.change_sync`) and handing out connect links (`connectors.add_magiclink`).

Idempotent (get-or-create, `add`), and reversible (the two groups are deleted; the
permissions are Django's default ones and stay).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("connectors", "syncs", "portal", "django_q")
OPERATOR_EXTRAS = (("syncs", "change_sync"), ("connectors", "add_magiclink"))
GROUPS = ("Viewers", "Operators")


def groups_create(apps, schema_editor):
    db = schema_editor.connection.alias
    # Django makes permissions in post_migrate, after every migration has run: on a fresh
    # database they do not exist yet. create_permissions makes the missing ones from the
    # models as of this migration (`apps`); the real app config only says the app has models.
    for label in APPS:
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=db, apps=apps)
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = Permission.objects.using(db)
    views = list(permissions.filter(content_type__app_label__in=APPS, codename__startswith="view_"))
    extras = [
        permissions.get(content_type__app_label=app, codename=codename)
        for app, codename in OPERATOR_EXTRAS
    ]
    viewers, _ = Group.objects.using(db).get_or_create(name="Viewers")
    viewers.permissions.add(*views)
    operators, _ = Group.objects.using(db).get_or_create(name="Operators")
    operators.permissions.add(*views, *extras)


def groups_delete(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("connectors", "0002_ratebudget_magiclink_oauthstate"),
        ("syncs", "0003_full_pass"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(groups_create, groups_delete)]
