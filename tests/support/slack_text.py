"""Reading Slack payloads the way a test needs to: the words a person sees, or every string."""

from __future__ import annotations

from collections.abc import Iterator


def texts(*payloads: object) -> str:
    """Every `text` string in the payloads (fallback, blocks, elements), in order, one a line:
    what a person can read."""
    return "\n".join(text for payload in payloads for text in text_fields(payload))


def text_fields(value: object) -> Iterator[str]:
    """The `text` strings of a payload, in the order Slack shows them."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from text_fields(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from text_fields(item)


def strings(value: object) -> Iterator[str]:
    """Every string anywhere in a payload, keys excluded (ids and URLs too, not only text)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)
