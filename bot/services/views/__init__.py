"""View models: what a person is about to see, as plain data, and how the services build them.

The services fill these from the domain; the Slack renderer (bot.adapters.slack.blocks*)
and the console renderer consume them. They hold no Slack types and no domain
objects, so rendering can change without touching the domain and the domain can
change without breaking the renderer. All datetimes are aware UTC; `tz` names the
operation's timezone in which times are shown. Strings that came from Wolkvox or
from people are kept raw: escaping and masking are the renderer's job. Values are
plain strings where a domain enum exists (severity `warning` | `critical`, states,
call types and results): any `StrEnum` member fits.

One module per subject, its builder beside it:

    alert.py           an incident's message, a digest, a person's action on an alert
    alert_build.py       ... built from an alert, its rule and the call log
    replies.py         `/calls` replies (last10, status, alerts, rules), the Home tab, notices
    replies_build.py     ... built from the running state alone (stale data flagged)
    history.py         `/calls history`: the store's record as one timeline, and its builder
"""
