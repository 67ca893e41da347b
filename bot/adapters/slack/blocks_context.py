"""Queues and agents in Slack: `/calls queues`, `/calls agents`, the Home tab, the alert.

Every queue name, agent name and agent state comes from Wolkvox and is escaped
(`safe`) before it reaches mrkdwn. Agent names are personal data: they are
listed only when the configuration turns masking off. Every number carries its
label, and every answer says how old its snapshot is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.adapters.slack.blocks_kit import (
    MAX_BLOCKS,
    Block,
    Message,
    context,
    fallback,
    header,
    more_text,
    section,
)
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_age, format_number, format_percent, safe
from bot.adapters.slack.wording import local_time, name
from bot.domain.queues import (
    SHOWN_QUEUES,
    AgentCounts,
    AgentKind,
    AgentSnapshot,
    QueueSnapshot,
    QueueStat,
    count_agents,
    explaining_queues,
)
from bot.services.context import Reading, Skip
from bot.services.context_commands import ContextReply

_SHOWN_AGENTS = 40


class AlertContextLike(Protocol):
    """What the presenter needs of an alert's context (services.context_alerts.AlertContext)."""

    @property
    def queues(self) -> Reading[QueueSnapshot] | None: ...

    @property
    def agents(self) -> Reading[AgentSnapshot] | None: ...


AlertContextSource = Callable[[str, str], AlertContextLike | None]
"""(operation, rule) -> the context its alert shows, or None."""


def with_blocks_before_actions(message: Message, extra: list[Block]) -> Message:
    """`message` with `extra` inserted before its buttons (at the end when it has none)."""
    if not extra:
        return message
    blocks = list(message.blocks)
    at = next((i for i, b in enumerate(blocks) if b.get("type") == "actions"), len(blocks))
    merged = [*blocks[:at], *extra, *blocks[at:]]
    return Message(text=message.text, blocks=tuple(merged[:MAX_BLOCKS]))


def _pct(value: float | None, tr: Translator) -> str:
    return tr("na") if value is None else format_percent(value / 100, tr.lang)


def _count(value: int | None, tr: Translator) -> str:
    return tr("na") if value is None else format_number(value, tr.lang)


def queue_line(queue: QueueStat, tr: Translator) -> str:
    """`*Ventas*: waiting 14 · abandon 31.0% · service level 41.0%`, the name escaped."""
    return tr(
        "context.queue_line",
        name=safe(queue.label, 60),
        waiting=_count(queue.waiting, tr),
        abandon=_pct(queue.abandon_pct, tr),
        level=_pct(queue.service_level, tr),
    )


def queue_lines(
    queues: Sequence[QueueStat], tr: Translator, limit: int = SHOWN_QUEUES
) -> list[str]:
    """The queues that explain the problem first, at most `limit`, then "and N more"."""
    shown, more = explaining_queues(list(queues), limit)
    lines = [queue_line(q, tr) for q in shown]
    if more:
        lines.append(more_text(tr)(more))
    return lines


def agents_line(counts: AgentCounts, tr: Translator) -> str:
    """Agents by state, every number labelled; pause states as the operation names them."""
    line = tr(
        "context.agents_line",
        ready=format_number(counts.ready, tr.lang),
        talking=format_number(counts.talking, tr.lang),
        after_call=format_number(counts.after_call, tr.lang),
        auxiliary=format_number(counts.auxiliary, tr.lang),
        logged_in=format_number(counts.logged_in, tr.lang),
    )
    if counts.auxiliary_states:
        states = ", ".join(
            f"{safe(label, 40)} {format_number(n, tr.lang)}"
            for label, n in counts.auxiliary_states[:8]
        )
        line += "\n" + tr("context.aux_states", states=states)
    return line


def _age_note(
    snapshot: QueueSnapshot | AgentSnapshot | None, reply: ContextReply, tr: Translator
) -> str:
    if snapshot is None:
        return ""
    return tr(
        "context.age",
        age=format_age(snapshot.age(reply.now)),
        time=local_time(snapshot.at, reply.tz, reply.now),
    )


def skip_note(
    reading: Reading[QueueSnapshot] | Reading[AgentSnapshot], what: str, tr: Translator
) -> str:
    """Why the reading is not fresher: `what` is `queues` or `agents`."""
    if reading.skipped is None:
        return ""
    if reading.skipped is Skip.FAILED:
        return tr(f"context.failed_{what}", error=safe(reading.error, 300))
    return tr(f"context.{reading.skipped.value}_{what}")


def _operation_queues(reply: ContextReply, tr: Translator, many: bool) -> list[Block]:
    reading = reply.queues
    assert reading is not None
    title = f"*{name(reply.operation)}*" if many else ""
    snapshot = reading.snapshot
    notes = [_age_note(snapshot, reply, tr), skip_note(reading, "queues", tr)]
    if snapshot is None:
        body = tr("context.no_queues_yet")
    elif not snapshot.queues:
        body = tr("context.no_queues")
    else:
        body = "\n".join(queue_lines(snapshot.queues, tr, limit=25))
    return [section("\n".join(p for p in (title, body) if p)), context(*[n for n in notes if n])]


