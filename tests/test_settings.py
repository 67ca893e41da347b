"""Configuration: the shipped example loads, every rejected file says where and why."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config.reference import RULE_KEYS
from bot.config.rules_conv import APPLIES_TO
from bot.config.schema import RuleModel, keys_of
from bot.domain.calls import NETWORK_FAILURE_RESULTS, OUTBOUND_TYPES
from bot.domain.specs import WOLKVOX_UNAVAILABLE, CallFilter, Measure, RuleKind, Severity
from bot.settings import (
    ConfigError,
    Language,
    Secret,
    Settings,
    check_config_command,
    load_settings,
    parse_settings,
    render_rules_reference,
    render_settings_reference,
    rules_for,
)
from tests.support.config import bad_fixtures, refusal

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "bot" / "defaults" / "callbot.yml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "config"
TOKEN = "tok-5ecret-value-41"
ENV = {"WOLKVOX_TOKEN": TOKEN}

OPERATION = """\
operations:
  - name: bogota
    server: "0004"
    token: ${WOLKVOX_TOKEN}
    licenses: 2
    channel: C0123456789
"""


def parse(text: str, env: dict[str, str] | None = None) -> Settings:
    return parse_settings(text, source="test.yml", env=ENV if env is None else env)


def problems_of(text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(text, env)
    return str(caught.value)


def test_the_shipped_example_loads_with_its_token_from_the_environment() -> None:
    settings = load_settings(EXAMPLE, env=ENV)

    (bogota,) = settings.operations
    assert (bogota.name, bogota.server, bogota.licenses) == ("bogota", "0004", 10)
    assert bogota.token.reveal() == TOKEN
    assert bogota.poll_every == timedelta(minutes=5)
    assert bogota.timezone.key == "America/Bogota"
    assert bogota.api_base_url == "https://wv0004.wolkvox.com"
    assert settings.language is Language.EN and settings.mask_personal_data
    assert settings.source == EXAMPLE
    assert [rule.name for rule in settings.rules] == [
        "abandon-rate",
        "network-failures",
        "network-failures-spike",
        "inbound-flatline",
        "service-level",  # shipped opt-in: it watches no operation until one opts in
        "chanunavail-burst",
    ]


def test_the_shipped_rules_are_the_documented_ones() -> None:
    rules = {rule.name: rule for rule in parse(OPERATION).rules}

    abandon = rules["abandon-rate"]
    assert abandon.kind is RuleKind.RATE
    assert abandon.match == CallFilter(results=frozenset({"abandon"}))
    assert abandon.among == CallFilter(types=frozenset({"inbound"}))
    assert (abandon.min_calls, abandon.warning, abandon.critical, abandon.recover) == (
        20,
        0.08,
        0.15,
        0.06,
    )
    assert (abandon.for_, abandon.repeat, abandon.confidence) == (2, timedelta(minutes=30), 0.99)

    failures = rules["network-failures"]
    assert failures.match.results == NETWORK_FAILURE_RESULTS
    assert failures.among.types == OUTBOUND_TYPES
    assert (failures.warning, failures.critical, failures.recover, failures.for_) == (
        0.15,
        0.30,
        0.10,
        1,
    )
    assert (failures.min_calls, failures.confidence) == (30, 0.95)

    spike = rules["network-failures-spike"]
    assert (spike.kind, spike.measure, spike.factor, spike.min_calls) == (
        RuleKind.SPIKE,
        Measure.COUNT,
        4,
        10,
    )
    assert spike.baseline == timedelta(hours=1)
    assert spike.match.results == NETWORK_FAILURE_RESULTS

    flatline = rules["inbound-flatline"]
    assert (flatline.kind, flatline.below, flatline.for_, flatline.severity) == (
        RuleKind.FLATLINE,
        1,
        1,
        Severity.CRITICAL,
    )
    assert flatline.window == timedelta(minutes=10)
    assert flatline.active is not None and flatline.active.text == "mon-fri 08:00-18:00"


# fixture -> substrings its error must contain, besides the file's name.
REJECTED = {
    "bad_active_hours": ["rule 'abandons'", "active", "not a schedule"],
    "bad_admins": ["slack", "admins[0]", "'bob' is not a Slack user id"],
    "bad_base_url": ["operation 'bogota'", "base_url", "http(s) URL"],
    "bad_baseline_beyond_history": ["rule 'failures-spike'", "baseline", "8d of history"],
    "bad_budget_exceeded": [
        "operation 'bogota'",
        "poll_every",
        "polling every 1m costs 1,440 calls a day, but 1 licence x 1,000 calls leaves 800 "
        "after the 20% reserve; poll every 2m or more",
    ],
    "bad_budget_shared_token": [
        "operation 'medellin'",
        "poll_every",
        "operations bogota and medellin share one token (same server and token), so their "
        "polling adds up: bogota every 2m = 720 + medellin every 2m = 720 = 1,440 calls a day, "
        "but 1 licence x 1,000 calls leaves 800 after the 20% reserve; poll each every 4m or "
        "more, give each operation a token of its own, add licences",
    ],
    "bad_channel": ["operation 'bogota'", "channel", "not a Slack channel id"],
    "bad_confidence": ["rule 'abandons'", "confidence", "0.999"],
    "bad_critical_below_warning": ["rule 'abandons'", "critical", "below warning 0.2"],
    "bad_duplicate_operation_name": ["operation 'bogota'", "name", "#1 and #2", "unique"],
    "bad_duplicate_rule_name": ["rule 'abandons'", "name", "#1 and #2", "unique"],
    "bad_duplicate_yaml_key": ["line 13", "warning", "twice"],
    "bad_duration": ["operation 'bogota'", "poll_every", "'5x' is not a duration"],
    "bad_empty": ["file", "is empty"],
    "bad_flatline_without_below": ["rule 'no-inbound'", "below", "needs below"],
    "bad_for": ["rule 'abandons'", "for:", "greater than or equal to 1"],
    "bad_key_not_for_kind": ["rule 'abandons'", "confidence", "does not apply to a count rule"],
    "bad_language": ["top level", "language", "'en' or 'es'"],
    "bad_match_value": ["rule 'abandons'", "match.result[0]", "did you mean 'abandon'"],
    "bad_mention": ["rule 'abandons'", "mention", "not a Slack mention"],
    "bad_missing_env_var": [
        "operation 'bogota'",
        "token",
        "environment variable WOLKVOX_TOKEN_BOGOTA is not set",
    ],
    "bad_missing_threshold": ["rule 'abandons'", "warning", "needs a threshold"],
    "bad_missing_token": ["operation 'bogota'", "token", "required"],
    "bad_misspelt_key": ["rule 'abandons'", "warnign", "did you mean 'warning'"],
    "bad_no_operations": ["top level", "operations", "at least one operation"],
    "bad_not_yaml": ["file", "not valid YAML", "line 4"],
    "bad_poll_too_slow": ["operation 'bogota'", "poll_every", "shorter than 10m"],
    "bad_rate_threshold_over_1": ["rule 'abandons'", "warning", "8 is not a rate"],
    "bad_recover_above_warning": ["rule 'abandons'", "recover", "above warning 0.08"],
    "bad_reserved_rule_name": ["rule 'wolkvox-unavailable'", "name", "built-in"],
    "bad_rule_name": ["rule 'Abandon Rate'", "name", "lower-case"],
    "bad_same_ports": ["http", "metrics_port", "same as port"],
    "bad_server_code": ["operation 'bogota'", "server", "4-digit server code"],
    "bad_spike_without_baseline": ["rule 'failures-spike'", "baseline", "needs a baseline"],
    "bad_swapped_slack_tokens": ["slack", "bot_token", "xoxb-", "swapped"],
    "bad_timezone": ["operation 'bogota'", "timezone", "did you mean 'America/Bogota'"],
    "bad_top_level_list": ["file", "mapping", "not a list"],
    "bad_unknown_key": ["rule 'abandons'", "treshold", "unknown key", "warning and/or critical"],
    "bad_unknown_kind": [
        "rule 'abandons'",
        "kind",
        "'count', 'rate', 'spike', 'flatline', 'budget', 'expected' or 'queue'",
    ],
    "bad_unknown_operation_in_rule": [
        "rule 'abandons'",
        "operations[1]",
        "no operation is named 'medelin'",
    ],
    "bad_token_with_space": ["operation 'bogota'", "token", "contains a space"],
    "bad_storm_threshold": ["top level", "storm_threshold", "greater than or equal to 0"],
    "bad_storm_window": ["top level", "storm_window", "longer than 1h"],
    "bad_unknown_top_level_key": ["top level", "languaje", "did you mean 'language'"],
    "bad_window": ["rule 'abandons'", "window", "whole minutes"],
    # issue 12 (alert semantics): severity hysteresis, quiet, calendars
    "bad_recover_critical_above_critical": [
        "rule 'abandons'",
        "recover_critical",
        "above critical 0.15",
    ],
    "bad_recover_critical_without_warning": [
        "rule 'abandons'",
        "recover_critical",
        "needs both warning and critical",
    ],
    "bad_active_list": ["rule 'abandons'", "active", "'sat 9-13' is not a schedule"],
    "bad_holidays_country": ["operation 'bogota'", "holidays.country", "'XX' is not a country"],
    "bad_holidays_subdivision": [
        "operation 'bogota'",
        "holidays.subdivision",
        "not a subdivision of US",
    ],
    "bad_holidays_date": ["operation 'bogota'", "holidays.dates[0]", "not a date"],
    "bad_holidays_range": ["operation 'bogota'", "holidays.dates[0]", "ends before it starts"],
    "bad_resolve_when_quiet": ["rule 'abandons'", "resolve_when_quiet", "at least 1m"],
    "bad_on_holidays": ["rule 'abandons'", "on_holidays", "valid boolean"],
    # issue15: queue and agent context
    "bad_context_every": ["operation 'bogota'", "context_every", "1m or more"],
    "bad_context_kind": ["operation 'bogota'", "context[1]", "'queues' or 'agents'"],
    # issue 14: PostgreSQL store
    "bad_store_url_scheme": ["store", "url", "must be a postgresql:// URL", "store.path"],
    "bad_store_path_and_url": ["store", "path", "not both"],
    "bad_store_lease_ttl": ["store", "lease_ttl", "between 1s and 10m"],
}


def test_every_bad_fixture_has_an_expectation() -> None:
    assert bad_fixtures(FIXTURES) == sorted(REJECTED)


@pytest.mark.parametrize("fixture", sorted(REJECTED))
def test_a_rejected_configuration_says_file_place_and_field(fixture: str) -> None:
    text = refusal(FIXTURES / f"{fixture}.yml", env=ENV)
    for expected in REJECTED[fixture]:
        assert expected in text
    assert TOKEN not in text and "SECRET" not in text and "xapp-1-A0123" not in text


def test_all_problems_are_reported_together() -> None:
    text = """\
