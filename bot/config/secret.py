"""A wrapper that keeps secrets out of reprs, logs and error messages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Secret:
    """A token or signing secret. `repr`/`str` show `***`; `reveal()` gives the value.

    Settings objects are printed in logs and tracebacks; wrapping the value means
    a careless `print(settings)` cannot leak it.
    """

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "***"

    def __str__(self) -> str:
        return "***"
