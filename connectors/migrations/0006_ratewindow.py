from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def permissions_rename(old: str, new: str, new_label: str):
    """Rename the model's permissions with it, so groups and users keep what they had.

    Django renames the content type (right after RenameModel) but not the permissions'
    codenames: without this, `view_ratebudget` would stay, unused, and post_migrate would add a
    `view_ratewindow` no group holds. A target that exists already takes over the holders."""

    def rename(apps, schema_editor):
        db = schema_editor.connection.alias
        Permission = apps.get_model("auth", "Permission")
        Group = apps.get_model("auth", "Group")
        User = apps.get_model("auth", "User")
        permissions = Permission.objects.using(db).filter(content_type__app_label="connectors")
        for action in ACTIONS:
            stale = permissions.filter(codename=f"{action}_{old}").first()
            if stale is None:
                continue
            target = permissions.filter(
                content_type=stale.content_type, codename=f"{action}_{new}"
            ).first()
            if target is None:
                stale.codename, stale.name = f"{action}_{new}", f"Can {action} {new_label}"
                stale.save(update_fields=["codename", "name"])
                continue
            for group in Group.objects.using(db).filter(permissions=stale):
                group.permissions.add(target)
            for user in User.objects.using(db).filter(user_permissions=stale):
                user.user_permissions.add(target)
            stale.delete()

    return rename


class Migration(migrations.Migration):
    """The budget's row is one account's window: renamed so that `RateBudget` names only the
    budget (connectors.ratelimit). The table is renamed, its rows kept; the permissions
    follow."""

    dependencies = [
        ("connectors", "0005_provider_name_from_registry"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel(old_name="RateBudget", new_name="RateWindow"),
        migrations.RunPython(
            permissions_rename("ratebudget", "ratewindow", "rate window"),
            permissions_rename("ratewindow", "ratebudget", "rate budget"),
        ),
    ]
