"""An alert storm's digest: one message for many incidents, and the notes in its thread.

The digest lists its incidents one line each (firing ones first, the critical
before the warnings; resolved ones struck through), and is edited in place as
they change. Within Block Kit's limits by construction: however many incidents
join, the lines are packed into sections of at most 3000 characters and cut
with "and N more" before the 50-block cap. Rules' mentions ping once, on the
first post, never on an edit: each distinct mention once, on the line of its first
critical incident. Notes in the shared thread name their incident.
"""

from __future__ import annotations

from bot.adapters.slack.blocks_alerts import note_text, value_line
from bot.adapters.slack.blocks_kit import (
    EMPTY,
    MAX_BLOCKS,
    Block,
    Message,
    context,
    fallback,
    header,
    more_text,
    pack_lines,
    section,
)
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import clip_escaped, format_age
from bot.adapters.slack.wording import local_time, mention_markup, name, state_icon, user_ref
from bot.services.views.alert import AlertEvent, AlertMessageView, DigestView

JOINED = "joined"
MAX_LINE = 400
"""Characters of one incident's line: a long rule detail must not crowd out the others."""
SHOWN_OPERATIONS = 4
_FIXED_BLOCKS = 4
"""Header, mentions, times and hint: the blocks that are not incident lines."""
_RESOLVED_ICON = ":white_check_mark:"
_SEVERITY_ORDER = {"critical": 0, "warning": 1}
_EVENTS = frozenset(e.value for e in AlertEvent)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text and text[0].isalpha() else text


def _operations(view: DigestView) -> str:
    names = [name(op, 40) for op in view.operations]
    shown = ", ".join(names[:SHOWN_OPERATIONS])
    hidden = len(names) - SHOWN_OPERATIONS
    return f"{shown} +{hidden}" if hidden > 0 else shown


def _ordered(view: DigestView) -> list[AlertMessageView]:
    """Firing before resolved, critical before warning; otherwise in joining order."""
    return sorted(
        view.members,
        key=lambda m: (m.resolved, _SEVERITY_ORDER.get(m.severity, 2)),
    )


def member_line(tr: Translator, member: AlertMessageView) -> str:
    """One incident of the digest: severity, rule, operation, value against threshold."""
    if member.resolved:
        end = member.resolved_at or member.as_of
        line = tr(
            "digest.member_resolved",
            icon=_RESOLVED_ICON,
            rule=name(member.rule),
            operation=name(member.operation),
            duration=format_age(end - member.since, tr.lang),
        )
        return clip_escaped(line, MAX_LINE)
    value = " ".join((value_line(tr, member) or EMPTY).split())
    parts = [
        tr(
            "digest.member",
            icon=state_icon("firing", member.severity),
            severity=_upper_first(tr.severity(member.severity)),
            rule=name(member.rule),
            operation=name(member.operation),
            value=value,
        )
    ]
    mention = mention_markup(member.mention) if member.mention else ""
    if mention:
        parts[0] = f"{mention} {parts[0]}"
    if member.acked_by:
        parts.append(tr("digest.acked", user=user_ref(member.acked_by)))
    if member.silenced_until is not None:
        until = local_time(member.silenced_until, member.tz, member.as_of)
        parts.append(tr("digest.silenced", until=until))
    return clip_escaped(" · ".join(parts), MAX_LINE)


def _header(tr: Translator, view: DigestView, operations: str) -> Block:
    count, firing = len(view.members), view.firing
    if firing == 0:
        return header(
            tr("digest.header_resolved", icon=_RESOLVED_ICON, count=count, operations=operations)
        )
    critical = any(m.severity == "critical" and not m.resolved for m in view.members)
    icon = state_icon("firing", "critical" if critical else "warning")
    if firing == count:
        return header(tr("digest.header", icon=icon, count=count, operations=operations))
    return header(
        tr("digest.header_some", icon=icon, firing=firing, count=count, operations=operations)
    )


def render_digest_message(view: DigestView, lang: str) -> Message:
    """The digest as it stands: a header that counts, one line per incident, times."""
    tr = Translator(lang)
    operations = _operations(view)
    mentions = " ".join(dict.fromkeys(m for m in map(mention_markup, view.mentions) if m))
    on_lines = {t for m in view.members if m.mention and not m.resolved for t in m.mention.split()}
    tokens = [t for m in view.mentions for t in m.split() if t not in on_lines]
    loose = " ".join(dict.fromkeys(markup for t in tokens if (markup := mention_markup(t))))
    blocks: list[Block] = [_header(tr, view, operations)]
    if loose and view.firing:
        blocks.append(section(loose))
    lines = [member_line(tr, m) for m in _ordered(view)]
    blocks += pack_lines(lines, max_blocks=MAX_BLOCKS - _FIXED_BLOCKS, more=more_text(tr))
    since = tr(
        "alert.since",
        since=local_time(view.opened_at, view.tz, view.as_of),
        age=format_age(view.as_of - view.opened_at, tr.lang),
    )
    blocks.append(context(since, tr("alert.updated", time=local_time(view.as_of, view.tz))))
    if view.firing:
        blocks.append(context(tr("digest.hint")))
    return Message(text=_fallback(tr, view, operations, mentions), blocks=tuple(blocks))


def _fallback(tr: Translator, view: DigestView, operations: str, mentions: str) -> str:
    count = len(view.members)
    if view.firing == 0:
        return fallback(tr("digest.fallback_resolved", count=count, operations=operations))
    alerts = "; ".join(
        f"{_upper_first(tr.severity(m.severity))} {name(m.rule)} ({name(m.operation)})"
        for m in _ordered(view)
        if not m.resolved
    )
    summary = tr("digest.fallback", count=view.firing, operations=operations, alerts=alerts)
    return fallback(f"{mentions} {summary}" if mentions else summary)


def render_digest_note(view: AlertMessageView, event: str, lang: str) -> Message:
    """A reply in the digest's thread about one of its incidents, naming it.

    Joining and escalating edit the digest, which notifies no one, so the rule's
    mention (when the view carries it) goes in this note instead.
    """
    tr = Translator(lang)
    value = value_line(tr, view) or EMPTY
    if event == JOINED:
        body = tr("digest.joined", value=value)
    elif event in _EVENTS:
        body = note_text(tr, view, event)
    else:
        body = value
    text = tr("digest.note", rule=name(view.rule), operation=name(view.operation), note=body)
    pings = event in (JOINED, AlertEvent.ESCALATED.value) and not view.resolved
    mention = mention_markup(view.mention) if pings else ""
    if mention:
        text = f"{mention} {text}"
    return Message(text=fallback(text), blocks=(section(text),))
