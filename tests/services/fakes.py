"""Hand-written fakes for the service tests: a call source, a presenter, a chat, Wolkvox's
queue and agent context and a fixed budget."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.calls import CallRecord
from bot.domain.day_budget import DayBudget
from bot.domain.queues import AgentSnapshot, AgentStat, QueueSnapshot, QueueStat, agent_kind
from bot.services.ports import RenderedMessage, SourceError
from bot.services.ports.chat import ChatError, ChatErrorKind
from bot.services.views.alert import ActionResultView, AlertMessageView, RemovedRuleView

DAY = date(2026, 11, 24)


@dataclass
class Batch:
    records: Sequence[CallRecord]
    skipped: Mapping[str, int] = field(default_factory=dict)
    possibly_truncated: bool = False
    sent_at: datetime | None = None


class FakeSource:
    """Answers each poll with what the test queued; an exception is raised instead."""

    def __init__(self) -> None:
        self.next: dict[str, list[Batch | SourceError]] = {}
        self.calls: list[str] = []
        self.used: dict[str, tuple[date, int]] = {}

    def queue(self, operation: str, *answers: Batch | SourceError) -> None:
        self.next.setdefault(operation, []).extend(answers)

    async def calls_last_10(self, operation: str) -> Batch:
        self.calls.append(operation)
        day, used = self.used.get(operation, (DAY, 0))
        self.used[operation] = (day, used + 1)
        answers = self.next.get(operation)
        answer = answers.pop(0) if answers else Batch(records=())
        if isinstance(answer, SourceError):
            raise answer
        return answer

    def budget(self, operation: str, now: datetime) -> DayBudget:
        day, used = self.used.get(operation, (DAY, 0))
        return DayBudget(day=day, used=used, limit=8000)

    def restore_budget(self, operation: str, day: date, used: int) -> None:
        self.used[operation] = (day, used)


class TextPresenter:
    """Renders views as one line of text, so tests can read what a person would."""

    def alert_message(self, view: AlertMessageView) -> RenderedMessage:
        acked = f" acked by {view.acked_by}" if view.acked_by else ""
        silenced = " silenced" if view.silenced_until else ""
        mention = f"{view.mention} " if view.mention else ""
        error = f" failures={view.failures} error={view.error}" if view.error else ""
        text = (
            f"{mention}{view.state} {view.severity} {view.rule} {view.operation} "
            f"value={view.value}{acked}{silenced}{error}"
        )
        return {"text": text, "blocks": []}

    def thread_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        return {"text": f"{event}: {view.rule} {view.operation}", "blocks": []}

    def action_note(self, view: ActionResultView) -> RenderedMessage:
        return {"text": f"{view.kind} by {view.actor}: {view.rule} {view.reason}", "blocks": []}

    def removed_rule_message(self, view: RemovedRuleView) -> RenderedMessage:
        text = f"removed {view.severity} {view.rule} {view.operation}"
        return {"text": text, "blocks": []}

    def removed_rule_note(self, view: RemovedRuleView) -> RenderedMessage:
        return {"text": f"rule_removed: {view.rule} {view.operation}", "blocks": []}


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    incident_id: str
    thread_ts: str | None = None
    edits: list[str] = field(default_factory=list)
    key: str | None = None


class FakeChat:
    """A chat that keeps every message, can fail on demand, and forgets deletions."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.failures: list[ChatError] = []
        self.crash_after_post = False
        self.crash_after_reply = False
        self._ts = 1000

    def _next_ts(self) -> str:
        self._ts += 1
        return f"{self._ts}.000100"

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    async def post(self, channel: str, message: RenderedMessage, *, incident_id: str) -> str:
        self._maybe_fail()
        ts = self._next_ts()
        self.messages.append(Message(channel, ts, message["text"], incident_id))
        if self.crash_after_post:
            self.crash_after_post = False
            raise RuntimeError("process killed after posting")
        return ts

    async def update(self, channel: str, ts: str, message: RenderedMessage) -> None:
        self._maybe_fail()
        for m in self.messages:
            if m.ts == ts and m.channel == channel and m.thread_ts is None:
                m.edits.append(m.text)
                m.text = message["text"]
                return
        raise ChatError(ChatErrorKind.MESSAGE_GONE, "message_not_found")

    async def reply(
        self, channel: str, thread_ts: str, message: RenderedMessage, *, key: str
    ) -> str:
        self._maybe_fail()
        ts = self._next_ts()
        self.messages.append(
            Message(channel, ts, message["text"], "", thread_ts=thread_ts, key=key)
        )
        if self.crash_after_reply:
            self.crash_after_reply = False
            raise RuntimeError("process killed after replying")
        return ts

    async def find_reply(self, channel: str, thread_ts: str, key: str) -> str | None:
        return next(
            (m.ts for m in self.messages if m.thread_ts == thread_ts and m.key == key), None
        )

    async def find(self, channel: str, incident_id: str, *, since: datetime) -> str | None:
        for m in self.messages:
            if m.channel == channel and m.incident_id == incident_id and m.thread_ts is None:
                return m.ts
        return None

    def top_level(self) -> list[Message]:
        return [m for m in self.messages if m.thread_ts is None]

    def thread(self, ts: str) -> list[str]:
        return [m.text for m in self.messages if m.thread_ts == ts]

    def delete(self, ts: str) -> None:
        self.messages = [m for m in self.messages if m.ts != ts]


HOSTILE = "<!channel> *Ventas* & <https://x.example|clic>"


@dataclass
class FakeContext:
    """Queues and agents as Wolkvox would list them; a SourceError when told to fail."""

    queues_asked: list[str] = field(default_factory=list)
    agents_asked: list[str] = field(default_factory=list)
    fail: SourceError | None = None
    waiting: int = 14

    async def queues(self, operation: str, now: datetime) -> QueueSnapshot:
        self.queues_asked.append(operation)
        if self.fail is not None:
            raise self.fail
        rows = [
            QueueStat("101", "Servicio al cliente", waiting=1, abandoned=0, abandon_pct=0.0,
                      service_level=92.5),
            QueueStat("102", HOSTILE, waiting=self.waiting, abandoned=9, abandon_pct=31.0,
                      service_level=41.0),
        ]  # fmt: skip
        rows += [QueueStat(str(200 + i), f"Cola {i}", waiting=0, abandoned=0) for i in range(6)]
        return QueueSnapshot(at=now, queues=tuple(rows))

    async def agents(self, operation: str, now: datetime) -> AgentSnapshot:
        self.agents_asked.append(operation)
        if self.fail is not None:
            raise self.fail
        states = ["Ready", "Talk", "Talk", "ACW", "Almuerzo", "Break", "Almuerzo", "Logout"]
        agents = tuple(
            AgentStat(str(i), f"Agente Secreto {i}", s, agent_kind(s), seconds_in_state=65)
            for i, s in enumerate(states)
        )
        return AgentSnapshot(at=now, agents=agents)


@dataclass
class FixedBudget:
    used: int = 0
    limit: int = 8000

    def budget(self, operation: str, now: datetime) -> DayBudget:
        return DayBudget(day=DAY, used=self.used, limit=self.limit)
