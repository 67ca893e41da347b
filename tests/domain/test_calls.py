from __future__ import annotations

import pytest

from bot.domain.calls import (
    NETWORK_FAILURE_RESULTS,
    OUTBOUND_TYPES,
    expand_results,
    expand_types,
    normalise_result,
    normalise_type,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("answer", "answer"),
        ("ANSWER", "answer"),
        ("No Answer", "no answer"),
        ("no-answer", "no answer"),
        ("no_answer", "no answer"),
        ("NOANSWER", "no answer"),
        ("answer_machine", "answer machine"),
        ("ChanUnavail", "chanunavail"),
        (" congestion ", "congestion"),
        ("Voicemail  Drop", "voicemail drop"),
    ],
)
def test_result_spellings_fold_to_one_value(raw: str, canonical: str) -> None:
    assert normalise_result(raw) == canonical


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("inbound", "inbound"),
        ("INBOUND", "inbound"),
        ("Internal Call", "internal call"),
        ("internal-call-que", "internal call_que"),
        ("INTERNAL_CALL_INB", "internal call_inb"),
        ("out-pre", "out_pre"),
        ("Outbound MA", "outbound_ma"),
        ("callback", "callback"),
    ],
)
def test_type_spellings_fold_to_one_value(raw: str, canonical: str) -> None:
    assert normalise_type(raw) == canonical


def test_aliases_expand_to_documented_values() -> None:
    assert expand_types(["outbound"]) == OUTBOUND_TYPES
    assert expand_types(["Inbound", "outbound"]) == OUTBOUND_TYPES | {"inbound"}
    assert expand_results(["network"]) == NETWORK_FAILURE_RESULTS
    assert expand_results(["ABANDON"]) == {"abandon"}
