# OAuth states now belong to connect sessions. Pending states are short-lived (minutes), so
# the old table is dropped rather than migrated: a flow in progress during the upgrade is
# simply started again.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("connectors", "0002_ratebudget_magiclink_oauthstate"),
    ]

    operations = [
        migrations.DeleteModel(name="OAuthState"),
        migrations.AddField(
            model_name="connection",
            name="remote_user_id",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.CreateModel(
            name="ConnectSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("return_url", models.URLField(max_length=2000)),
                ("scopes", models.CharField(blank=True, max_length=1000)),
                ("replace", models.BooleanField(default=False)),
                ("origin", models.CharField(blank=True, help_text="Who issued it.", max_length=200)),
                ("browser_hash", models.CharField(blank=True, editable=False, max_length=64)),
                ("expires_at", models.DateTimeField()),
                ("opened_at", models.DateTimeField(blank=True, null=True)),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="connect_sessions", to="connectors.customer")),
                ("magic_link", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="connectors.magiclink")),
                ("provider", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="connectors.provider")),
            ],
            options={"ordering": ["-created_at"]},
        ),
        migrations.CreateModel(
            name="OAuthState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("nonce", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("session", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="states", to="connectors.connectsession")),
            ],
        ),
    ]
