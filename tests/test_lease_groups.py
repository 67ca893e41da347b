"""Which lease covers each operation (bot.config.lease_groups): one per Wolkvox token (same
server and token), named by the token group's first operation by name, never the token."""

from __future__ import annotations

import pytest

from bot.config.lease_groups import LeaseGroups, lease_groups
from bot.config.model import Settings
from tests.support.config import make_settings, operation, rule

CASES = [
    # (why, [(name, server, token)], operation -> lease key)
    ("alone on its token", [("lima", "0004", "t1")], {"lima": "lima"}),
    (
        "one token, two operations: the first by name, whatever the file's order",
        [("quito", "0004", "t1"), ("lima", "0004", "t1")],
        {"lima": "lima", "quito": "lima"},
    ),
    (
        "different tokens: a lease each",
        [("lima", "0004", "t1"), ("quito", "0004", "t2")],
        {"lima": "lima", "quito": "quito"},
    ),
    (
        "one token on two servers: two tokens to Wolkvox, a lease each",
        [("lima", "0004", "t1"), ("quito", "0005", "t1")],
        {"lima": "lima", "quito": "quito"},
    ),
    (
        "two groups and one alone",
        [
            ("pasto", "0004", "t2"),
            ("cali", "0004", "t1"),
            ("bogota", "0004", "t3"),
            ("lima", "0004", "t1"),
            ("armenia", "0004", "t2"),
        ],
        {
            "armenia": "armenia",
            "pasto": "armenia",
            "cali": "cali",
            "lima": "cali",
            "bogota": "bogota",
        },
    ),
]


def settings(ops: list[tuple[str, str, str]]) -> Settings:
    return make_settings(
        operations=[operation(name, server=server, token=token) for name, server, token in ops],
        rules=[rule(warning=3)],
    )


@pytest.mark.parametrize(
    ("ops", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_the_lease_of_an_operation_is_its_token_groups_first_name(
    ops: list[tuple[str, str, str]], expected: dict[str, str]
) -> None:
    keys = lease_groups(settings(ops).operations)
    assert keys == expected
    assert not any(token in keys.values() for _, _, token in ops)


def test_the_groups_follow_a_reloaded_configuration() -> None:
    groups = LeaseGroups(settings([("lima", "0004", "t1"), ("quito", "0004", "t2")]).operations)
    assert (groups.key("lima"), groups.key("quito")) == ("lima", "quito")

    groups.follow(settings([("lima", "0004", "t1"), ("quito", "0004", "t1")]).operations)
    assert (groups.key("lima"), groups.key("quito")) == ("lima", "lima")
    assert groups.key("removed") == "removed"
