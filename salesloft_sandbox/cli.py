"""Command-line interface: `python -m salesloft_sandbox [flags]` (no Django, no Glue)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import defaults
from .config import DataShape, SandboxConfig
from .server import SandboxServer, ensure_store
from .teams import teams_of

SHAPE_COUNTS = ("accounts", "users", "cadences", "memberships", "emails")


def _int_between(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high]; argparse names the flag on error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The parser of `python -m salesloft_sandbox`: every flag, each checked by argparse."""
    parser = argparse.ArgumentParser(
        prog="python -m salesloft_sandbox",
        description="Serve a faithful local Salesloft v2 API with generated data (the sandbox).",
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arg = parser.add_argument
    count, positive = _int_between(0), _int_between(1)
    arg("--host", default=defaults.DEFAULT_HOST)
    arg("--port", type=_int_between(0, 65535), default=defaults.DEFAULT_PORT,
        help="0 picks a free port")  # fmt: skip
    arg("--seed", type=int, default=defaults.DEFAULT_SEED, help="same seed, same data")
    arg("--people", type=count, default=defaults.DEFAULT_PEOPLE)
    for name in SHAPE_COUNTS:
        arg(f"--{name}", type=count, default=None, help="default: a realistic share of --people")
    arg("--data-dir", type=Path, default=None, help="default: ./var/sandbox/")
    arg("--api-key", default=defaults.DEFAULT_API_KEY)
    arg("--client-id", default=defaults.DEFAULT_CLIENT_ID)
    arg("--client-secret", default=defaults.DEFAULT_CLIENT_SECRET)
    arg("--no-rate-limit", action="store_true", help="count and report cost, never answer 429")
    arg("--rate-limit-per-minute", type=positive, default=defaults.DEFAULT_RATE_LIMIT_PER_MINUTE)
    arg("--token-lifetime", type=positive, default=defaults.DEFAULT_TOKEN_LIFETIME, help="seconds")
    arg("--auto-approve", action="store_true", help="skip the OAuth consent page")
    arg("--bad-timestamp-status", type=int, choices=(500, 422), default=500,
        help="answer to an unparseable timestamp filter (the real API gave 500)")  # fmt: skip
    arg("--threads", type=positive, default=defaults.DEFAULT_THREADS, help="waitress threads")
    arg("--teams", type=positive, default=defaults.DEFAULT_TEAMS,
        help="Salesloft teams to serve, each with its own users, data, key")  # fmt: skip
    arg("--webhook-retry-seconds", type=float, default=15.0,
        help="spacing of the 3 retries of a failed webhook delivery (Salesloft: 15)")  # fmt: skip
    arg("--webhook-timeout-seconds", type=float, default=10.0,
        help="a webhook delivery not answered in this time has failed")  # fmt: skip


def config_from_options(options: dict[str, Any], default_data_dir: Path) -> SandboxConfig:
    shape = DataShape(seed=options["seed"], people=options["people"],
                      **{name: options[name] for name in SHAPE_COUNTS})  # fmt: skip
    return SandboxConfig(
        data_dir=options["data_dir"] or default_data_dir, shape=shape, host=options["host"],
        port=options["port"], api_key=options["api_key"], client_id=options["client_id"],
        client_secret=options["client_secret"], rate_limit=not options["no_rate_limit"],
        rate_limit_per_minute=options["rate_limit_per_minute"],
        token_lifetime=options["token_lifetime"], auto_approve=options["auto_approve"],
        bad_timestamp_status=options["bad_timestamp_status"], threads=options["threads"],
        teams=options.get("teams", defaults.DEFAULT_TEAMS),
        webhook_retry_seconds=options.get("webhook_retry_seconds", 15.0),
        webhook_timeout_seconds=options.get("webhook_timeout_seconds", 10.0),
    )  # fmt: skip


def run(config: SandboxConfig, say: Callable[[str], None] = print) -> None:
    """Prepare the data, print how to connect, serve until interrupted."""
    say(f"Preparing data in {config.db_path} ...")
    for team in teams_of(config):
        report = ensure_store(config, team)
        prefix = f"Team {team.number}: " if config.teams > 1 else ""
        say(
            f"{prefix}Generated {report['counts']} in {report['seconds']} s"
            if report
            else f"{prefix}Reusing existing data"
        )
    server = SandboxServer(config)
    limit = (
        f"{config.rate_limit_per_minute} cost/minute"
        if config.rate_limit
        else "off (cost still counted)"
    )
    for line in (
        f"Salesloft sandbox listening on {server.base_url}",
        f"  API base:      {server.base_url}/v2",
        f"  API key:       {config.api_key}",
        f"  Client id:     {config.client_id}",
        f"  Client secret: {config.client_secret}",
        f"  Authorize URL: {server.base_url}/oauth/authorize",
        f"  Token URL:     {server.base_url}/oauth/token",
        *(
            f"  Team {team.number}:        id {team.team_id}, admin user {team.admin_user_id},"
            f" API key {team.api_key}"
            for team in teams_of(config)
            if config.teams > 1
        ),
        f"  Rate limit:    {limit} (per team)" if config.teams > 1 else f"  Rate limit:    {limit}",
    ):
        say(line)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("Stopped.")
