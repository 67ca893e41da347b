"""Pure rendering of everything a person sees in Slack: view models in, text + Block Kit out.

The renderers live in blocks_commands.py (slash-command replies that show data),
blocks_help.py (help, usage, notices), blocks_alerts.py (incident messages, thread
notes) and blocks_home.py (the Home tab), on top of blocks_kit.py (limits by
construction). This module is the one import the listeners, the notifier and the
tests need.
"""

from __future__ import annotations

from bot.adapters.slack.blocks_alerts import (
    ACK_ACTION,
    SILENCE_1H_ACTION,
    SILENCE_TOMORROW_ACTION,
    render_alert_message,
    render_alert_note,
    render_thread_note,
)
from bot.adapters.slack.blocks_commands import (
    render_alerts,
    render_last10,
    render_rules,
    render_status,
)
from bot.adapters.slack.blocks_help import render_help, render_notice, render_usage
from bot.adapters.slack.blocks_home import render_home
from bot.adapters.slack.blocks_kit import Block, Message

__all__ = [
    "ACK_ACTION",
    "SILENCE_1H_ACTION",
    "SILENCE_TOMORROW_ACTION",
    "Block",
    "Message",
    "render_alert_message",
    "render_alert_note",
    "render_alerts",
    "render_help",
    "render_home",
    "render_last10",
    "render_notice",
    "render_rules",
    "render_status",
    "render_thread_note",
    "render_usage",
]
