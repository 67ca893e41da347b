"""Call records as the domain sees them.

Vendor payloads die at the adapter boundary; from here on a call is a frozen
`CallRecord` with normalised type and result. Wolkvox spells the same value in
several ways (case, spaces, hyphens, underscores, dropped spaces), so
`normalise_token` folds them all onto one canonical spelling. A value that is
still unknown after folding is kept as it is: it is counted and shown, never
dropped and never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CallType(StrEnum):
    """The documented `type_interaction` values of calls_last_10."""

    CONFERENCE = "conference"
    INBOUND = "inbound"
    INTERNAL_CALL = "internal call"
    INTERNAL_CALL_INB = "internal call_inb"
    INTERNAL_CALL_QUE = "internal call_que"
    OUT_PRE = "out_pre"
    OUTBOUND_MA = "outbound_ma"
    TRANSFER = "transfer"


class CallResult(StrEnum):
    """The documented `result` values of calls_last_10."""

    ANSWER = "answer"
    ABANDON = "abandon"
    NO_ANSWER = "no answer"
    BUSY = "busy"
    FAILED = "failed"
    CONGESTION = "congestion"
    CHANUNAVAIL = "chanunavail"
    ANSWER_MACHINE = "answer machine"


OUTBOUND_TYPES: frozenset[str] = frozenset({CallType.OUT_PRE, CallType.OUTBOUND_MA})
"""Types that are outbound calls (the `outbound` alias in rules and commands)."""

NETWORK_FAILURE_RESULTS: frozenset[str] = frozenset(
    {CallResult.CHANUNAVAIL, CallResult.CONGESTION, CallResult.FAILED}
)
"""Results that say the network or trunk failed, not the customer."""

_SEPARATORS = re.compile(r"[\s\-_]+")


def _squash(value: str) -> str:
    return _SEPARATORS.sub("", value.strip().lower())


_TYPE_BY_SQUASHED: dict[str, str] = {_squash(t.value): t.value for t in CallType}
_RESULT_BY_SQUASHED: dict[str, str] = {_squash(r.value): r.value for r in CallResult}
_RESULT_BY_SQUASHED["answered"] = CallResult.ANSWER.value
_RESULT_BY_SQUASHED["abandoned"] = CallResult.ABANDON.value
_RESULT_BY_SQUASHED["noanswered"] = CallResult.NO_ANSWER.value
_RESULT_BY_SQUASHED["answeringmachine"] = CallResult.ANSWER_MACHINE.value


def _fold_unknown(value: str) -> str:
    return " ".join(value.strip().lower().split())


def normalise_type(value: str) -> str:
    """Map any spelling of a call type to its canonical value; unknown values are kept.

    Unknown values are lower-cased with inner whitespace collapsed so the same
    unknown value spelled twice counts once.
    """
    return _TYPE_BY_SQUASHED.get(_squash(value), _fold_unknown(value))


def normalise_result(value: str) -> str:
    """Map any spelling of a call result to its canonical value; unknown values are kept."""
    return _RESULT_BY_SQUASHED.get(_squash(value), _fold_unknown(value))


def expand_types(values: frozenset[str] | set[str] | list[str] | tuple[str, ...]) -> frozenset[str]:
    """Normalise type filters, expanding the `outbound` alias to its documented types."""
    out: set[str] = set()
    for value in values:
        if _squash(value) == "outbound":
            out |= OUTBOUND_TYPES
        else:
            out.add(normalise_type(value))
    return frozenset(out)


def expand_results(
    values: frozenset[str] | set[str] | list[str] | tuple[str, ...],
) -> frozenset[str]:
    """Normalise result filters, expanding the `network` alias to the network failures."""
    out: set[str] = set()
    for value in values:
        if _squash(value) in {"network", "networkfailure", "networkfailures"}:
            out |= NETWORK_FAILURE_RESULTS
        else:
            out.add(normalise_result(value))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call from calls_last_10, normalised.

    `at` is timezone-aware UTC. `call_type` and `result` are canonical values
    (a `CallType`/`CallResult` value when known, the folded vendor string
    otherwise). `telephone` and `customer_id` are personal data: they are kept
    for masking at render time and never logged.
    """

    conn_id: str
    at: datetime
    call_type: str
    result: str
    telephone: str = ""
    customer_id: str = ""

    @property
    def is_outbound(self) -> bool:
        return self.call_type in OUTBOUND_TYPES
