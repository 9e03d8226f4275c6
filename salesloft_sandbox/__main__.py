"""`python -m salesloft_sandbox [flags]`: prepare the data, print how to connect, serve."""

from pathlib import Path

from .cli import build_parser, config_from_options, run

run(config_from_options(vars(build_parser().parse_args()), Path.cwd() / "var" / "sandbox"))
