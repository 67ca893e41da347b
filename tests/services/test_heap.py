"""The collector pause is scoped: it ends with its block, errors and nesting included."""

from __future__ import annotations

import gc

import pytest

from bot.services.heap import collector_paused


def test_the_collector_waits_inside_the_block_and_runs_again_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner block does not end the outer pause"
    assert gc.isenabled()


def test_an_error_inside_does_not_leave_the_collector_off() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_switched_off_by_someone_else_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
