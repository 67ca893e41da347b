"""The validated configuration: frozen, typed, and safe to print.

Secrets are `Secret`s, so `repr(settings)` shows `***` where a token would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config.budget import BudgetPlan, daily_budget
from bot.config.secret import Secret
from bot.domain.calendar import Calendar, Holidays
from bot.domain.rules import unavailable_rule
from bot.domain.specs import RuleSpec

DEFAULT_TIMEZONE = "America/Bogota"
DEFAULT_POLL_EVERY = timedelta(minutes=5)
DEFAULT_CONTEXT_EVERY = timedelta(minutes=5)
DEFAULT_CONTEXT: tuple[str, ...] = ("queues", "agents")
DEFAULT_BUDGET_RESERVE = 0.2
DEFAULT_STORE_PATH = "callbot.sqlite3"
DEFAULT_LEASE_TTL = timedelta(seconds=30)
MIN_LEASE_TTL = timedelta(seconds=1)
MAX_LEASE_TTL = timedelta(minutes=10)
"""store.lease_ttl's bounds; bot.config.store_url names them in its error."""
DEFAULT_HTTP_PORT = 3000
DEFAULT_METRICS_PORT = 9090
DEFAULT_STORM_THRESHOLD = 5
MAX_RESPONSE_MB = 256
DEFAULT_HISTORY_DAYS = 8
DEFAULT_STORM_WINDOW = timedelta(minutes=5)
MAX_STORM_WINDOW = timedelta(hours=1)


class Language(StrEnum):
    EN = "en"
    ES = "es"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class OperationSettings:
    """One Wolkvox operation the bot polls.

    `channel` is already resolved: the operation's own channel, else Slack's
    `default_channel`. `holidays` are the dates its rules treat as outside active
    hours (unless a rule says `on_holidays: true`).
    """

    name: str
    server: str
    token: Secret
    timezone: ZoneInfo
    licenses: int
    poll_every: timedelta
    channel: str
    budget_reserve: float
    base_url: str | None = None
    holidays: Holidays = field(default_factory=Holidays)
    context: tuple[str, ...] = DEFAULT_CONTEXT
    """What an alert on inbound calls shows from Wolkvox: `queues` (skills), `agents`."""
    context_every: timedelta = DEFAULT_CONTEXT_EVERY
    """How old queue/agent context may get before it is fetched again."""
    skills_every: timedelta | None = None
    """How often `skills` is polled for queue rules (None: every `poll_every`)."""
    opt_in: tuple[str, ...] = ()
    """Opt-in rules (like the shipped `service-level`) this operation turns on."""
    polls_skills: bool = False
    """Whether a `queue` rule watches this operation, so `skills` is polled for it."""

    @property
    def skills_period(self) -> timedelta:
        """How often `skills` is polled when queue rules need it."""
        return self.skills_every or self.poll_every

    @property
    def skills_polled(self) -> timedelta | None:
        """The `skills` polling period, or None when no queue rule needs it (budget)."""
        return self.skills_period if self.polls_skills else None

    @property
    def api_base_url(self) -> str:
        """Where the Wolkvox API lives: `base_url`, else https://wv{server}.wolkvox.com."""
        return self.base_url or f"https://wv{self.server}.wolkvox.com"

    @property
    def token_value(self) -> str:
        """The token itself, for grouping operations that share one (never for display)."""
        return self.token.reveal()

    @property
    def daily_allowance(self) -> int:
        """Requests Wolkvox allows a day (licences x 1000), before the reserve."""
        return self.budget().allowance

    def budget(self) -> BudgetPlan:
        return daily_budget(
            operation=self.name,
            poll_every=self.poll_every,
            licenses=self.licenses,
            reserve=self.budget_reserve,
            skills_every=self.skills_polled,
        )


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """Slack credentials and who may silence, unsilence and acknowledge.

    Empty `admins` and no `admin_group` means anyone who can use /calls.
    """

    bot_token: Secret | None = None
    app_token: Secret | None = None
    signing_secret: Secret | None = None
    default_channel: str | None = None
    admins: frozenset[str] = frozenset()
    admin_group: str | None = None

    @property
    def restricted(self) -> bool:
        return bool(self.admins) or self.admin_group is not None


@dataclass(frozen=True, slots=True)
class HttpSettings:
    port: int = DEFAULT_HTTP_PORT
    metrics_port: int = DEFAULT_METRICS_PORT
    """0 turns the metrics endpoint off."""


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """Where the bot keeps its state: the SQLite file at `path`, or, when `url` is set, the
    PostgreSQL database it names (several replicas share one; see bot.config.store_url)."""

    path: Path = Path(DEFAULT_STORE_PATH)
    url: Secret | None = None
    lease_ttl: timedelta = DEFAULT_LEASE_TTL
    """How long a lease (one per Wolkvox token) lasts without renewal (several replicas): a dead
    replica's operations are taken over within `poll_every` + this."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot was configured with, validated once at start.

    `rules` holds the configured rules (the shipped defaults merged in unless
    `defaults: false`), not the built-in `wolkvox-unavailable`: `rules_for`
    adds that one per operation.
    """

    source: Path
    operations: tuple[OperationSettings, ...]
    rules: tuple[RuleSpec, ...]
    language: Language = Language.EN
    mask_personal_data: bool = True
    store: StoreSettings = StoreSettings()
    slack: SlackSettings = SlackSettings()
    http: HttpSettings = HttpSettings()
    log_format: LogFormat = LogFormat.TEXT
    budget_reserve: float = DEFAULT_BUDGET_RESERVE
    use_default_rules: bool = True
    storm_threshold: int = DEFAULT_STORM_THRESHOLD
    """More new incidents than this in one channel within `storm_window` are told in
    one digest message; 0 turns digests off."""
    storm_window: timedelta = DEFAULT_STORM_WINDOW
    max_response_mb: int = MAX_RESPONSE_MB
    history_days: int = DEFAULT_HISTORY_DAYS
    """Days of per-minute call history kept (baselines, `callbot backtest --history`)."""
    """A Wolkvox answer larger than this is not read (the API's own limit is 256 MB)."""

    def operation(self, name: str) -> OperationSettings:
        """The operation called `name`; KeyError if there is none."""
        for operation in self.operations:
            if operation.name == name:
                return operation
        raise KeyError(name)

    def rules_for(self, operation_name: str) -> tuple[RuleSpec, ...]:
        """Every rule that watches `operation_name`: the built-in `wolkvox-unavailable` first
        (so `evaluate_operation` can hold the others while it fires), then the configured ones
        in order, each closed on the operation's holidays unless `on_holidays`. KeyError if
        the operation is not configured."""
        dates = self.operation(operation_name).holidays.dates
        configured = tuple(
            _with_holidays(rule, dates) for rule in self.rules if rule.applies_to(operation_name)
        )
        return (unavailable_rule(), *configured)


def _with_holidays(rule: RuleSpec, dates: frozenset[date]) -> RuleSpec:
    """The rule as it runs on one operation: its holidays are closed, unless `on_holidays`."""
    if not dates or rule.on_holidays:
        return rule
    return replace(rule, active=(rule.active or Calendar()).with_holidays(dates))