operations:
  - name: bogota
    server: "0004"
    token: ${WOLKVOX_TOKEN}
    licenses: 1
    poll_every: 1m
    channel: C0123456789
  - server: 12345
    token: ${MEDELLIN_TOKEN}
    licenses: 0
    channel: C0123456789
rules:
  - name: abandons
    kind: rate
    match: {result: [abandon]}
    window: soon
    warning: 0.3
    critical: 0.2
    operations: [bogota, medelin]
  - kind: flatline
"""
    with pytest.raises(ConfigError) as caught:
        parse(text)

    found = {(p.where, p.field) for p in caught.value.problems}
    assert found == {
        ("operation 'bogota'", "poll_every"),
        ("operation #2", "token"),
        ("operation #2", "server"),
        ("operation #2", "licenses"),
        ("operation #2", "name"),
        ("rule 'abandons'", "window"),
        ("rule 'abandons'", "critical"),
        ("rule 'abandons'", "operations[1]"),
        ("rule #2", "name"),
        ("rule #2", "below"),
    }
    assert "MEDELLIN_TOKEN is not set" in str(caught.value)


def test_secrets_never_show_in_reprs() -> None:
    slack = "slack:\n  bot_token: xoxb-bot-5ecret\n  signing_secret: sign-5ecret\n"
    settings = parse(slack + OPERATION)

    shown = repr(settings) + str(settings) + repr(settings.operations) + repr(settings.slack)
    for secret in (TOKEN, "xoxb-bot-5ecret", "sign-5ecret"):
        assert secret not in shown
    assert "***" in shown
    assert settings.slack.bot_token is not None
    assert settings.slack.bot_token.reveal() == "xoxb-bot-5ecret"
    assert str(Secret("x")) == repr(Secret("x")) == "***"


def test_a_wrong_token_is_reported_without_its_value() -> None:
    text = problems_of("slack:\n  app_token: xoxb-looks-like-a-bot-token\n" + OPERATION)
    assert "slack, app_token: does not start with xapp-" in text
    assert "looks-like" not in text


def test_environment_references_are_expanded() -> None:
    text = """\
