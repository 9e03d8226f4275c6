"""`python -m connectors.salesloft.sandbox [flags]`: the sandbox without Django."""

import argparse
from pathlib import Path

from .cli import add_arguments, config_from_options, run

parser = argparse.ArgumentParser(prog="python -m connectors.salesloft.sandbox", description=__doc__)
add_arguments(parser)
run(config_from_options(vars(parser.parse_args()), Path.cwd() / "var" / "sandbox"))
