"""An operation's `holidays:` -> the dated `Holidays` its rules treat as closed.

Public holidays come from the `holidays` package (well kept, with the observed-day
rules of each country, such as Colombia's Monday moves), so nobody types a
country's calendar by hand. They are resolved here, once, for last year to two
years ahead, so the domain only ever sees dates.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays as public_holidays

from bot.config.errors import ProblemList
from bot.config.fields import did_you_mean
from bot.config.schema import HolidaysModel
from bot.domain.calendar import Holidays

YEARS_BEFORE = 1
YEARS_AFTER = 2
CONFIGURED = "holiday (configured)"
_DAY = timedelta(days=1)
_EXAMPLES = "CO, MX, PE, EC, CL, AR or US"


def _country(
    model: HolidaysModel, where: str, problems: ProblemList
) -> tuple[str, str | None] | None:
    """(country, subdivision) as the package spells them, or None after a problem."""
    assert model.country is not None
    country, _, subdivision = model.country.strip().upper().partition("-")
    sub = model.subdivision.strip() if model.subdivision else (subdivision or None)
    supported = public_holidays.list_supported_countries()
    if country not in supported:
        hint = did_you_mean(country, sorted(supported))
        problems.add(
            where,
            "holidays.country",
            f"{model.country!r} is not a country the holidays package knows: use an ISO "
            f"code like {_EXAMPLES}{hint}",
        )
        return None
    if sub is None:
        return country, None
    known = list(supported[country])
    match = next((k for k in known if k.upper() == sub.upper()), None)
    if match is None:
        listed = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
        problems.add(
            where,
            "holidays.subdivision",
            f"{sub!r} is not a subdivision of {country}"
            + (f"; known: {listed}" if known else f"; {country} has none in the package"),
        )
        return None
    return country, match


def build_holidays(
    model: HolidaysModel | None, *, where: str, problems: ProblemList, today: date
) -> Holidays:
    """Resolve a country's public holidays and the explicit dates into one `Holidays`."""
    if model is None:
        return Holidays()
    days: dict[date, str] = {}
    parts: list[str] = []
    if model.country is not None:
        found = _country(model, where, problems)
        if found is not None:
            country, subdivision = found
            years = range(today.year - YEARS_BEFORE, today.year + YEARS_AFTER + 1)
            calendar = public_holidays.country_holidays(country, subdiv=subdivision, years=years)
            days.update((day, str(name)) for day, name in calendar.items())
            parts.append(country + (f"-{subdivision}" if subdivision else ""))
    elif model.subdivision is not None:
        problems.add(where, "holidays.subdivision", "needs a country, like country: US")
    for start, end in model.dates or []:
        day = start
        while day <= end:
            days.setdefault(day, CONFIGURED)
            day += _DAY
    if model.dates:
        parts.append(f"{len(model.dates)} configured date{'s' if len(model.dates) != 1 else ''}")
    if model.country is None and not model.dates and model.subdivision is None:
        problems.add(where, "holidays", f"is empty: write a country code ({_EXAMPLES}) or dates")
    return Holidays(days=tuple(sorted(days.items())), source=" + ".join(parts))