operations:
  - name: bogota
    server: ${SERVER}
    token: ${WOLKVOX_TOKEN}
    licenses: ${LICENSES}
    poll_every: ${POLL:-30s}
    channel: C0123456789
    base_url: http://127.0.0.1:${PORT}/
rules:
  - name: costs
    kind: count
    description: costs $$5 a call
    warning: 3
"""
    env = {"SERVER": "0068", "WOLKVOX_TOKEN": TOKEN, "LICENSES": "40", "PORT": "8799"}
    settings = parse(text, env)

    (operation,) = settings.operations
    assert (operation.server, operation.licenses) == ("0068", 40)
    assert operation.poll_every == timedelta(seconds=30)
    assert operation.api_base_url == "http://127.0.0.1:8799"
    assert settings.rules[-1].description == "costs $5 a call"


def test_slack_tokens_default_to_their_usual_variables() -> None:
    env = {**ENV, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
    slack = parse(OPERATION, env).slack
    assert slack.bot_token is not None and slack.bot_token.reveal() == "xoxb-1"
    assert slack.app_token is not None and slack.app_token.reveal() == "xapp-1"
    assert slack.signing_secret is None and not slack.restricted


@pytest.mark.parametrize(
    ("poll_every", "licenses", "reserve", "fits"),
    [
        ("5m", 1, None, True),  # 288 <= 800
        ("2m", 1, None, True),  # 720 <= 800
        ("1m", 1, None, False),  # 1,440 > 800
        ("1m", 2, None, True),  # 1,440 <= 1,600
        ("2s", 100, None, True),  # 43,200 <= 80,000: any period that fits is allowed
        ("2s", 50, None, False),  # 43,200 > 40,000
        ("2m", 1, 0.3, False),  # 720 > 700
        ("1m", 2, 0.5, False),  # 1,440 > 1,000
    ],
)
def test_the_daily_budget_decides_which_periods_are_allowed(
    poll_every: str, licenses: int, reserve: float | None, fits: bool
) -> None:
    own = f"    budget_reserve: {reserve}\n" if reserve is not None else ""
    text = OPERATION.replace("licenses: 2", f"licenses: {licenses}\n    poll_every: {poll_every}")
    if fits:
        assert parse(text + own).operations[0].budget().fits
    else:
        assert "calls a day, but" in problems_of(text + own)


def test_the_budget_message_does_the_arithmetic() -> None:
    text = "budget_reserve: 0.25\n" + OPERATION.replace(
        "licenses: 2", "licenses: 3\n    poll_every: 30s"
    )
    assert (
        "operation 'bogota', poll_every: polling every 30s costs 2,880 calls a day, but 3 "
        "licences x 1,000 calls leaves 2,250 after the 25% reserve; poll every 39s or more"
    ) in problems_of(text)


@pytest.mark.parametrize(
    ("written", "server"),
    [('"0004"', "0004"), ("4", "0004"), ("68", "0068"), ("0010", "0010"), ("9901", "9901")],
)
def test_server_codes_are_four_digits_and_numbers_are_zero_padded(
    written: str, server: str
) -> None:
    text = OPERATION.replace('server: "0004"', f"server: {written}")
    assert parse(text).operations[0].server == server


@pytest.mark.parametrize("written", ["12345", '"4"', "-1", "true", '"wv0004"', "4.0"])
def test_other_server_codes_are_rejected(written: str) -> None:
    text = OPERATION.replace('server: "0004"', f"server: {written}")
    assert "operation 'bogota', server: must be the operation's 4-digit" in problems_of(text)


def test_a_rule_with_a_default_name_replaces_it_in_place() -> None:
    text = (
        OPERATION
        + """\
