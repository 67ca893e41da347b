"""The short replies to `/calls`: help, usage (text that is not a command: what was wrong,
and a command that would work) and notices (a command that cannot show data: an unknown
name, no data yet, a window the log does not cover).

Pure functions to a `Message`; whatever the person typed is escaped.
"""

from __future__ import annotations

from bot.adapters.slack.blocks_kit import Message, context, fallback, header, section
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_age, format_number, safe
from bot.adapters.slack.wording import name
from bot.domain.durations import parse_duration
from bot.services.command_types import Usage
from bot.services.views.replies import NoticeView

_HELP_KEYS = (
    "help.last10",
    "help.status",
    "help.alerts",
    "help.rules",
    "help.queues",
    "help.agents",
    "help.silence",
    "help.unsilence",
    "help.ack",
    "help.history",
    "help.backtest",
)


def render_help(lang: str) -> Message:
    """`/calls` or `/calls help`: every subcommand in one short reply."""
    tr = Translator(lang)
    blocks = [
        header(tr("help.header")),
        section("\n".join(f"• {tr(k)}" for k in _HELP_KEYS)),
        context(tr("help.public")),
    ]
    return Message(text=fallback(tr("help.fallback")), blocks=tuple(blocks))


def _example(example: str, tr: Translator) -> str:
    """A command the parser suggests, with its words in the reader's language
    (`/calls silence abandon-rate 1h` -> `/calls silenciar abandon-rate 1h`)."""
    return " ".join(tr.command(word) for word in example.split())


def _limit(limit: str, lang: str) -> str:
    """A bound the parser names (`30d`), in words when it is a duration (`30 days`)."""
    try:
        return format_age(parse_duration(limit), lang)
    except ValueError:
        return safe(limit, 20)


def render_usage(usage: Usage, lang: str) -> Message:
    """A short explanation of what was wrong with the command, and where to look."""
    tr = Translator(lang)
    problem = tr(
        f"usage.{usage.reason.value}",
        word=safe(usage.word, 60),
        example=safe(_example(usage.example, tr), 120),
        limit=_limit(usage.limit, tr.lang),
    )
    blocks = (section(problem), context(tr("usage.hint")))
    return Message(text=fallback(problem), blocks=blocks)


def render_notice(view: NoticeView, lang: str) -> Message:
    """A short answer when a command cannot show data (unknown name, no data yet...)."""
    tr = Translator(lang)
    options = ", ".join(f"`{name(o, 60)}`" for o in view.options[:20])
    if len(view.options) > 20:
        options += " " + tr("more", count=format_number(len(view.options) - 20, tr.lang))
    text = tr(
        f"notice.{view.kind.value}",
        subject=safe(view.subject, 80),
        options=options or tr("na"),
        covered=format_age(view.covered, tr.lang) if view.covered is not None else tr("na"),
    )
    return Message(text=fallback(text), blocks=(section(text),))
