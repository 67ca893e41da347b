"""Effects at the edges: Wolkvox over HTTP, Slack, storage, scheduling, the console."""