rules:
  - name: extra
    kind: count
    warning: 500
  - name: abandon-rate
    kind: rate
    match: {result: [abandon]}
    warning: 12%
"""
    )
    rules = parse(text).rules
    assert [rule.name for rule in rules] == [
        "abandon-rate",
        "network-failures",
        "network-failures-spike",
        "inbound-flatline",
        "service-level",
        "extra",
    ]
    assert rules[0].warning == pytest.approx(0.12)
    assert (rules[0].critical, rules[0].min_calls, rules[0].among) == (None, 0, CallFilter())


def test_defaults_false_keeps_only_the_files_rules() -> None:
    text = "defaults: false\n" + OPERATION + "rules:\n  - {name: lots, kind: count, warning: 9}\n"
    settings = parse(text)
    assert [rule.name for rule in settings.rules] == ["lots"]
    assert not settings.use_default_rules


def test_rules_for_starts_with_the_built_in_rule_and_filters_by_operation() -> None:
    text = (
        OPERATION
        + """\
  - name: cali
    server: "0004"
    token: ${WOLKVOX_TOKEN}
    licenses: 2
defaults: false
slack:
  default_channel: C0999999999
rules:
  - {name: everywhere, kind: count, warning: 9}
  - {name: only-cali, operations: cali, kind: count, warning: 9}
