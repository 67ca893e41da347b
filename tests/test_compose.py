"""docker-compose.yml, read as Docker Compose reads it (YAML, anchors merged): PostgreSQL and
two callbot replicas on one store. Only parsed: no image is built or pulled."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.settings import parse_settings

ROOT = Path(__file__).resolve().parents[1]
REPLICAS = ("callbot-1", "callbot-2")
_VAR = re.compile(r"\$\{(\w+)(?::[?-][^}]*)?\}")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    found: dict[str, Any] = compose["services"]
    return found


def expand(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}` / `${VAR:?message}` interpolation."""
    return _VAR.sub(lambda m: env[m.group(1)], value)


def test_postgres_is_checked_healthy_before_either_replica_starts(services) -> None:
    assert set(services) == {"postgres", *REPLICAS}
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    for name in REPLICAS:
        replica = services[name]
        assert replica["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert replica["build"] == "."  # this repository's Dockerfile
        assert replica["command"][:2] == ["callbot", "run"]
        probe = " ".join(replica["healthcheck"]["test"])
        assert "CALLBOT_HEALTH_URL" in probe
        assert replica["environment"]["CALLBOT_HEALTH_URL"].endswith("/healthz")


def test_both_replicas_share_one_store_url_that_names_the_postgres_service(services) -> None:
    env = {"POSTGRES_PASSWORD": "pw-from-env"}
    urls = {expand(services[n]["environment"]["CALLBOT_STORE_URL"], env) for n in REPLICAS}
    assert len(urls) == 1
    (url,) = urls
    parts = urlsplit(url)
    database = services["postgres"]["environment"]
    assert parts.scheme == "postgresql" and parts.hostname == "postgres" and parts.port == 5432
    assert parts.username == database["POSTGRES_USER"]
    assert parts.path == "/" + database["POSTGRES_DB"]
    assert parts.password == expand(database["POSTGRES_PASSWORD"], env)
    mounts = {tuple(services[n]["volumes"]) for n in REPLICAS}
    assert mounts == {("./callbot.yml:/etc/callbot/callbot.yml:ro",)}
    # The configuration the comment tells people to write reads that url as its store.
    settings = parse_settings(
        "store:\n  url: ${CALLBOT_STORE_URL}\nslack: {default_channel: C0ALERTS1}\n"
        "operations:\n  - {name: bogota, server: '0004', token: t, licenses: 10}\n",
        source="callbot.yml",
        env={"CALLBOT_STORE_URL": url},
    )
    assert settings.store.url is not None and settings.store.url.reveal() == url


def test_no_secret_is_written_in_the_file(services) -> None:
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in ("TOKEN", "PASSWORD", "SECRET")):
                assert _VAR.fullmatch(value), f"{name}: {key} must come from the environment"
        store_url = (service.get("environment") or {}).get("CALLBOT_STORE_URL")
        if store_url is not None:
            assert "${POSTGRES_PASSWORD" in store_url
