"""Decisions become outbox rows, with alert storms collapsed into digests.

Below the storm threshold this is `decision_rows` for each decision, unchanged.
Above it (see bot.domain.digests), the incidents a channel would receive are
posted as ONE digest message instead, and from then on each member's news goes
to the digest: an edit of an incident re-renders the digest from every member's
current state, and a thread note (reminder, escalation, resolution, a person's
action) is a reply in the digest's thread that names the incident.

The digest is a pseudo-incident for the outbox and the drainer: its rows carry
the digest id, so ordering, superseded edits, retries and the crash-safe find
(message metadata) work for it exactly as for an incident. Membership is stored
with the cycle that decides it (`CycleCommit.digests`), so a restart routes a
member's news to the same message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.alert_book import AlertBook
from bot.domain.alerts import Alert, Decision, Notify, Reason
from bot.domain.digests import (
    Digest,
    DigestBook,
    Grouping,
    MentionCandidate,
    StormPolicy,
    assign_mentions,
    digest_id,
    group_new_incidents,
)
from bot.domain.silences import Silence
from bot.domain.specs import RuleSpec, Severity
from bot.services.decision_rows import decision_rows, thread_event
from bot.services.ports import Presenter, RenderedMessage
from bot.services.ports.store import NewOutboxRow, OutboxAction
from bot.services.quiet import keep_edits
from bot.services.state import PollState, RuntimeState
from bot.services.views.alert import AlertMessageView, DigestView
from bot.services.views.alert_build import alert_view

JOINED = "joined"
"""The digest-note event of an incident that joined a young digest."""


@dataclass(frozen=True, slots=True)
class NotificationPlan:
    """The rows to store, the digests after these decisions, and the digest documents
    the store must upsert (or forget: None) in the same transaction."""

    rows: tuple[NewOutboxRow, ...]
    digests: DigestBook
    stored: Mapping[str, Digest | None]


@dataclass(frozen=True, slots=True)
class _Target:
    decision: Decision
    spec: RuleSpec
    channel: str
    tz: str
    silence: Silence | None
    poll: PollState

    @property
    def incident(self) -> str:
        return self.decision.alert.incident_id or ""

    @property
    def candidate(self) -> MentionCandidate:
        """What this incident would ping in a digest (its decision asks, it is critical)."""
        mention = self.spec.mention if self.decision.mention else None
        critical = self.decision.alert.severity is Severity.CRITICAL
        return MentionCandidate(self.incident, mention, critical)


def storm_policy(state: RuntimeState) -> StormPolicy:
    settings = state.settings
    return StormPolicy(threshold=settings.storm_threshold, window=settings.storm_window)


def plan_notifications(
    decisions: Sequence[Decision],
    *,
    state: RuntimeState,
    alerts: AlertBook,
    presenter: Presenter,
    now: datetime,
    note: RenderedMessage | None = None,
) -> NotificationPlan:
    """The outbox rows of `decisions` (a poll cycle's, or one person's action).

    `alerts` is the book after the decisions (every member's current state);
    `note` replaces the thread reply, as in `decision_rows`.
    """
    return _Planner(state=state, alerts=alerts, presenter=presenter, now=now).plan(decisions, note)


class _Planner:
    def __init__(
        self, *, state: RuntimeState, alerts: AlertBook, presenter: Presenter, now: datetime
    ) -> None:
        self._state = state
        self._presenter = presenter
        self._now = now
        self._policy = storm_policy(state)
        self._book = state.digests
        self._incidents = {a.incident_id: a for a in alerts if a.incident_id is not None}
        self._alerts = alerts
        self._stored: dict[str, Digest | None] = {}
        self._opened: dict[str, dict[str, str]] = {}
        self._edited: dict[str, None] = {}
        self._notes: dict[str, list[RenderedMessage]] = {}

    def plan(self, decisions: Sequence[Decision], note: RenderedMessage | None) -> NotificationPlan:
        rows: list[NewOutboxRow] = []
        posts: dict[str, list[_Target]] = {}
        for decision in decisions:
            alert = decision.alert
            if alert.incident_id is not None:
                self._incidents[alert.incident_id] = alert
            target = self._target(decision)
            if target is None or decision.notify is Notify.NONE or not target.incident:
                continue
            digest = self._book.of(target.incident)
            if digest is not None:
                self._member_news(digest, target, note)
            elif decision.notify is Notify.POST and self._policy.enabled:
                posts.setdefault(target.channel, []).append(target)
            else:
                rows += self._rows(target, note)
        for channel, targets in posts.items():
            rows += self._new_incidents(channel, targets)
        rows += self._digest_rows()
        self._prune()
        return NotificationPlan(rows=tuple(rows), digests=self._book, stored=self._stored)

    def _target(self, decision: Decision) -> _Target | None:
        alert = decision.alert
        op = self._state.operations.get(alert.operation)
        spec = op.rule(alert.rule) if op is not None else None
        if op is None or spec is None:
            return None
        silence = self._state.silences.matching(alert.rule, alert.operation, self._now)
        channel = spec.channel or op.settings.channel
        return _Target(decision, spec, channel, op.settings.timezone.key, silence, op.poll)

    def _view(self, target: _Target, *, mention: str | None = None) -> AlertMessageView:
        """The incident's view; in a digest it carries `mention` only where the digest
        decided to ping (each distinct mention once)."""
        view = alert_view(
            target.decision.alert,
            target.spec,
            log=self._state.log,
            now=self._now,
            tz=target.tz,
            channel=target.channel,
            silence=target.silence,
            poll=target.poll,
        )
        return replace(view, mention=mention)

    def _rows(self, target: _Target, note: RenderedMessage | None) -> list[NewOutboxRow]:
        rows = decision_rows(
            target.decision,
            target.spec,
            presenter=self._presenter,
            log=self._state.log,
            now=self._now,
            tz=target.tz,
            channel=target.channel,
            silence=target.silence,
            note=note,
            poll=target.poll,
        )
        return keep_edits(
            rows,
            target.decision,
            target.spec,
            poll=target.poll,
            now=self._now,
            last=self._state.last_edits,
        )

    def _member_news(self, digest: Digest, target: _Target, note: RenderedMessage | None) -> None:
        notify = target.decision.notify
        if notify.edits or notify is Notify.POST:
            self._edited[digest.id] = None
        if notify.replies:
            event = thread_event(target.decision.reason)
            digest = self._book.get(digest.id) or digest
            assigned = assign_mentions([target.candidate], already=digest.mentioned)
            if assigned:
                self._keep(digest.with_mentioned(assigned))
            view = self._view(target, mention=assigned.get(target.incident))
            message = note if note is not None else self._presenter.digest_note(view, event)
            self._notes.setdefault(digest.id, []).append(message)

    def _new_incidents(self, channel: str, targets: list[_Target]) -> list[NewOutboxRow]:
        joinable = self._book.joinable(channel, now=self._now, window=self._policy.window)
        grouping = group_new_incidents(
            self._policy,
            new=len(targets),
            recent_individual=self._recent_individual(channel, {t.incident for t in targets}),
            joinable=joinable,
        )
        if grouping is Grouping.INDIVIDUAL:
            return [row for target in targets for row in self._rows(target, None)]
        if grouping is Grouping.JOIN:
            assert joinable is not None
            assigned = assign_mentions((t.candidate for t in targets), already=joinable.mentioned)
            digest = joinable.joined(t.incident for t in targets).with_mentioned(assigned)
            self._edited[digest.id] = None
            notes = self._notes.setdefault(digest.id, [])
            notes += [
                self._presenter.digest_note(self._view(t, mention=assigned.get(t.incident)), JOINED)
                for t in targets
            ]
        else:
            members = tuple(t.incident for t in targets)
            assigned = assign_mentions(t.candidate for t in targets)
            digest = Digest(
                digest_id(channel, self._now), channel, self._now, members
            ).with_mentioned(assigned)
            self._opened[digest.id] = assigned
        self._keep(digest)
        return []

    def _keep(self, digest: Digest) -> None:
        self._book = self._book.with_digest(digest)
        self._stored[digest.id] = digest

    def _recent_individual(self, channel: str, excluded: set[str]) -> int:
        """Incidents posted one by one to `channel` within the storm window."""
        members = self._book.members()
        cutoff = self._now - self._policy.window
        count = 0
        for alert in self._alerts:
            incident = alert.incident_id
            if (
                not alert.posted
                or incident is None
                or alert.fired_at is None
                or alert.fired_at <= cutoff
                or incident in members
                or incident in excluded
            ):
                continue
            if self._channel_of(alert) == channel:
                count += 1
        return count

    def _channel_of(self, alert: Alert) -> str | None:
        op = self._state.operations.get(alert.operation)
        spec = op.rule(alert.rule) if op is not None else None
        if op is None or spec is None:
            return None
        return spec.channel or op.settings.channel

    def _digest_rows(self) -> list[NewOutboxRow]:
        rows: list[NewOutboxRow] = []
        for id in dict.fromkeys([*self._opened, *self._edited, *self._notes]):
            digest = self._book.get(id)
            if digest is None:
                continue
            if id in self._opened:
                rows.append(
                    self._row(digest, OutboxAction.POST, self._render(digest, self._opened[id]))
                )
            elif id in self._edited:
                rows.append(self._row(digest, OutboxAction.UPDATE, self._render(digest, {})))
            rows += [
                self._row(digest, OutboxAction.THREAD, note) for note in self._notes.get(id, ())
            ]
        return rows

    def _render(self, digest: Digest, mentions: Mapping[str, str]) -> RenderedMessage:
        views = []
        for incident in digest.members:
            alert = self._incidents.get(incident)
            target = self._target(Decision(alert, Reason.NONE)) if alert is not None else None
            if target is not None:
                views.append(self._view(target, mention=mentions.get(incident)))
        view = DigestView(
            digest_id=digest.id,
            opened_at=digest.opened_at,
            as_of=self._now,
            members=tuple(views),
            mentions=tuple(dict.fromkeys(m for m in mentions.values() if m)),
            tz=views[0].tz if views else "UTC",
        )
        return self._presenter.digest_message(view)

    def _row(self, digest: Digest, action: OutboxAction, payload: RenderedMessage) -> NewOutboxRow:
        return NewOutboxRow(
            channel=digest.channel,
            incident_id=digest.id,
            action=action,
            payload=payload,
            created_at=self._now,
        )

    def _prune(self) -> None:
        """Forget digests whose incidents have all ended, once the window is over
        (until then they still count against the channel's storm threshold)."""
        firing = {i for i, a in self._incidents.items() if a.firing}
        done = [
            d.id
            for d in self._book
            if not firing.intersection(d.members) and self._now - d.opened_at >= self._policy.window
        ]
        self._book = self._book.without(done)
        self._stored.update(dict.fromkeys(done))
