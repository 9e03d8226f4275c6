"""`manage.py salesloft_sandbox`: run the local Salesloft v2 API (see docs/sandbox.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from connectors.salesloft.sandbox import defaults
from connectors.salesloft.sandbox.config import DataShape, SandboxConfig
from connectors.salesloft.sandbox.server import SandboxServer, ensure_store


class Command(BaseCommand):
    help = "Serve a faithful local Salesloft v2 API with generated data (the sandbox)."

    def add_arguments(self, parser: CommandParser) -> None:
        arg = parser.add_argument
        arg("--host", default=defaults.DEFAULT_HOST)
        arg("--port", type=int, default=defaults.DEFAULT_PORT)
        arg("--seed", type=int, default=defaults.DEFAULT_SEED, help="same seed, same data")
        arg("--people", type=int, default=defaults.DEFAULT_PEOPLE)
        for name in ("accounts", "users", "cadences", "memberships", "emails"):
            arg(f"--{name}", type=int, default=None, help="default: a realistic share of --people")
        arg("--data-dir", type=Path, default=None, help="default: var/sandbox/ under the project")
        arg("--api-key", default=defaults.DEFAULT_API_KEY)
        arg("--client-id", default=defaults.DEFAULT_CLIENT_ID)
        arg("--client-secret", default=defaults.DEFAULT_CLIENT_SECRET)
        arg("--no-rate-limit", action="store_true", help="count and report cost, never answer 429")
        arg("--rate-limit-per-minute", type=int, default=defaults.DEFAULT_RATE_LIMIT_PER_MINUTE)
        arg("--token-lifetime", type=int, default=defaults.DEFAULT_TOKEN_LIFETIME, help="seconds")
        arg("--auto-approve", action="store_true", help="skip the OAuth consent page")
        arg("--bad-timestamp-status", type=int, choices=(500, 422), default=500)
        arg("--threads", type=int, default=defaults.DEFAULT_THREADS)

    def handle(self, *args: Any, **o: Any) -> None:
        data_dir = o["data_dir"] or Path(settings.BASE_DIR) / "var" / "sandbox"
        shape = DataShape(seed=o["seed"], people=o["people"], accounts=o["accounts"], users=o["users"],
                          cadences=o["cadences"], memberships=o["memberships"], emails=o["emails"])  # fmt: skip
        config = SandboxConfig(
            data_dir=data_dir, shape=shape, host=o["host"], port=o["port"], api_key=o["api_key"],
            client_id=o["client_id"], client_secret=o["client_secret"],
            rate_limit=not o["no_rate_limit"], rate_limit_per_minute=o["rate_limit_per_minute"],
            token_lifetime=o["token_lifetime"], auto_approve=o["auto_approve"],
            bad_timestamp_status=o["bad_timestamp_status"], threads=o["threads"],
        )  # fmt: skip
        self.stdout.write(f"Preparing data in {config.db_path} …")
        report = ensure_store(config)
        self.stdout.write(f"Generated {report['counts']} in {report['seconds']} s" if report else "Reusing existing data")
        server = SandboxServer(config)
        self.stdout.write(self.style.SUCCESS(f"Salesloft sandbox listening on {server.base_url}"))
        self.stdout.write(f"  API base:      {server.base_url}/v2")
        self.stdout.write(f"  API key:       {config.api_key}")
        self.stdout.write(f"  OAuth client:  id={config.client_id}")
        self.stdout.write(f"                 secret={config.client_secret}")
        self.stdout.write(f"  Authorize URL: {server.base_url}/oauth/authorize")
        self.stdout.write(f"  Token URL:     {server.base_url}/oauth/token")
        limit = "off (cost counted only)" if not config.rate_limit else f"{config.rate_limit_per_minute}/minute"
        self.stdout.write(f"  Rate limit:    {limit}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
