"""Configuration internals: YAML -> pydantic -> frozen settings. Import from `bot.settings`."""
