"""Block Kit limits as Slack enforces them, checked independently of the renderer's helpers.

Slack rejects a whole message (`invalid_blocks`) when one limit is passed, so
every rendered payload in the tests goes through `assert_within_limits`.
Besides our own walk, each block is parsed by slack_sdk's models, whose
`validate_json` checks the limits it knows (it does not know the block cap).
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import Block as SdkBlock

from bot.adapters.slack.blocks_kit import Message
from tests.support.slack_text import strings

BLOCK_CAP = 50
HOME_BLOCK_CAP = 100
SLACK_MARKUP = re.compile(r"<[^>]*>")


def _text(obj: dict[str, Any], kinds: set[str], limit: int, where: str) -> None:
    assert obj["type"] in kinds, f"{where}: text type {obj['type']}"
    text = obj["text"]
    assert isinstance(text, str) and text.strip(), f"{where}: empty text"
    assert len(text) <= limit, f"{where}: {len(text)} > {limit} characters"


def assert_block_within_limits(block: dict[str, Any], where: str) -> None:
    kind = block["type"]
    if "block_id" in block:
        assert len(block["block_id"]) <= 255, f"{where}: block_id too long"
    if kind == "header":
        _text(block["text"], {"plain_text"}, 150, where)
    elif kind == "section":
        assert "text" in block or "fields" in block, f"{where}: empty section"
        if "text" in block:
            _text(block["text"], {"mrkdwn", "plain_text"}, 3000, where)
        fields = block.get("fields", [])
        assert len(fields) <= 10, f"{where}: {len(fields)} fields"
        for field in fields:
            _text(field, {"mrkdwn", "plain_text"}, 2000, where)
    elif kind == "context":
        elements = block["elements"]
        assert 1 <= len(elements) <= 10, f"{where}: {len(elements)} context elements"
        for element in elements:
            _text(element, {"mrkdwn", "plain_text"}, 3000, where)
    elif kind == "actions":
        elements = block["elements"]
        assert 1 <= len(elements) <= 25, f"{where}: {len(elements)} actions"
        ids = [e["action_id"] for e in elements]
        assert len(set(ids)) == len(ids), f"{where}: duplicate action_id"
        for element in elements:
            assert element["type"] == "button"
            _text(element["text"], {"plain_text"}, 75, where)
            assert len(element["action_id"]) <= 255
            assert len(element.get("value", "")) <= 2000
    elif kind != "divider":
        raise AssertionError(f"{where}: unexpected block type {kind}")
    parsed = SdkBlock.parse(block)
    assert parsed is not None, f"{where}: slack_sdk does not know this block"
    parsed.validate_json()
    assert parsed.to_dict() == block, f"{where}: slack_sdk reads this block differently"


def assert_blocks_within_limits(blocks: list[dict[str, Any]], cap: int) -> None:
    assert 1 <= len(blocks) <= cap, f"{len(blocks)} blocks (cap {cap})"
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(set(ids)) == len(ids), "duplicate block_id"
    for i, block in enumerate(blocks):
        assert_block_within_limits(block, f"block {i} ({block['type']})")


def assert_within_limits(message: Message, cap: int = BLOCK_CAP) -> dict[str, Any]:
    """Every Block Kit limit, and a non-empty plain `text` fallback; returns the payload."""
    payload = message.to_payload()
    assert isinstance(payload["text"], str) and payload["text"].strip(), "no text fallback"
    assert len(payload["text"]) <= 3000
    assert "link_names" not in payload and "parse" not in payload
    assert_blocks_within_limits(payload["blocks"], cap)
    return payload


def markup(payload: object) -> set[str]:
    """Every `<...>` Slack would parse (mentions, links) anywhere in the payload."""
    return {m for s in strings(payload) for m in SLACK_MARKUP.findall(s)}
