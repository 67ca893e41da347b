"""What a `queue` rule says, in the reader's language (issue 15).

"Service level *62%* on Ventas (48 inbound calls); warning below 80%", "*7* waiting on
Soporte; critical at 5", "Abandon *18%* on Ventas ...": the metric, the queue it is about
(`AlertMessageView.subject`), its volume and the threshold in the metric's own direction;
"2 more queues past it" when other queues breach too. Built from the view's numbers,
never from the domain's English detail.
"""

from __future__ import annotations

from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_percent, safe
from bot.adapters.slack.wording import format_value, threshold_text
from bot.services.views.alert import AlertMessageView, Unit

QUEUE = "queue"
ALL_QUEUES = "all queues"
"""The domain's subject of a rule read over every queue together (bot.domain.queue_rules)."""
_SUBJECT_LIMIT = 120


def _subject(tr: Translator, view: AlertMessageView) -> str:
    if not view.subject or view.subject == ALL_QUEUES:
        return tr("kinds.queue.all")
    return safe(view.subject, _SUBJECT_LIMIT)


def queue_value_line(tr: Translator, view: AlertMessageView) -> str:
    """The main line of a queue rule, or why it cannot judge ("" for the shared reasons:
    outside active hours, too few calls)."""
    if view.value is None:
        return tr("kinds.queue.held") if view.status == "held" else ""
    facts = dict(view.facts)
    metric = view.queue_metric or "waiting"
    line = tr(
        f"kinds.queue.{metric}",
        value=format_percent(view.value, tr.lang, trim=True)
        if view.unit == Unit.RATE
        else format_value(view.value, view.unit, tr.lang),
        queue=_subject(tr, view),
    )
    if "inbound" in facts:
        line += " " + tr("kinds.queue.calls", calls=tr.n("pop.inbound", int(facts["inbound"])))
    threshold = threshold_text(tr, view.severity, view.threshold, view.unit, view.below)
    if threshold:
        line += "; " + threshold
    also = int(facts.get("also", 0.0))
    if also:
        line += "; " + tr.n("kinds.queue.also", also)
    return line
