"""`store:` in the configuration: SQLite by default, PostgreSQL by URL, its password never
shown (rejected files: tests/fixtures/config/bad_store_*.yml, in test_settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.model import Settings
from bot.config.store_url import redact_error, redact_url
from bot.settings import ConfigError
from tests.support.config import make_settings, operation

PASSWORD = "pg-5ecret-pw"


def with_store(url: str | None = None, env: dict[str, str] | None = None) -> Settings:
    """One operation, and `store: {url: ...}` when a URL is given, as callbot.yml."""
    store = {} if url is None else {"store": {"url": url}}
    bogota = operation(token="tok-41", licenses=2, channel="C0123456789")
    return make_settings(source="callbot.yml", env=env, operations=[bogota], **store)


def test_sqlite_stays_the_default_store() -> None:
    settings = with_store()
    assert settings.store.path == Path("callbot.sqlite3")
    assert settings.store.url is None


def test_a_url_selects_postgresql_with_its_password_from_the_environment() -> None:
    url = "postgresql://callbot:${PGPASSWORD}@127.0.0.1:5432/callbot"
    settings = with_store(url, env={"PGPASSWORD": PASSWORD})

    assert settings.store.url is not None
    assert settings.store.url.reveal() == f"postgresql://callbot:{PASSWORD}@127.0.0.1:5432/callbot"
    assert PASSWORD not in repr(settings) + str(settings.store)


def test_a_missing_password_variable_is_named_without_any_value() -> None:
    with pytest.raises(ConfigError) as caught:
        with_store("postgresql://callbot:${PGPASSWORD}@127.0.0.1/callbot")
    assert "callbot.yml" in str(caught.value)
    assert "store, url: environment variable PGPASSWORD is not set" in str(caught.value)


def test_a_bad_url_is_reported_with_its_password_masked() -> None:
    with pytest.raises(ConfigError) as caught:
        with_store(f"mysql://callbot:{PASSWORD}@127.0.0.1/callbot")
    message = str(caught.value)
    assert "store, url: must be a postgresql:// URL" in message
    assert "mysql://callbot:***@127.0.0.1/callbot" in message
    assert PASSWORD not in message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:p%40ss@127.0.0.1:5432/db", "postgresql://u:***@127.0.0.1:5432/db"),
        (
            "postgresql://u@127.0.0.1/db?password=x&sslmode=disable",
            "postgresql://u@127.0.0.1/db?password=***&sslmode=disable",
        ),
        ("postgresql://127.0.0.1/db", "postgresql://127.0.0.1/db"),
        ("postgres://u:@127.0.0.1/db", "postgres://u:***@127.0.0.1/db"),
    ],
)
def test_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_an_error_about_a_url_is_one_line_without_the_password() -> None:
    url = "postgresql://u:pa55@127.0.0.1:5433/db"
    text = f"cannot reach {url}:\n\tpassword pa55 rejected"
    assert redact_error(text, url) == (
        "cannot reach postgresql://u:***@127.0.0.1:5433/db: password *** rejected"
    )
