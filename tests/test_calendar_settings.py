"""Calendars in the configuration: several active ranges, holidays per operation
(a country through the `holidays` package, explicit dates and ranges), on_holidays,
and what check-config says about them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.config.report import render_report
from bot.settings import Settings, parse_settings, rules_for

ENV = {"WOLKVOX_TOKEN": "tok-5ecret-value-41"}
TODAY = date(2026, 12, 4)


def parse(operation_extra: str = "", rule_extra: str = "") -> Settings:
    text = f"""\
defaults: false
operations:
  - name: bogota
    server: "0004"
    token: ${{WOLKVOX_TOKEN}}
    licenses: 2
    channel: C0123456789
{operation_extra}
rules:
  - name: no-inbound
    kind: flatline
    match: {{type: [inbound]}}
    window: 15m
    below: 1
{rule_extra}
"""
    return parse_settings(text, source="test.yml", env=ENV)


def local_noon(day: date, settings: Settings) -> datetime:
    tz = settings.operation("bogota").timezone
    return datetime(day.year, day.month, day.day, 12, tzinfo=tz).astimezone(UTC)


def test_a_country_code_brings_its_public_holidays_with_observed_days() -> None:
    settings = parse("    holidays: CO")
    days = dict(settings.operation("bogota").holidays.days)
    assert days[date(2026, 12, 25)] == "Christmas Day"
    assert date(2026, 12, 8) in days  # Immaculate Conception
    assert date(2026, 1, 12) in days  # Epiphany, moved to Monday in Colombia


def test_a_subdivision_and_explicit_dates_and_ranges_add_up() -> None:
    settings = parse(
        "    holidays:\n      country: US\n      subdivision: CA\n"
        "      dates: [2026-12-24, '2026-12-28..2026-12-30']"
    )
    holidays = settings.operation("bogota").holidays
    assert {date(2026, 12, 24), date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30)} <= (
        holidays.dates
    )
    assert date(2026, 3, 31) in holidays.dates  # Cesar Chavez Day, California only
    assert holidays.source == "US-CA + 2 configured dates"


def test_a_rule_is_closed_on_its_operations_holidays_unless_on_holidays() -> None:
    settings = parse("    holidays: {dates: [2026-12-24]}", "    active: mon-fri 08:00-18:00")
    (_, rule) = rules_for(settings, "bogota")
    tz = settings.operation("bogota").timezone
    assert rule.active is not None
    assert not rule.active.contains(local_noon(date(2026, 12, 24), settings), tz)
    assert rule.active.contains(local_noon(date(2026, 12, 23), settings), tz)

    watching = parse(
        "    holidays: {dates: [2026-12-24]}",
        "    active: mon-fri 08:00-18:00\n    on_holidays: true",
    )
    (_, rule) = rules_for(watching, "bogota")
    assert rule.active is not None
    assert rule.active.contains(local_noon(date(2026, 12, 24), watching), tz)


def test_a_rule_without_active_is_still_closed_on_holidays() -> None:
    settings = parse("    holidays: {dates: [2026-12-24]}")
    (_, rule) = rules_for(settings, "bogota")
    tz = settings.operation("bogota").timezone
    assert rule.active is not None
    assert not rule.active.contains(local_noon(date(2026, 12, 24), settings), tz)
    assert rule.active.contains(local_noon(date(2026, 12, 26), settings), tz)


def test_active_takes_a_list_of_ranges() -> None:
    settings = parse(rule_extra="    active: ['mon-fri 07:00-19:00', 'sat 09:00-13:00']")
    (_, rule) = rules_for(settings, "bogota")
    assert rule.active is not None
    tz = settings.operation("bogota").timezone
    saturday_ten = datetime(2026, 12, 5, 10, tzinfo=tz)
    assert rule.active.contains(saturday_ten, tz)
    assert not rule.active.contains(saturday_ten + timedelta(hours=4), tz)


def test_new_rule_keys_reach_the_spec() -> None:
    settings = parse_settings(
        """\
defaults: false
operations:
  - {name: bogota, server: "0004", token: "${WOLKVOX_TOKEN}", licenses: 2, channel: C0123456789}
rules:
  - name: abandons
    kind: rate
    match: {result: [abandon]}
    among: {type: [inbound]}
    warning: 8%
    critical: 15%
    recover_critical: 12%
    resolve_when_quiet: 1h
""",
        source="test.yml",
        env=ENV,
    )
    (rule,) = settings.rules
    assert (rule.recover_critical, rule.resolve_when_quiet) == (0.12, timedelta(hours=1))
    assert rule.critical_recovery == 0.12


def test_check_config_prints_the_next_holidays_it_will_honour() -> None:
    settings = parse("    holidays:\n      country: CO\n      dates: [2026-12-24]")
    report = render_report(settings, today=TODAY)
    assert "Holidays (outside active hours unless a rule says on_holidays: true)" in report
    assert "bogota (CO + 1 configured date): next 5" in report
    lines = report.splitlines()
    start = lines.index("  bogota (CO + 1 configured date): next 5")
    assert lines[start + 1 : start + 4] == [
        "    2026-12-08 Tue  Immaculate Conception",
        "    2026-12-24 Thu  holiday (configured)",
        "    2026-12-25 Fri  Christmas Day",
    ]
    assert "always, except" not in report


def test_check_config_shows_several_ranges_and_on_holidays() -> None:
    settings = parse(
        rule_extra="    active: ['mon-fri 07:00-19:00', 'sat 09:00-13:00']\n    on_holidays: true"
    )
    report = render_report(settings, today=TODAY)
    assert "mon-fri 07:00-19:00 + sat 09:00-13:00, on holidays too" in report
