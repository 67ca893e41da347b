"""Without a PostgreSQL server the PostgreSQL tests skip and say why, except under CI,
where they fail: a CI run cannot pass without having tested the PostgreSQL store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
def test_needs_postgres(pg_url):
    assert pg_url
"""


def run_probe(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    test = tmp_path / "test_probe.py"
    test.write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["CALLBOT_TEST_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{port}/test"
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.postgres_server",
            "--rootdir",
            str(tmp_path),
            str(test),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("ci", [False, True], ids=["developer", "ci"])
def test_a_missing_server_skips_outside_ci_and_fails_under_ci(tmp_path: Path, ci: bool) -> None:
    result = run_probe(tmp_path, ci=ci)
    output = result.stdout + result.stderr
    assert "PostgreSQL is not reachable at postgresql://postgres@127.0.0.1:" in output
    if ci:
        assert result.returncode == 1, output
        assert "CI needs PostgreSQL" in output
    else:
        assert result.returncode == 0, output
        assert "1 skipped" in output
