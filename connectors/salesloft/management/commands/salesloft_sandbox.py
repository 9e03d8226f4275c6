"""`manage.py salesloft_sandbox`: run the local Salesloft v2 API (see docs/sandbox.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from connectors.salesloft.sandbox.cli import add_arguments, config_from_options, run


class Command(BaseCommand):
    help = "Serve a faithful local Salesloft v2 API with generated data (the sandbox)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        var_dir = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var"))
        run(config_from_options(options, var_dir / "sandbox"), say=self.stdout.write)
