from django.core.management.base import BaseCommand

from connectors.services import encrypted_fields_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first of FIELD_ENCRYPTION_KEYS, so older keys "
        "can then be removed from the list."
    )

    def handle(self, *args, **options):
        count = encrypted_fields_rotate()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} row(s) with the newest key."))
