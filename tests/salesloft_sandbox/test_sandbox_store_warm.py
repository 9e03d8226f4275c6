"""Warming the OS cache with the store file: a whole sequential pass, never an error."""

from pathlib import Path

from salesloft_sandbox.store import warm_file


def test_warm_file_reads_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    path.write_bytes(b"x" * 10_000 + b"y" * 123)
    assert warm_file(path, chunk=4096) == 10_123


def test_warm_file_of_a_missing_file_is_a_no_op(tmp_path: Path) -> None:
    assert warm_file(tmp_path / "absent.sqlite3") == 0
