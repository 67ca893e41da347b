"""`/calls history`: the record as one reply, newest first, within Slack's limits.

One line per incident (severity, start, end or "still firing", length, peak, who
acknowledged) and per silence (who, from when until when, why, lifted by whom or
run out). Lines are packed into sections of at most 3000 characters and at most
50 blocks; what does not fit ends in "…and N more". Rule names, operation names
and people's reasons are escaped; user ids become mentions that ping no one
(`<@U123>` only renders a name in a reply).
"""

from __future__ import annotations

from datetime import datetime

from bot.adapters.slack.blocks_kit import (
    MAX_BLOCKS,
    Message,
    context,
    fallback,
    header,
    more_text,
    pack_lines,
    section,
)
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_age, safe
from bot.adapters.slack.wording import format_value, local_time, name, user_ref
from bot.services.views.history import HistoryIncident, HistorySilence, HistoryView

_ICONS = {"critical": ":red_circle:", "warning": ":large_orange_circle:"}
_REASON_LIMIT = 200


def _incident_line(entry: HistoryIncident, tr: Translator, view: HistoryView) -> str:
    def at(moment: datetime) -> str:
        return local_time(moment, view.tz, view.as_of)

    severity = entry.severity or "warning"
    values = {
        "icon": _ICONS.get(severity, ":large_orange_circle:"),
        "rule": name(entry.rule),
        "operation": name(entry.operation),
        "severity": tr.severity(severity),
        "start": at(entry.started_at),
        "duration": format_age((entry.ended_at or view.as_of) - entry.started_at, tr.lang),
    }
    if entry.ended_at is None:
        text = tr("history.incident_open", **values)
    else:
        text = tr("history.incident", end=at(entry.ended_at), **values)
    if entry.peak_value is not None:
        peak = format_value(entry.peak_value, entry.unit, tr.lang)
        text += tr("history.peak", peak=peak)
    if entry.acked_by:
        when = at(entry.acked_at) if entry.acked_at else ""
        text += tr("history.acked", user=user_ref(entry.acked_by), at=when)
    return text


def _silence_line(entry: HistorySilence, tr: Translator, view: HistoryView) -> str:
    operation = name(entry.operation) if entry.operation else tr("all_operations")
    until = local_time(entry.until, view.tz, view.as_of) if entry.until else tr("na")
    values = {"rule": name(entry.rule), "operation": operation, "user": user_ref(entry.by)}
    if entry.started_at is not None:
        start = local_time(entry.started_at, view.tz, view.as_of)
        text = tr("history.silence", start=start, until=until, **values)
    else:
        text = tr("history.silence_before", until=until, **values)
    if entry.reason:
        text += tr("history.reason", reason=safe(entry.reason, _REASON_LIMIT))
    ended_at = local_time(entry.ended_at, view.tz, view.as_of) if entry.ended_at else ""
    if entry.ended == "unsilence":
        text += tr("history.lifted", user=user_ref(entry.ended_by), at=ended_at)
    elif entry.ended == "expiry":
        text += tr("history.expired", at=ended_at)
    return text


def render_history(view: HistoryView, lang: str) -> Message:
    """The timeline of `/calls history`, or one sentence when nothing happened; records
    the store could not read are counted aloud, never silently dropped."""
    tr = Translator(lang)
    period = format_age(view.period, tr.lang)
    scope = " · ".join(name(x) for x in (view.rule, view.operation) if x)
    title = tr("history.header", period=period)
    counts = tr(
        "history.counts",
        incidents=tr.n("history.incidents", view.incidents),
        silences=tr.n("history.silences", view.silences),
    )
    about = tr("as_of", time=local_time(view.as_of, view.tz))
    if scope:
        about = f"{about} · {scope}"
    head = [header(title), context(f"{about} · {counts}")]
    unreadable = tr.n("history.unreadable", view.unreadable) if view.unreadable else ""
    if not view.entries:
        none = unreadable or tr("history.none", period=period)
        return Message(text=fallback(title, none), blocks=(*head, section(none)))
    if unreadable:
        head.append(context(unreadable))
    lines = [
        _incident_line(e, tr, view)
        if isinstance(e, HistoryIncident)
        else _silence_line(e, tr, view)
        for e in view.entries
    ]
    room = MAX_BLOCKS - len(head) - (1 if view.truncated else 0)
    body = pack_lines(lines, max_blocks=room, more=more_text(tr))
    tail = [context(tr("history.truncated"))] if view.truncated else []
    return Message(text=fallback(title, counts), blocks=(*head, *body, *tail))
