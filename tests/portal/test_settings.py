"""Production-like settings pass Django's deployment checklist."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_values(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PUBLIC_URL": "https://glue.example.com",
        "GLUE_VAR_DIR": str(tmp_path),
        "FIELD_ENCRYPTION_KEYS": "3q2n1UvC6Cfw2b_QjzQeyP0YB4vC8HnWkH0gm8ZQEX0=",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Set Django up in a fresh process with only `env` among the key variables."""
    keys = ("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in keys}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "GLUE_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
    )


FERNET_KEY = "3q2n1UvC6Cfw2b_QjzQeyP0YB4vC8HnWkH0gm8ZQEX0="


def test_without_debug_glue_refuses_to_start_without_its_keys(tmp_path):
    result = _start(tmp_path)
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured: Set SECRET_KEY and FIELD_ENCRYPTION_KEYS" in result.stderr
    assert list(tmp_path.glob("*key*")) == []  # no generated key left next to the database

    result = _start(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    assert "ImproperlyConfigured: Set FIELD_ENCRYPTION_KEYS in the environment" in result.stderr

    result = _start(tmp_path, FIELD_ENCRYPTION_KEYS=FERNET_KEY)
    assert "ImproperlyConfigured: Set SECRET_KEY in the environment" in result.stderr


def test_with_its_keys_or_debug_glue_starts(tmp_path):
    result = _start(
        tmp_path, SECRET_KEY=secrets.token_urlsafe(50), FIELD_ENCRYPTION_KEYS=FERNET_KEY
    )
    assert result.stdout.strip() == "started", result.stderr
    assert list(tmp_path.glob("*key*")) == []

    result = _start(tmp_path, DEBUG="true")  # development: keys generated under var/
    assert result.stdout.strip() == "started", result.stderr
    assert {p.name for p in tmp_path.glob("*key*")} == {"secret_key", "field_encryption_key"}


def test_no_provider_can_authenticate_a_django_user():
    """Connect flows run their backend's pipeline themselves (connectors.oauth): the only
    authentication backend is Django's own, and each installed provider gets an OAuth
    backend built from its spec."""
    from django.conf import settings

    from connectors.oauth import oauth_backend
    from connectors.registry import PROVIDERS

    assert settings.AUTHENTICATION_BACKENDS == ["django.contrib.auth.backends.ModelBackend"]
    assert {oauth_backend(name).name for name in PROVIDERS} == set(PROVIDERS)
