"""Key rotation for the encrypted fields (`connectors.fields.EncryptedTextField`)."""

from __future__ import annotations

from django.db import connections, models, router

# A value rewritten by someone else between our read and our write is read again; after
# this many losses in a row the value is left as it is (it keeps changing, so it is being
# written, under the newest key, by whoever keeps writing it).
MAX_ATTEMPTS = 5
CHUNK = 500


def encrypted_fields_rotate() -> int:
    """Re-encrypt every encrypted value under the newest key; returns the rows rewritten.

    Each value is rewritten with a compare-and-swap on its old ciphertext
    (`UPDATE … SET col = new WHERE pk = ? AND col = old`), so a value written between our
    read and our write (a token refresh storing a rotated refresh token) is never replaced
    by the re-encryption of the value it replaced: the swap misses, and the new value is
    read and rotated instead. Ciphertexts are read and compared raw, never decrypted.
    """
    from django.apps import apps

    from connectors.fields import EncryptedTextField

    rewritten = 0
    for model in apps.get_models():
        columns = [f.column for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if columns:
            rewritten += _model_rotate(model, columns)
    return rewritten


def _model_rotate(model: type[models.Model], columns: list[str]) -> int:
    db = connections[router.db_for_write(model)]
    quote = db.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    select = ", ".join(quote(column) for column in columns)
    rewritten, last = 0, None
    while True:
        where, params = (f"WHERE {pk} > %s", [last]) if last is not None else ("", [])
        with db.cursor() as cursor:
            cursor.execute(
                # Names from the models' metadata, quoted; values are parameters.
                f"SELECT {pk}, {select} FROM {table} {where} ORDER BY {pk} LIMIT {CHUNK}",  # noqa: S608
                params,
            )
            rows = cursor.fetchall()
        for pk_value, *ciphertexts in rows:
            changed = False
            for column, ciphertext in zip(columns, ciphertexts, strict=True):
                changed |= _value_rotate(db, table, pk, quote(column), pk_value, ciphertext)
            rewritten += changed
        if len(rows) < CHUNK:
            return rewritten
        last = rows[-1][0]


def _value_rotate(db, table: str, pk: str, column: str, pk_value, ciphertext) -> bool:
    """Swap one stored ciphertext for its re-encryption; True when a value was rewritten."""
    from connectors.fields import rotate

    for _ in range(MAX_ATTEMPTS):
        if not ciphertext:
            return False
        with db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                [rotate(ciphertext), pk_value, ciphertext],
            )
            if cursor.rowcount == 1:
                return True
            # Rewritten (or deleted) since we read it: rotate what is there now.
            cursor.execute(f"SELECT {column} FROM {table} WHERE {pk} = %s", [pk_value])  # noqa: S608
            row = cursor.fetchone()
        if row is None:
            return False
        ciphertext = row[0]
    return False
