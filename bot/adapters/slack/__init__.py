"""Slack: the Bolt app, pure Block Kit rendering and the notifier."""
