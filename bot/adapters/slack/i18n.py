"""Every user-facing string, in English and Spanish (`language: en | es`).

Templates live in i18n_en.py and i18n_es.py (the alert messages' strings in their
`_alerts` twins, merged in), one dictionary per language with
the same keys and the same `{placeholders}` (a test holds them to it). They
are trusted mrkdwn; whatever fills a placeholder must already be escaped. The
`Translator` also names call results, call types, states and severities for
display: a value Wolkvox sends that we do not know is shown as it came,
escaped, never dropped.
"""

from __future__ import annotations

from typing import Final

from bot.adapters.slack.i18n_en import EN
from bot.adapters.slack.i18n_es import ES, ES_DESCRIPTIONS
from bot.adapters.slack.text import DASH, format_number, safe

LANGUAGES: Final = ("en", "es")
CATALOGS: Final[dict[str, dict[str, str]]] = {"en": EN, "es": ES}
DESCRIPTIONS: Final[dict[str, dict[str, str]]] = {"es": ES_DESCRIPTIONS}
_NAME_LIMIT = 60


def language(lang: str | None) -> str:
    """Fold a configured language onto a supported one (English by default)."""
    folded = (lang or "").strip().lower()[:2]
    return folded if folded in CATALOGS else "en"


def t(key: str, lang: str, **values: object) -> str:
    """The template `key` in `lang`, filled with `values` (already escaped).

    A missing key or placeholder is a programming error and raises KeyError:
    the catalog tests and the renderer tests catch it before a user does.
    """
    return CATALOGS[language(lang)][key].format(**values)


def plural_form(count: int) -> str:
    """The plural category of a whole count in English and Spanish: `one` for exactly 1,
    `other` for everything else (0 calls, 2 llamadas). Both languages share CLDR's rule
    for integers, so two forms per message suffice (see the report of issue 12)."""
    return "one" if count == 1 else "other"


def _slug(value: str) -> str:
    return "_".join(value.strip().lower().split())


class Translator:
    """Strings for one language, plus display names for domain values."""

    __slots__ = ("lang",)

    def __init__(self, lang: str | None) -> None:
        self.lang = language(lang)

    def __call__(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def n(self, key: str, count: int, **values: object) -> str:
        """The template `key.one` or `key.other` for `count`, with `{count}` written in the
        reader's convention (`1,234` / `1.234`) unless given."""
        values.setdefault("count", format_number(count, self.lang))
        return t(f"{key}.{plural_form(count)}", self.lang, **values)

    def _name(self, prefix: str, value: str) -> str:
        template = CATALOGS[self.lang].get(f"{prefix}.{_slug(value)}")
        if template is not None:
            return template
        return safe(value, _NAME_LIMIT) or DASH

    def result(self, value: str, count: int | None = None) -> str:
        """A call result for display (`abandon` -> `abandoned` / `abandonada`); agreeing
        with `count` calls when given (`results.<value>`: `abandonadas`)."""
        if count is not None and plural_form(count) == "other":
            many = CATALOGS[self.lang].get(f"results.{_slug(value)}")
            if many is not None:
                return many
        return self._name("result", value)

    def call_type(self, value: str) -> str:
        """A call type for display (`out_pre` -> `outbound (predictive)`)."""
        return self._name("type", value)

    def measure(self, value: str, count: int | None = None) -> str:
        """What an alert measures, as a noun phrase (`abandoned calls` / `llamadas
        abandonadas`); in the singular (`measure.<value>.one`) when `count` is 1."""
        catalog = CATALOGS[self.lang]
        if count is not None and plural_form(count) == "one":
            one = catalog.get(f"measure.{_slug(value)}.one")
            if one is not None:
                return one
        template = catalog.get(f"measure.{_slug(value)}")
        return template if template is not None else self.result(value)

    def severity(self, value: str) -> str:
        return self._name("severity", value)

    def state(self, value: str) -> str:
        return self._name("state", value)

    def kind(self, value: str) -> str:
        return self._name("kind", value)

    def outcome(self, value: str) -> str:
        return self._name("outcome", value)

    def description(self, text: str) -> str:
        """A rule's description: the configuration's own words, except the shipped default
        rules' English descriptions, which read in the reader's language (a catalog keyed
        by the English text, as gettext keys by msgid). Raw: the caller escapes it."""
        return DESCRIPTIONS.get(self.lang, {}).get(text.strip(), text)

    def command(self, word: str) -> str:
        """A subcommand word of a suggested command (`silence` -> `silenciar`); anything
        else (a rule name, a duration) as it is."""
        return CATALOGS[self.lang].get(f"command.{word.casefold()}", word)

    def error(self, kind: str | None) -> str:
        """What kind of Wolkvox error happened, in words (`token_rejected` ->
        `Wolkvox rejected the token`); a kind without words reads as a failed poll."""
        template = CATALOGS[self.lang].get(f"error.{_slug(kind or 'unknown')}")
        return template if template is not None else self("error.unknown")
