"""Secrets are encrypted at rest and keys can be rotated."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from connectors.models import Connection, Provider
from tests.factories import ConnectionFactory, ProviderFactory

SECRET = "client-secret-9f8e7d6c5b4a"
TOKEN = "access-token-1a2b3c4d5e6f"
REFRESH = "refresh-token-6f5e4d3c2b1a"


def all_stored_text() -> str:
    """Every row of the credential tables as the database stores them."""
    with db.cursor() as cursor:
        rows = []
        for table in ("connectors_provider", "connectors_connection"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            rows.extend(cursor.fetchall())
    return repr(rows)


@pytest.mark.django_db(transaction=True)
def test_plaintext_secrets_appear_nowhere_in_the_database(tmp_path):
    provider = ProviderFactory(client_secret=SECRET)
    ConnectionFactory(provider=provider, access_token=TOKEN, refresh_token=REFRESH)

    stored = all_stored_text()
    for plaintext in (SECRET, TOKEN, REFRESH):
        assert plaintext not in stored
    assert "gAAAA" in stored  # Fernet tokens are what is stored instead

    if db.vendor == "sqlite":
        # The database file itself, pages and all (the test database lives in memory).
        dump = tmp_path / "copy.sqlite3"
        with db.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(dump)])
        raw = dump.read_bytes()
        assert b"client-secret" not in raw and b"access-token" not in raw
        assert b"refresh-token" not in raw

    # And the application still reads the plaintext back.
    assert Provider.objects.get().client_secret == SECRET
    connection = Connection.objects.get()
    assert (connection.access_token, connection.refresh_token) == (TOKEN, REFRESH)


@pytest.mark.django_db
def test_rotating_keys_re_encrypts_and_keeps_old_values_readable(settings):
    ProviderFactory(client_secret=SECRET)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Provider.objects.get().client_secret == SECRET  # still readable with the old key
    call_command("rotate_encryption_keys", verbosity=0)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    assert Provider.objects.get().client_secret == SECRET


@pytest.mark.django_db
def test_an_unknown_key_is_a_clear_configuration_error(settings):
    ProviderFactory(client_secret=SECRET)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(Exception, match="cannot be decrypted"):
        Provider.objects.get()


@pytest.mark.django_db
def test_a_refresh_between_the_rotations_read_and_write_is_never_undone(settings, monkeypatch):
    """A token refresh stores new tokens while the rotation holds the old ciphertext: the
    rotation must not write the re-encrypted old token back over the new one."""
    from connectors import fields

    connection = ConnectionFactory(access_token=TOKEN, refresh_token=REFRESH)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    real_fernet = fields.fernet
    refreshed = []

    class RefreshMidway:
        """The real MultiFernet; the first time the rotation touches the old refresh token
        (decrypting or rotating it), a refresh lands and stores rotated tokens."""

        def __init__(self, inner):
            self.inner = inner

        def _refresh_once(self, token: bytes) -> None:
            if not refreshed and self.inner.decrypt(token) == REFRESH.encode():
                refreshed.append(True)
                Connection.objects.filter(pk=connection.pk).update(
                    access_token="access-after-refresh", refresh_token="refresh-after-refresh"
                )

        def decrypt(self, token, *args):
            self._refresh_once(token)
            return self.inner.decrypt(token, *args)

        def rotate(self, token):
            self._refresh_once(token)
            return self.inner.rotate(token)

        def encrypt(self, data):
            return self.inner.encrypt(data)

    monkeypatch.setattr(fields, "fernet", lambda: RefreshMidway(real_fernet()))
    call_command("rotate_encryption_keys", verbosity=0)
    monkeypatch.undo()

    assert refreshed == [True]
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # everything was rotated, the new tokens too
    connection.refresh_from_db()
    assert (connection.access_token, connection.refresh_token) == (
        "access-after-refresh",
        "refresh-after-refresh",
    )