"""
    )
    settings = parse(text)
    assert settings.operation("cali").channel == "C0999999999"
    assert [r.name for r in rules_for(settings, "bogota")] == [WOLKVOX_UNAVAILABLE, "everywhere"]
    assert [r.name for r in rules_for(settings, "cali")] == [
        WOLKVOX_UNAVAILABLE,
        "everywhere",
        "only-cali",
    ]
    with pytest.raises(KeyError):
        rules_for(settings, "lima")


def test_a_broken_field_does_not_hide_the_rules_other_problems() -> None:
    text = (
        OPERATION
        + """\
rules:
  - name: abandons
    kind: rate
    match: {typ: [inbound]}
    warning: 0.3
    critical: 0.2
    for: 0
"""
    )
    text = problems_of(text)
    assert "rule 'abandons', match.typ: unknown key; did you mean 'type'?" in text
    assert "rule 'abandons', critical: 0.2 is below warning 0.3" in text
    assert "rule 'abandons', for: input should be greater than or equal to 1" in text


def test_config_path_comes_from_argument_then_environment_then_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "callbot.yml").write_text(OPERATION)
    (tmp_path / "other.yml").write_text(OPERATION.replace("bogota", "other"))

    assert load_settings(env=ENV).operations[0].name == "bogota"
    from_env = load_settings(env={**ENV, "CALLBOT_CONFIG": "other.yml"})
    assert from_env.operations[0].name == "other"
    explicit = load_settings(tmp_path / "callbot.yml", env={**ENV, "CALLBOT_CONFIG": "other.yml"})
    assert explicit.operations[0].name == "bogota"

    with pytest.raises(ConfigError) as caught:
        load_settings(env={**ENV, "CALLBOT_CONFIG": "missing.yml"})
    assert "not found: tried missing.yml (from CALLBOT_CONFIG)" in str(caught.value)
    (tmp_path / "callbot.yml").unlink()
    with pytest.raises(ConfigError) as caught:
        load_settings(env=ENV)
    assert "tried callbot.yml" in str(caught.value)
    assert "CALLBOT_CONFIG is not set" in str(caught.value)


def test_check_config_prints_operations_rules_and_budget(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WOLKVOX_TOKEN", TOKEN)

    assert check_config_command(str(EXAMPLE)) == 0

    out = capsys.readouterr().out
    assert "bogota  0004    America/Bogota  10        5m          C0123456789" in out
    assert "abandon-rate" in out and "result abandon among type inbound" in out
    assert "warn 8% crit 15% recover 6%" in out and "mon-fri 08:00-18:00" in out
    assert (
        "bogota: polling every 5m costs 288 calls a day; 10 licences x 1,000 calls leaves "
        "8,000 after the 20% reserve: fits"
    ) in out
    assert TOKEN not in out


def test_check_config_prints_every_problem_to_stderr_and_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WOLKVOX_TOKEN", raising=False)

    assert check_config_command(str(FIXTURES / "bad_budget_exceeded.yml")) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "environment variable WOLKVOX_TOKEN is not set" in captured.err
    assert "poll every 2m or more" in captured.err
    assert "2 problems" in captured.err


def test_the_reference_documents_every_rule_key() -> None:
    reference = render_rules_reference()
    assert [key for key, *_ in RULE_KEYS] == list(keys_of(RuleModel))
    for key in keys_of(RuleModel):
        assert f"| `{key}` |" in reference
    assert "| `operations[].poll_every` |" in render_settings_reference()


def test_the_reference_says_which_kinds_use_each_key() -> None:
    for key, kinds, _default, _meaning in RULE_KEYS:
        assert kinds == ", ".join(APPLIES_TO.get(key, ("all",))), key
