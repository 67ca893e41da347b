"""A reload names each store setting it cannot apply by its own key: a new `store.url` (its
password included) is reported as `store.url`, not as a change of `store.path`."""

from __future__ import annotations

from typing import Any

import pytest

from bot.reload import restart_only_changes
from tests.support.config import make_settings

URL = "postgresql://callbot:${PGPASSWORD}@127.0.0.1:5432/callbot"


@pytest.mark.parametrize(
    ("before", "after", "named"),
    [
        ({"path": "a.sqlite3"}, {"path": "b.sqlite3"}, ["store.path"]),
        ({"path": "a.sqlite3"}, {"url": URL}, ["store.path", "store.url"]),
        ({"url": URL}, {"url": URL.replace("callbot:", "other:")}, ["store.url"]),
        ({"url": URL}, {"url": URL, "lease_ttl": "45s"}, ["store.lease_ttl"]),
        ({"url": URL}, {"url": URL}, []),
    ],
    ids=["path", "path-to-url", "url", "lease-ttl", "unchanged"],
)
def test_a_store_change_is_named_by_its_own_key(
    before: dict[str, Any], after: dict[str, Any], named: list[str]
) -> None:
    env = {"PGPASSWORD": "pg-secret-1"}
    old = make_settings(env=env, store=before)
    new = make_settings(env=env, store=after)
    assert restart_only_changes(old, new) == named


def test_a_new_password_alone_is_a_store_url_change() -> None:
    old = make_settings(env={"PGPASSWORD": "pg-secret-1"}, store={"url": URL})
    new = make_settings(env={"PGPASSWORD": "pg-secret-2"}, store={"url": URL})
    assert restart_only_changes(old, new) == ["store.url"]
