"""The harness the tests share: what a person reads in a Slack payload (slack_text), a
configuration written as the YAML a person would (config), and the bot assembled around
fakes as `callbot run` assembles it around adapters (world)."""
