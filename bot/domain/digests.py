"""Alert storms: when many incidents open in one channel at once, one digest tells them all.

A person cannot read thirty messages arriving in a minute, and Slack lets a bot post
about one message a second per channel. So, like Alertmanager's grouping, once more
than `threshold` new incidents would be posted to a channel within `window`, the new
ones go into a digest: one message that lists them, is edited as they change and
resolve, and holds their news (reminders, escalations, resolutions) in its thread.
Incidents that open in that channel while the digest is still young join it.

Everything here is data and pure decisions; time is an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

DIGEST_PREFIX = "digest:"


def digest_id(channel: str, opened_at: datetime) -> str:
    """`digest:C0ALERTS:20261124T150000`: stable, so the digest's message can be found
    again by it (message metadata) after a crash between posting and recording."""
    stamp = opened_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{DIGEST_PREFIX}{channel}:{stamp}"


def is_digest_id(incident_id: str) -> bool:
    return incident_id.startswith(DIGEST_PREFIX)


@dataclass(frozen=True, slots=True)
class StormPolicy:
    """When new incidents are collapsed: more than `threshold` in a channel within
    `window`. A threshold of None or 0 turns digests off."""

    threshold: int | None = 5
    window: timedelta = timedelta(minutes=5)

    @property
    def enabled(self) -> bool:
        return self.threshold is not None and self.threshold > 0


@dataclass(frozen=True, slots=True)
class Digest:
    """One message standing for `members` (incident ids, in the order they joined).

    `mentioned` holds every mention (`<!subteam^S1>`, `<@U1>`, `<!here>`) the digest
    has already carried: a digest pings each one once, however many of its alerts
    share it, join later or escalate."""

    id: str
    channel: str
    opened_at: datetime
    members: tuple[str, ...]
    mentioned: tuple[str, ...] = ()

    def joined(self, incidents: Iterable[str]) -> Digest:
        known = set(self.members)
        added = tuple(i for i in incidents if i not in known)
        return replace(self, members=self.members + added) if added else self

    def with_mentioned(self, assigned: Mapping[str, str]) -> Digest:
        """The digest after it carried `assigned` (see `assign_mentions`)."""
        tokens = [t for mention in assigned.values() for t in mention.split()]
        added = tuple(t for t in dict.fromkeys(tokens) if t not in self.mentioned)
        return replace(self, mentioned=self.mentioned + added) if added else self


@dataclass(frozen=True, slots=True)
class MentionCandidate:
    """An incident about to be told in a digest: its rule's `mention` (None when the
    state machine does not ask to ping) and whether it is critical."""

    incident: str
    mention: str | None
    critical: bool


def assign_mentions(
    candidates: Iterable[MentionCandidate], *, already: Iterable[str] = ()
) -> dict[str, str]:
    """Which incident carries which pings: each distinct mention once, on its first
    critical candidate (in the order given), leaving out those in `already` (the
    digest carried them before). A rule's mention may name several people or groups;
    each one counts on its own. Returns {incident: the mentions it carries}."""
    seen = set(already)
    out: dict[str, str] = {}
    for candidate in candidates:
        if not candidate.critical or not candidate.mention:
            continue
        fresh = [t for t in dict.fromkeys(candidate.mention.split()) if t not in seen]
        if fresh:
            out[candidate.incident] = " ".join(fresh)
            seen.update(fresh)
    return out


class Grouping(StrEnum):
    """What to do with the incidents a cycle would post to one channel."""

    INDIVIDUAL = "individual"
    NEW_DIGEST = "new_digest"
    JOIN = "join"


def group_new_incidents(
    policy: StormPolicy, *, new: int, recent_individual: int, joinable: Digest | None
) -> Grouping:
    """Post `new` incidents one by one, open a digest for them, or add them to the
    channel's young digest (`joinable`). `recent_individual` counts the incidents
    posted one by one to the channel within the window, not counting these."""
    if not policy.enabled or new <= 0:
        return Grouping.INDIVIDUAL
    if joinable is not None:
        return Grouping.JOIN
    assert policy.threshold is not None
    if recent_individual + new > policy.threshold:
        return Grouping.NEW_DIGEST
    return Grouping.INDIVIDUAL


@dataclass(frozen=True, slots=True)
class DigestBook:
    """The digests whose members are still open. An immutable value, like AlertBook."""

    digests: tuple[Digest, ...] = ()

    def __iter__(self) -> Iterator[Digest]:
        return iter(self.digests)

    def get(self, id: str) -> Digest | None:
        return next((d for d in self.digests if d.id == id), None)

    def of(self, incident_id: str) -> Digest | None:
        """The digest an incident belongs to, if any."""
        return next((d for d in self.digests if incident_id in d.members), None)

    def members(self) -> frozenset[str]:
        return frozenset(m for d in self.digests for m in d.members)

    def joinable(self, channel: str, *, now: datetime, window: timedelta) -> Digest | None:
        """The channel's newest digest if it opened within `window` of `now`."""
        young = [d for d in self.digests if d.channel == channel and now - d.opened_at < window]
        return max(young, key=lambda d: d.opened_at, default=None)

    def with_digest(self, digest: Digest) -> DigestBook:
        others = tuple(d for d in self.digests if d.id != digest.id)
        return DigestBook((*others, digest))

    def without(self, ids: Iterable[str]) -> DigestBook:
        gone = set(ids)
        return DigestBook(tuple(d for d in self.digests if d.id not in gone))
