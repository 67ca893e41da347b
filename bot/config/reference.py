"""The configuration reference as markdown tables, for the README: kept beside the
schema and tested against it, so a key cannot be added without being documented here.
"""

from __future__ import annotations

RULE_KEYS: tuple[tuple[str, str, str, str], ...] = (
    (
        "name",
        "all",
        "required",
        "Unique name (lower-case letters, digits, `-`, `_`); used in "
        "commands such as `/calls silence abandon-rate 1h`. `wolkvox-unavailable` is reserved.",
    ),
    ("description", "all", "empty", "One line shown with the rule in Slack and in check-config."),
    ("operations", "all", "every operation", "Names of the operations the rule watches."),
    (
        "kind",
        "all",
        "required",
        "`count`, `rate`, `spike`, `flatline`, `budget`, `expected` or `queue` (see below).",
    ),
    (
        "match",
        "all",
        "all calls",
        "The calls that count: `{type: [...], result: [...]}`. "
        "Type `outbound` means out_pre + outbound_ma; result `network` means chanunavail + "
        "congestion + failed.",
    ),
    (
        "among",
        "all",
        "all calls",
        "The population, same shape as `match`: the denominator of a "
        "rate and what `min_calls` counts.",
    ),
    (
        "window",
        "all",
        "`10m` (`expected`: `15m`)",
        "How far back the rule looks (whole minutes); a `budget` rule has its tiers' windows "
        "instead.",
    ),
    (
        "min_calls",
        "count, rate, spike, queue",
        "0",
        "Volume guard: below this many calls in `among` "
        "(in `match` for a count spike; a queue's inbound calls for `queue`) the rule stays quiet.",
    ),
    (
        "warning",
        "count, rate, queue",
        "none",
        "Warning level: a number of calls, or a fraction for "
        "rates (`0.08` or `'8%'`). At least one of warning and critical is required. A "
        "`queue` rule on `service_level` fires BELOW its levels, on `waiting` or "
        "`abandon_rate` at or above them.",
    ),
    (
        "critical",
        "count, rate, queue",
        "none",
        "Critical level; at least `warning` (at most, for a `service_level`).",
    ),
    (
        "recover",
        "all",
        "the lowest threshold (`below` for flatline)",
        "Hysteresis: a firing alert resolves only after `for` evaluations below this "
        "(flatline: with at least this many calls), each with enough calls to judge. "
        "`budget`: a burn rate (1 = the sustainable pace), default the tier's own level; "
        "`expected`: a chance, the alert keeps firing while its count is less likely.",
    ),
    (
        "recover_critical",
        "count, rate, queue, budget",
        "the `warning` threshold (`budget`: none)",
        "Severity hysteresis: a critical alert stays critical until its value falls below "
        "this, so a value flapping around `critical` neither pings nor replies again; going "
        "back to warning edits the message. Between `recover` and `critical`; needs both "
        "levels. `budget`: a burn rate its fast tier must fall below (no default).",
    ),
    (
        "resolve_when_quiet",
        "all",
        "`30m`",
        "Quiet is not resolved: while nothing can be judged (too few calls for `min_calls`, "
        "no calls, data on hold) a firing alert keeps firing and its message says why. After "
        "this long without a judgeable evaluation it resolves, saying so.",
    ),
    ("for", "all", "1", "Consecutive breaching evaluations before the alert fires."),
    ("repeat", "all", "no reminders", "Reminder period while firing and not acknowledged."),
    (
        "active",
        "all",
        "always",
        "When the rule may alert, in the operation's timezone: one range or a list "
        "(`['mon-fri 07:00-19:00', 'sat 09:00-13:00']`; `22:00-06:00` belongs to the day it "
        "starts). The window never reaches before the start of the active period (a 15m "
        "flatline can fire at 08:15 at the earliest when the period opens at 08:00). Outside "
        "it a firing alert stays open but muted (no reminders, no escalation, no thread "
        "replies; its message says since when), and resolves quietly when its value recovers "
        "or the next period starts below `recover`.",
    ),
    (
        "on_holidays",
        "all",
        "`false`",
        "`true` keeps the rule active on its operation's `holidays` (which otherwise count "
        "as outside active hours, also for a rule without `active`).",
    ),
    ("channel", "all", "the operation's channel", "Slack channel id for this rule's alerts."),
    (
        "mention",
        "all",
        "none",
        "Who to ping on critical: `<!subteam^S0123>`, `<@U0123>`, `<!here>`. At most once "
        "per incident (first post or escalation), again only if it escalates after having "
        "been below warning; a storm digest carries each distinct mention once.",
    ),
    (
        "confidence",
        "rate, budget",
        "none",
        "0.5 to 0.999: compare the Wilson lower bound of the rate "
        "with the thresholds instead of the raw rate, so small samples prove less. Firing, "
        "severity and resolving all use the bound; messages show the raw rate and the bound. "
        "A `budget` rule uses 0.9 unless told otherwise.",
    ),
    (
        "baseline",
        "spike",
        "required",
        "`1h`: the hour before the window; `7d`: the same window "
        "a week earlier (one day or more means 'the same time that long ago').",
    ),
    (
        "factor",
        "spike",
        "required",
        "Fire when the window is this many times the baseline (above 1).",
    ),
    (
        "measure",
        "spike",
        "`count`",
        "`count` compares matching calls, `rate` compares match / among.",
    ),
    (
        "below",
        "flatline",
        "required",
        "Fire when fewer than this many matching calls arrive in the window (1 = none at all).",
    ),
    (
        "severity",
        "spike, flatline, expected",
        "`warning`",
        "`warning` or `critical`: the level of a spike, flatline or expected alert.",
    ),
    (
        "objective",
        "budget",
        "required",
        "The share of `match` among `among` allowed over the business day (the rule's "
        "`active` hours, holidays excluded), like `'5%'` abandons among inbound calls.",
    ),
    (
        "fast",
        "budget",
        "`{spend: 20%, window: 1h, short: 5m, min_calls: 30}`",
        "The critical tier: it fires when both `window` and `short` burn the day's budget "
        "fast enough to spend `spend` of it in `window` (20% of a 10 h day in 1 h: a burn "
        "rate of 2); `min_calls` calls in `among` over `window` are needed to judge.",
    ),
    (
        "slow",
        "budget",
        "`{spend: 50%, window: 4h, short: 20m, min_calls: 60}`",
        "The warning tier, the same way (50% in 4 h of a 10 h day: a burn rate of 1.25).",
    ),
    (
        "direction",
        "expected",
        "`drop`",
        "`drop`, `surge` or `both`: which improbable counts fire.",
    ),
    (
        "chance",
        "expected",
        "`0.000001`",
        "Fire when a count this far from the usual is less likely than this under a "
        "Poisson law of the usual count (1 in 1,000,000: rare enough to be checked every "
        "poll for weeks without a false page).",
    ),
    (
        "min_difference",
        "expected",
        "10",
        "And only when the count differs from the usual by at least this many calls.",
    ),
    (
        "min_expected",
        "expected",
        "20",
        "Slots that usually bring fewer calls than this are not judged.",
    ),
    (
        "weeks",
        "expected",
        "4",
        "How many weeks of the same minute-of-week the usual count is the median of (at "
        "least 3 covered, holidays left out; else the same time on the last comparable "
        "days: weekdays with weekdays). Needs `history_days` of at least 7 x weeks + 1.",
    ),
    (
        "opt_in",
        "all",
        "`false`",
        "`true`: the rule watches only the operations that name it in their `opt_in` (the "
        "shipped `service-level` rule is one). A rule of your own with the same name as a "
        "shipped one replaces it whole, `opt_in` included.",
    ),
    (
        "metric",
        "queue",
        "required",
        "What a queue rule reads from Wolkvox's `skills`: `service_level` (the share "
        "answered within 20 s, `service_level_20seg`), `waiting` (callers in the queue now) "
        "or `abandon_rate` (abandoned / inbound calls of the queue). A queue rule has no "
        "`match`, `among` or `window`: it judges the operation's latest `skills` snapshot "
        "(polled every `skills_every`), and cannot be replayed by a backtest.",
    ),
    (
        "queues",
        "queue",
        "every queue",
        "The queues it reads, by name or id as Wolkvox lists them (`[Ventas, Soporte]`). A "
        "named queue missing from a snapshot is not judged, and keeps a firing alert firing.",
    ),
    (
        "together",
        "queue",
        "`false`",
        "`false`: each queue is judged on its own and the worst one is the alert's value "
        "(`service level 62% on Ventas`); `true`: the queues as one (waiting summed, rates "
        "weighted by each queue's inbound calls).",
    ),
)
"""(key, kinds, default, meaning) for every rule key."""

