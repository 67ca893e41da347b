"""Orchestration over small Protocol ports; knows no Slack or HTTP types."""
