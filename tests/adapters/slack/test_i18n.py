from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.adapters.slack.i18n import CATALOGS, Translator, language, t
from bot.adapters.slack.i18n_en import EN
from bot.adapters.slack.i18n_es import ES
from bot.domain.calls import CallResult, CallType
from bot.domain.specs import RuleKind, Severity
from bot.services.command_types import UsageReason
from bot.services.views.alert import ActionKind, AlertEvent
from bot.services.views.replies import NoticeKind, PollOutcome

SLACK_DIR = Path(__file__).resolve().parents[3] / "bot" / "adapters" / "slack"


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_both_languages_have_exactly_the_same_keys() -> None:
    assert set(EN) - set(ES) == set()
    assert set(ES) - set(EN) == set()


@pytest.mark.parametrize("key", sorted(EN))
def test_both_languages_use_the_same_placeholders(key: str) -> None:
    assert _placeholders(EN[key]) == _placeholders(ES[key])


@pytest.mark.parametrize("lang", sorted(CATALOGS))
def test_templates_contain_no_raw_slack_markup(lang: str) -> None:
    for key, template in CATALOGS[lang].items():
        without_entities = re.sub(r"&(amp|lt|gt);", "", template)
        assert not set("<>&") & set(without_entities), key


@pytest.mark.parametrize("lang", sorted(CATALOGS))
def test_every_template_formats_with_its_placeholders(lang: str) -> None:
    for key, template in CATALOGS[lang].items():
        values = {name: "X" for name in _placeholders(template)}
        assert t(key, lang, **values).strip(), key


def test_every_key_the_renderers_use_exists() -> None:
    used: set[str] = set()
    for path in SLACK_DIR.glob("blocks*.py"):
        used |= set(re.findall(r'\btr\(\s*"([a-z0-9_.]+)"', path.read_text(encoding="utf-8")))
    assert len(used) > 40
    assert used - set(EN) == set()


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("usage", [r.value for r in UsageReason]),
        ("notice", [k.value for k in NoticeKind]),
        ("note", [e.value for e in AlertEvent]),
        ("action", [k.value for k in ActionKind]),
        ("outcome", [o.value for o in PollOutcome]),
        ("kind", [k.value for k in RuleKind]),
        ("severity", [s.value for s in Severity]),
        ("result", [r.value.replace(" ", "_") for r in CallResult]),
        ("measure", [r.value.replace(" ", "_") for r in CallResult]),
        ("type", [c.value.replace(" ", "_") for c in CallType]),
    ],
)
def test_every_domain_value_has_a_display_string(prefix: str, values: list[str]) -> None:
    assert {f"{prefix}.{v}" for v in values} - set(EN) == set()


@pytest.mark.parametrize(
    ("lang", "value", "shown"),
    [
        ("en", "abandon", "abandoned"),
        ("es", "abandon", "abandonada"),
        ("es", "busy", "ocupada"),
        ("en", "no answer", "no answer"),
        ("es", "chanunavail", "canal no disponible"),
        ("es", "answer machine", "contestador automático"),
        ("en", "<!channel> new", "&lt;!channel&gt; new"),
        ("es", "rare&value", "rare&amp;value"),
    ],
)
def test_results_are_translated_and_unknown_values_shown_escaped(
    lang: str, value: str, shown: str
) -> None:
    assert Translator(lang).result(value) == shown


@pytest.mark.parametrize(
    ("lang", "value", "shown"),
    [
        ("en", "out_pre", "outbound (predictive)"),
        ("es", "inbound", "entrante"),
        ("es", "ivr", "ivr"),
    ],
)
def test_call_types_are_translated(lang: str, value: str, shown: str) -> None:
    assert Translator(lang).call_type(value) == shown


@pytest.mark.parametrize(
    ("configured", "used"),
    [("es", "es"), ("ES", "es"), ("es-CO", "es"), ("fr", "en"), (None, "en")],
)
def test_unsupported_languages_fall_back_to_english(configured: str | None, used: str) -> None:
    assert language(configured) == used


def test_a_missing_key_is_a_loud_programming_error() -> None:
    with pytest.raises(KeyError):
        t("no.such.key", "en")