SETTINGS_KEYS: tuple[tuple[str, str, str], ...] = (
    ("language", "`en`", "`en` or `es`: the language of every message (the demo's included)."),
    (
        "mask_personal_data",
        "`true`",
        "Show only the last 4 digits of phone numbers and customer ids.",
    ),
    ("store.path", "`callbot.sqlite3`", "SQLite file for alert state, silences and history."),
    (
        "store.url",
        "none",
        "PostgreSQL instead of SQLite "
        "(`postgresql://callbot:${PGPASSWORD}@127.0.0.1:5432/callbot`); "
        "never shown with its password.",
    ),
    (
        "store.lease_ttl",
        "`30s`",
        "Several replicas on `store.url`: how long a lease (one per Wolkvox token) lasts unless "
        "renewed (every third of it); a dead replica's operations are taken over within "
        "`poll_every` plus this. Between 1s and 10m.",
    ),
    ("slack.bot_token", "`$SLACK_BOT_TOKEN`", "Bot token (`xoxb-...`)."),
    ("slack.app_token", "`$SLACK_APP_TOKEN`", "App-level token for Socket Mode (`xapp-...`)."),
    ("slack.signing_secret", "`$SLACK_SIGNING_SECRET`", "Verifies requests in HTTP mode."),
    ("slack.default_channel", "none", "Channel id for operations that name none."),
    ("slack.admins", "anyone", "User ids allowed to silence, unsilence and acknowledge."),
    ("slack.admin_group", "anyone", "A user group id allowed to do the same."),
    ("http.port", "3000", "Port of HTTP mode (`callbot run --http`)."),
    ("http.metrics_port", "9090", "Port of the metrics endpoint; 0 turns it off."),
    ("log_format", "`text`", "`text` or `json`."),
    (
        "budget_reserve",
        "0.2",
        "Share of the daily API budget left for the operation's other integrations.",
    ),
    (
        "storm_threshold",
        "5",
        "Alert storms: more new alerts than this in one channel within `storm_window` are "
        "posted as one digest message, edited as they change, with their news in its thread. "
        "0 or `null` posts every alert on its own.",
    ),
    (
        "storm_window",
        "`5m`",
        "How long new alerts of a channel count towards a storm, and join a young digest "
        "(at most `1h`).",
    ),
    (
        "max_response_mb",
        "256",
        "A Wolkvox answer larger than this many MB is not read (the API's own limit is 256).",
    ),
    (
        "history_days",
        "8",
        "Days of per-minute call history the store keeps (1 to 35): what `callbot backtest "
        "--history` can replay.",
    ),
    ("defaults", "`true`", "Include the shipped rules; a rule with the same name replaces one."),
    ("operations[].name", "required", "Unique short name (lower-case, digits, `-`, `_`)."),
    (
        "operations[].server",
        "required",
        "4-digit server code, as in wv**0004**.wolkvox.com; "
        'quote it (`"0004"`); a number is zero-padded.',
    ),
    ("operations[].token", "required", "The operation's API token, e.g. `${WOLKVOX_TOKEN}`."),
    (
        "operations[].licenses",
        "required",
        "Wolkvox licences: the budget is licenses x 1000 calls a day.",
    ),
    (
        "operations[].poll_every",
        "`5m`",
        "Poll period (`2s`, `30s`, `5m`), shorter than 10m; "
        "rejected if it does not fit the budget.",
    ),
    ("operations[].timezone", "`America/Bogota`", "IANA timezone of the operation's clock."),
    ("operations[].channel", "`slack.default_channel`", "Slack channel id for its alerts."),
    (
        "operations[].base_url",
        "`https://wv{server}.wolkvox.com`",
        "Another API base URL (e.g. the simulator).",
    ),
    ("operations[].budget_reserve", "top-level value", "This operation's own reserve."),
    (
        "operations[].holidays",
        "none",
        "Days its rules treat as outside active hours (unless `on_holidays: true`): a country "
        "code of the `holidays` package (`CO`, `MX`, `PE`, `EC`, `CL`, `AR`, `US`, ...; `US-CA` "
        "or `{country: US, subdivision: CA}`) and/or `dates: [2026-12-24, "
        "2026-12-31..2027-01-02]`. check-config lists the next ones.",
    ),
    (
        "operations[].context",
        "`[queues, agents]`",
        "What an alert on inbound calls shows from Wolkvox while it fires: `queues` (`skills`: "
        "waiting, abandon %, service level) and/or `agents` (by state); `[]` for neither.",
    ),
    (
        "operations[].context_every",
        "`5m`",
        "How old queue/agent context may get before it is fetched again (alerts, "
        "`/calls queues`, `/calls agents`); at least 1m.",
    ),
    (
        "operations[].skills_every",
        "`poll_every`",
        "How often an operation with `queue` rules polls Wolkvox's `skills` for them, one "
        "request after `calls_last_10` on the same token; a whole multiple of `poll_every`, "
        "counted in the daily budget.",
    ),
    (
        "operations[].opt_in",
        "none",
        "Shipped rules that are off unless an operation names them here, like `[service-level]`.",
    ),
)
"""(key, default, meaning) for every other configuration key."""


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_rules_reference() -> str:
    """A markdown table of every rule key: applies to, default, meaning."""
    lines = ["| key | kinds | default | meaning |", "|---|---|---|---|"]
    lines += [
        f"| `{key}` | {kinds} | {_escape(default)} | {_escape(meaning)} |"
        for key, kinds, default, meaning in RULE_KEYS
    ]
    return "\n".join(lines) + "\n"


def render_settings_reference() -> str:
    """A markdown table of every key outside `rules:`."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += [
        f"| `{key}` | {_escape(default)} | {_escape(meaning)} |"
        for key, default, meaning in SETTINGS_KEYS
    ]
    return "\n".join(lines) + "\n"
