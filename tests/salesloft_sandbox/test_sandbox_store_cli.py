"""Store reuse/regeneration and the command line (`python -m salesloft_sandbox`)."""

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from salesloft_sandbox import defaults
from salesloft_sandbox.cli import build_parser, config_from_options
from salesloft_sandbox.config import DataShape, SandboxConfig
from salesloft_sandbox.server import ensure_store

ROOT = Path(__file__).resolve().parents[2]


def test_store_is_reused_for_the_same_shape_and_regenerated_otherwise(tmp_path):
    config = SandboxConfig(data_dir=tmp_path, shape=DataShape(seed=1, people=100))
    assert ensure_store(config)["counts"]["people"] == 100
    assert ensure_store(config) is None
    bigger = SandboxConfig(data_dir=tmp_path, shape=DataShape(seed=1, people=120))
    assert ensure_store(bigger)["counts"]["people"] == 120


def test_default_credentials_look_real():
    assert defaults.DEFAULT_API_KEY.startswith("ak") and len(defaults.DEFAULT_API_KEY) == 66
    int(defaults.DEFAULT_API_KEY[2:], 16)


def test_command_line_serves_and_prints_credentials(tmp_path):
    command = [
        sys.executable,
        "-m",
        "salesloft_sandbox",
        "--port",
        "0",
        "--people",
        "60",
        "--data-dir",
        str(tmp_path),
        "--api-key",
        "ak" + "1" * 64,
        "--auto-approve",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or not lines[-1].lstrip().startswith("Rate limit"):
            lines.append(process.stdout.readline())
        output = "".join(lines)
        base_url = next(line.split()[-1] for line in lines if "listening on" in line)
        assert (
            "ak" + "1" * 64 in output
            and defaults.DEFAULT_CLIENT_ID in output
            and defaults.DEFAULT_CLIENT_SECRET in output
        )
        response = requests.get(
            f"{base_url}/v2/people", headers={"Authorization": "Bearer ak" + "1" * 64}
        )
        assert response.status_code == 200 and len(response.json()["data"]) == 25
    finally:
        process.terminate()
        process.wait(10)


def test_command_line_parses_every_flag():
    options = vars(
        build_parser().parse_args(
            [
                "--port",
                "9000",
                "--host",
                "0.0.0.0",
                "--seed",
                "4",
                "--people",
                "10",
                "--accounts",
                "2",
                "--users",
                "3",
                "--cadences",
                "4",
                "--data-dir",
                "/tmp/x",
                "--api-key",
                "k",
                "--client-id",
                "i",
                "--client-secret",
                "s",
                "--no-rate-limit",
                "--rate-limit-per-minute",
                "100",
                "--token-lifetime",
                "60",
                "--auto-approve",
            ]
        )
    )
    config = config_from_options(options, Path("/unused"))
    assert (config.port, config.host, config.api_key, config.client_id, config.client_secret) == (
        9000,
        "0.0.0.0",
        "k",
        "i",
        "s",
    )
    assert config.shape == DataShape(seed=4, people=10, accounts=2, users=3, cadences=4)
    assert (
        config.rate_limit,
        config.rate_limit_per_minute,
        config.token_lifetime,
        config.auto_approve,
    ) == (False, 100, 60, True)
    assert config.data_dir == Path("/tmp/x")


def test_parallel_generation_writes_exactly_what_serial_generation_writes(tmp_path, monkeypatch):
    import sqlite3

    from salesloft_sandbox import generate as gen

    monkeypatch.setattr(gen, "CHUNK_ACCOUNTS", 40)  # several chunks from a small store
    shape = DataShape(seed=9, people=2000)
    dumps = []
    for name, threshold in (("serial", 10**9), ("parallel", 0)):
        monkeypatch.setattr(gen, "PARALLEL_FROM_PEOPLE", threshold)
        gen.generate(tmp_path / f"{name}.sqlite3", shape)
        with sqlite3.connect(tmp_path / f"{name}.sqlite3") as conn:
            tables = ("people", "accounts", "cadence_memberships", "activities_emails")
            dumps.append(
                [conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in tables]
            )
    assert dumps[0] == dumps[1]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--port", "99999"], "--port"),  # was bound as port 99999 % 65536, silently
        (["--port", "-1"], "--port"),
        (["--people", "-5"], "--people"),
        (["--accounts", "-1"], "--accounts"),
        (["--rate-limit-per-minute", "0"], "--rate-limit-per-minute"),
        (["--token-lifetime", "0"], "--token-lifetime"),
        (["--threads", "0"], "--threads"),
    ],
)
def test_out_of_range_flags_are_refused_naming_the_flag(args, named, capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(args)
    assert exited.value.code == 2
    assert f"argument {named}:" in capsys.readouterr().err
