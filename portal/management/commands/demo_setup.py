from django.core.management.base import BaseCommand

from portal.demo import demo_setup


class Command(BaseCommand):
    help = "Prepare a demo portal: the admin user (admin / admin). Idempotent."

    def handle(self, *args, **options):
        result = demo_setup()
        self.stdout.write(f"Admin login: {result.username} / {result.password}")
