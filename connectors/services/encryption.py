"""Key rotation for the encrypted fields (`connectors.fields.EncryptedTextField`)."""

from __future__ import annotations

from django.db import transaction


def encrypted_fields_rotate() -> int:
    """Re-encrypt every encrypted value under the newest key; returns the rows rewritten."""
    from django.apps import apps

    from connectors.fields import EncryptedTextField

    rewritten = 0
    for model in apps.get_models():
        names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if not names:
            continue
        # Reading decrypts with whichever key made the value; writing encrypts with the first.
        for row in model.objects.values("pk", *names).iterator(chunk_size=500):
            pk = row.pop("pk")
            with transaction.atomic():
                model.objects.filter(pk=pk).update(**row)
            rewritten += 1
    return rewritten