def _operation_agents(
    reply: ContextReply, tr: Translator, many: bool, show_names: bool
) -> list[Block]:
    reading = reply.agents
    assert reading is not None
    title = f"*{name(reply.operation)}*" if many else ""
    snapshot = reading.snapshot
    notes = [_age_note(snapshot, reply, tr), skip_note(reading, "agents", tr)]
    if snapshot is None:
        body = tr("context.no_agents_yet")
    else:
        body = agents_line(count_agents(snapshot.agents), tr)
    blocks = [section("\n".join(p for p in (title, body) if p))]
    if show_names and snapshot is not None and snapshot.agents:
        blocks.append(section("\n".join(_agent_lines(snapshot, tr))))
    blocks.append(context(*[n for n in notes if n]))
    return blocks


_ORDER = {k: i for i, k in enumerate(AgentKind)}


def _agent_lines(snapshot: AgentSnapshot, tr: Translator) -> list[str]:
    agents = sorted(
        (a for a in snapshot.agents if a.kind is not AgentKind.LOGGED_OUT),
        key=lambda a: (_ORDER[a.kind], a.name.casefold()),
    )
    lines = []
    for agent in agents[:_SHOWN_AGENTS]:
        since = (
            ""
            if agent.seconds_in_state is None
            else f" ({format_age(timedelta(seconds=agent.seconds_in_state))})"
        )
        lines.append(
            f"• {safe(agent.name or agent.agent_id, 60)}: {safe(agent.state or '?', 40)}{since}"
        )
    if len(agents) > _SHOWN_AGENTS:
        lines.append(more_text(tr)(len(agents) - _SHOWN_AGENTS))
    return lines


def render_queues(replies: Sequence[ContextReply], lang: str) -> Message:
    """`/calls queues`: each operation's queues, the ones in trouble first."""
    tr = Translator(lang)
    many = len(replies) > 1
    parts = [_operation_queues(reply, tr, many) for reply in replies]
    blocks = _whole_operations(header(tr("context.queues_header")), parts, tr)
    return Message(text=fallback(tr("context.queues_header")), blocks=blocks)


def render_agents(replies: Sequence[ContextReply], lang: str, *, show_names: bool) -> Message:
    """`/calls agents`: each operation's agents by state (names only when configured)."""
    tr = Translator(lang)
    many = len(replies) > 1
    parts = [_operation_agents(reply, tr, many, show_names) for reply in replies]
    blocks = _whole_operations(header(tr("context.agents_header")), parts, tr)
    return Message(text=fallback(tr("context.agents_header")), blocks=blocks)


def _whole_operations(head: Block, parts: list[list[Block]], tr: Translator) -> tuple[Block, ...]:
    """Each operation's blocks whole, within Slack's block cap, then "N more" operations."""
    blocks = [head]
    for shown, part in enumerate(parts):
        if len(blocks) + len(part) > MAX_BLOCKS - 1:
            blocks.append(context(more_text(tr)(len(parts) - shown)))
            break
        blocks.extend(part)
    return tuple(blocks)


def home_queue_blocks(reply: ContextReply, lang: str) -> list[Block]:
    """The Home tab's queues of one operation, from the latest snapshot (never fetched for it)."""
    snapshot = reply.queues.snapshot if reply.queues is not None else None
    if snapshot is None:
        return []
    tr = Translator(lang)
    body = (
        "\n".join(queue_lines(snapshot.queues, tr)) if snapshot.queues else tr("context.no_queues")
    )
    title = tr("context.home_title", operation=name(reply.operation))
    return [section(f"{title}\n{body}"), context(_age_note(snapshot, reply, tr))]


def alert_context_blocks(
    queues: Reading[QueueSnapshot] | None,
    agents: Reading[AgentSnapshot] | None,
    *,
    tz: str,
    now: datetime,
    lang: str,
) -> list[Block]:
    """What explains an alert on inbound calls: the queues that contribute most (five at
    most, then "N more") and the agents by state, each with its age or why it is missing."""
    tr = Translator(lang)
    reply = ContextReply(operation="", tz=tz, now=now)
    blocks: list[Block] = []
    if queues is not None:
        snapshot = queues.snapshot
        notes = [_age_note(snapshot, reply, tr), skip_note(queues, "queues", tr)]
        if snapshot is not None and snapshot.queues:
            lines = [f"*{tr('context.queues_header')}*", *queue_lines(snapshot.queues, tr)]
            blocks.append(section("\n".join(lines)))
        blocks.append(context(*[n for n in notes if n] or [tr("context.no_queues_yet")]))
    if agents is not None:
        snapshot_a = agents.snapshot
        notes = [_age_note(snapshot_a, reply, tr), skip_note(agents, "agents", tr)]
        if snapshot_a is not None:
            title = f"*{tr('context.agents_header')}*"
            blocks.append(section(f"{title}\n{agents_line(count_agents(snapshot_a.agents), tr)}"))
        blocks.append(context(*[n for n in notes if n] or [tr("context.no_agents_yet")]))
    return blocks
