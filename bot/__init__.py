"""callbot: a Slack bot that watches Wolkvox contact-center operations."""

__version__ = "0.1.0"
