"""The command line refuses what it would otherwise silently ignore."""

from __future__ import annotations

import pytest

from bot.cli import main


def test_run_with_a_port_but_not_http_mode_is_refused_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", "--port", "3001"])

    assert exited.value.code == 2
    assert "--port is the HTTP mode port and needs --http" in capsys.readouterr().err


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("run", "demo", "check-config", "simulate"):
        assert command in out
