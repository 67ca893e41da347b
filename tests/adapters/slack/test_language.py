"""Spanish all the way and plurals right in both languages (issue 12): durations in words,
counted nouns, the shipped rules' descriptions, Wolkvox errors, the demo's closing line."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.adapters.slack.blocks import render_alert_message, render_rules, render_status
from bot.adapters.slack.i18n import CATALOGS, Translator, plural_form
from bot.adapters.slack.i18n_es import ES_DESCRIPTIONS
from bot.adapters.slack.text import format_age
from bot.adapters.slack.wording import error_text
from bot.adapters.wolkvox.errors import ERROR_KINDS
from bot.demo import DemoOptions, DemoTally, _conclude
from bot.domain.rules import unavailable_rule
from bot.services.views.alert import Unit
from bot.services.views.replies import OperationStatus, RuleLine, RulesView, StatusView

from . import samples

DEFAULT_RULES = Path(__file__).resolve().parents[3] / "bot" / "defaults" / "rules.yml"


@pytest.mark.parametrize(
    ("delta", "english", "spanish"),
    [
        (timedelta(seconds=1), "1 second", "1 segundo"),
        (timedelta(seconds=41), "41 seconds", "41 segundos"),
        (timedelta(minutes=1), "1 minute", "1 minuto"),
        (timedelta(minutes=30), "30 minutes", "30 minutos"),
        (timedelta(hours=1), "1 hour", "1 hora"),
        (timedelta(hours=2), "2 hours", "2 horas"),
        (timedelta(hours=2, minutes=5), "2 hours 5 minutes", "2 horas y 5 minutos"),
        (timedelta(hours=24), "24 hours", "24 horas"),
        (timedelta(days=1, hours=1), "25 hours", "25 horas"),
        (timedelta(days=3, hours=4), "3 days 4 hours", "3 días y 4 horas"),
        (timedelta(days=30), "30 days", "30 días"),
    ],
)
def test_durations_are_written_in_words_with_their_plural(
    delta: timedelta, english: str, spanish: str
) -> None:
    assert (format_age(delta, "en"), format_age(delta, "es")) == (english, spanish)


@pytest.mark.parametrize("lang", sorted(CATALOGS))
def test_every_plural_message_has_both_forms(lang: str) -> None:
    catalog = CATALOGS[lang]
    stems = {key.rsplit(".", 1)[0] for key in catalog if key.endswith((".one", ".other"))}
    assert stems, "there are counted messages"
    for stem in stems:
        # A noun's plural may be its plain key (`measure.abandon`, `alert.calls`).
        other = f"{stem}.other" in catalog or stem in catalog
        assert f"{stem}.one" in catalog and other, stem


@pytest.mark.parametrize(
    ("count", "form"), [(0, "other"), (1, "one"), (2, "other"), (21, "other"), (1000, "other")]
)
def test_one_is_the_only_singular(count: int, form: str) -> None:
    assert plural_form(count) == form


@pytest.mark.parametrize(
    ("lang", "population", "shown"),
    [
        ("en", 1, "of 1 inbound call;"),
        ("en", 2, "of 2 inbound calls;"),
        ("es", 1, "de 1 llamada entrante;"),
        ("es", 2, "de 2 llamadas entrantes;"),
        ("en", 1234, "of 1,234 inbound calls;"),
    ],
)
def test_a_population_is_counted_in_the_right_form(lang: str, population: int, shown: str) -> None:
    message = render_alert_message(samples.alert(population=population, matched=1), lang)
    assert shown in message.text


@pytest.mark.parametrize(
    ("lang", "count", "fallback"),
    [
        ("en", 1, "Polling status of 1 operation"),
        ("en", 2, "Polling status of 2 operations"),
        ("es", 1, "Estado de las consultas de 1 operación"),
        ("es", 2, "Estado de las consultas de 2 operaciones"),
    ],
)
def test_status_counts_its_operations_in_the_right_form(
    lang: str, count: int, fallback: str
) -> None:
    ops = tuple(
        OperationStatus(f"op{i}", None, "never", timedelta(minutes=5)) for i in range(count)
    )
    view = StatusView(as_of=samples.NOW, operations=ops, tz=samples.TZ)
    assert render_status(view, lang).text == fallback


@pytest.mark.parametrize(
    ("tally", "english", "spanish"),
    [
        ((1, 1, 1), "1 alert fired, 1 update, 1 resolved",
         "1 alerta disparada, 1 actualización, 1 resuelta"),
        ((4, 2, 3), "4 alerts fired, 2 updates, 3 resolved",
         "4 alertas disparadas, 2 actualizaciones, 3 resueltas"),
    ],
)  # fmt: skip
def test_the_demo_closing_line_counts_right(
    tally: tuple[int, int, int], english: str, spanish: str
) -> None:
    counts = DemoTally()
    fired, updated, resolved = tally
    counts.reasons.update({"first": fired, "updated": updated, "resolved": resolved})
    for lang, expected in (("en", english), ("es", spanish)):
        out = io.StringIO()
        _conclude(out, DemoOptions(minutes=60), counts, lang)
        assert expected in out.getvalue()


def test_every_shipped_description_reads_in_spanish() -> None:
    shipped = [rule["description"] for rule in yaml.safe_load(DEFAULT_RULES.read_text())["rules"]]
    shipped.append(unavailable_rule().description)  # the built-in rule's own words
    missing = [text for text in shipped if text not in ES_DESCRIPTIONS]
    assert len(shipped) > 1 and missing == []
    tr = Translator("es")
    assert tr.description(shipped[0]) != shipped[0]
    assert Translator("en").description(shipped[0]) == shipped[0]
    assert tr.description("Our own words") == "Our own words", "a configured one is kept"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_rules_show_the_shipped_and_built_in_descriptions_in_the_readers_language(
    lang: str,
) -> None:
    lines = (
        RuleLine("abandon-rate", "rate", "bogota", "inactive", description=(
            "Inbound callers hanging up before an agent answers")),
        RuleLine("wolkvox-unavailable", "unavailable", "bogota", "inactive", unit=Unit.COUNT,
                 description="Wolkvox cannot be polled or its data is stale; other rules are held"),
    )  # fmt: skip
    shown = str(render_rules(RulesView(samples.NOW, lines, samples.TZ), lang).blocks)
    if lang == "es":
        assert "Clientes que cuelgan antes de que un agente conteste" in shown
        assert "No se puede consultar Wolkvox" in shown
        assert "hanging up" not in shown and "cannot be polled" not in shown
    else:
        assert "Inbound callers hanging up before an agent answers" in shown


def test_a_wolkvox_error_reads_in_spanish_only() -> None:
    english = "Wolkvox refused the token (403 PLEASE VALIDATE TOKEN); polling stops."
    assert error_text(Translator("es"), "token_rejected", english) == "Wolkvox rechazó el token"
    assert error_text(Translator("es"), "weird_new_kind", english) == "No se pudo consultar Wolkvox"
    assert error_text(Translator("en"), "token_rejected", english) == english


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_wolkvox_error_kind_has_its_own_words(lang: str) -> None:
    """A kind without words reads as "Wolkvox could not be polled": true, but it hides
    what to fix (a 404 from a wrong base_url must say to check base_url and server)."""
    tr = Translator(lang)
    assert all(tr.error(kind) != tr("error.unknown") for kind in ERROR_KINDS)
    said = {"en": "check base_url and server", "es": "revise base_url y server"}[lang]
    assert said in tr.error("not_found")


@pytest.mark.parametrize(
    ("lang", "value", "label", "shown"),
    [
        ("en", 1, "abandon", "*1* abandoned call in the last 10 minutes"),
        ("en", 2, "abandon", "*2* abandoned calls in the last 10 minutes"),
        ("es", 1, "abandon", "*1* llamada abandonada en los últimos 10 minutos"),
        ("es", 2, "abandon", "*2* llamadas abandonadas en los últimos 10 minutos"),
        ("en", 1, "", "*1* call in the last 10 minutes"),
        ("es", 1, "", "*1* llamada en los últimos 10 minutos"),
    ],
)
def test_a_count_alert_names_its_calls_in_the_right_form(
    lang: str, value: int, label: str, shown: str
) -> None:
    view = samples.alert(
        unit=Unit.COUNT, value=value, threshold=1, measure_label=label,
        window=timedelta(minutes=10), population=None,
    )  # fmt: skip
    assert shown in render_alert_message(view, lang).text


@pytest.mark.parametrize(
    ("lang", "failures", "shown"),
    [
        ("en", 1, "1 failed poll in a row"),
        ("en", 4, "4 failed polls in a row"),
        ("es", 1, "1 consulta fallida seguida"),
        ("es", 4, "4 consultas fallidas seguidas"),
    ],
)
def test_failed_polls_are_counted_in_the_right_form(lang: str, failures: int, shown: str) -> None:
    view = samples.alert(
        rule="wolkvox-unavailable", rule_kind="unavailable", unit=Unit.AGE, value=180.0,
        threshold=60.0, failures=failures, population=None,
    )  # fmt: skip
    assert shown in str(render_alert_message(view, lang).blocks)


def test_spanish_help_speaks_spanish_and_its_examples_work() -> None:
    from bot.adapters.slack.blocks import render_help
    from bot.services.command_parser import parse_command
    from bot.services.command_types import Usage
    from tests.runtime.test_demo_spanish import ENGLISH, IDENTIFIERS

    message = render_help("es")
    shown = "\n".join([message.text, *re.findall(r"'text': '([^']*)'", str(message.blocks))])
    settings = re.sub(r"\w+=\S+", " ", shown)  # configuration keys (`warning=10%`)
    words = re.findall(r"[^\W\d_]+", IDENTIFIERS.sub(" ", settings))
    assert [w for w in words if w.casefold() in ENGLISH] == []
    examples = re.findall(r"`/calls ([^`&]+)`", shown)
    assert "silenciar abandon-rate 1 hora almuerzo" in examples
    for example in examples:
        assert not isinstance(parse_command(example, operations=("bogota",)), Usage), example


@pytest.mark.parametrize(
    ("text", "lang", "example"),
    [
        ("silenciar", "es", "`/calls silenciar abandon-rate 1h`"),
        ("reconocer", "es", "`/calls reconocer abandon-rate`"),
        ("silence", "en", "`/calls silence abandon-rate 1h`"),
    ],
)
def test_a_usage_example_is_written_in_the_readers_language(
    text: str, lang: str, example: str
) -> None:
    from bot.adapters.slack.blocks import render_usage
    from bot.services.command_parser import parse_command
    from bot.services.command_types import Usage

    usage = parse_command(text)
    assert isinstance(usage, Usage)
    assert example in render_usage(usage, lang).text
