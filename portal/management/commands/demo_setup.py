from django.core.management.base import BaseCommand, CommandError

from connectors.exceptions import ConnectorError
from portal.demo import DEMO_CUSTOMER, demo_setup


class Command(BaseCommand):
    help = (
        "Prepare the demo: the admin user (admin / admin), an API key, the provider "
        "pointed at the sandbox, a customer with an API-key connection, a sync config for "
        "every object. Idempotent (a re-run prints a new API key and revokes the old one). "
        "The sandbox's address and credentials are those it prints when it starts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sandbox-url", required=True)
        parser.add_argument("--customer", default=DEMO_CUSTOMER)
        parser.add_argument("--api-key", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)

    def handle(self, *args, **options) -> None:
        try:
            result = demo_setup(
                sandbox_url=options["sandbox_url"],
                customer_id=options["customer"],
                api_key=options["api_key"],
                client_id=options["client_id"],
                client_secret=options["client_secret"],
            )
        except ConnectorError as exc:
            raise CommandError(
                f"Could not connect to the sandbox at {options['sandbox_url']}: {exc}"
            ) from exc
        self.stdout.write(f"Admin login: {result.username} / {result.password}")
        self.stdout.write(f"Customer: {result.connection.customer.customer_id}")
        self.stdout.write(f"Provider: salesloft at {result.provider.api_base_url}")
        self.stdout.write(f"API key: {result.api_key}")
