"""What PHP prints before the JSON is skipped and counted; an error page stays an error."""

from __future__ import annotations

import logging

import httpx
import orjson
import pytest
from prometheus_client import generate_latest

from bot.adapters.clock import ManualClock
from bot.adapters.metrics import Metrics
from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.errors import PayloadError
from bot.adapters.wolkvox.php_noise import skip_noise
from bot.adapters.wolkvox.response import decode_response
from tests.adapters.wolkvox.conftest import FakeWolkvox, calls_body, make_target

JSON = calls_body(3)
HTML_WARNING = (
    b'<br />\n<b>Warning</b>:  Undefined array key "skill" in '
    b"<b>/var/www/html/api/v2/real_time.php</b> on line <b>212</b><br />\n"
)
TEXT_LINES = (
    b"PHP Deprecated:  Creation of dynamic property Report::$skill is deprecated in "
    b"/var/www/html/real_time.php on line 88\n"
    b"Notice: Undefined index: skill in /var/www/html/real_time.php on line 97\n"
)


@pytest.mark.parametrize(
    ("prefix", "kinds"),
    [
        (b"", ()),
        (b"\xef\xbb\xbf", ("bom",)),
        (b"\r\n\r\n  ", ("whitespace",)),
        (b"\xef\xbb\xbf\n", ("bom", "whitespace")),
        (HTML_WARNING, ("php_warning",)),
        (HTML_WARNING + HTML_WARNING, ("php_warning", "php_warning")),
        (TEXT_LINES, ("php_deprecated", "php_notice")),
        (b"\n" + TEXT_LINES, ("whitespace", "php_deprecated", "php_notice")),
        (b"Warning: strlen() expects parameter 1 in /x.php on line 3\n", ("php_warning",)),
    ],
    ids=[
        "clean",
        "bom",
        "blank lines",
        "bom and blank line",
        "html warning",
        "two warnings",
        "text deprecated and notice",
        "blank then text",
        "plain warning",
    ],
)
def test_what_php_prints_before_the_json_is_skipped_and_named(
    prefix: bytes, kinds: tuple[str, ...]
) -> None:
    rest, skipped = skip_noise(prefix + JSON)
    assert bytes(rest) == JSON
    assert skipped == kinds
    envelope = decode_response(200, prefix + JSON)
    assert len(envelope.rows) == 3
    assert envelope.noise == kinds


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<!DOCTYPE html><html><body>Error</body></html>", "HTML page instead of JSON"),
        (HTML_WARNING + b"<br />\n<b>Fatal error</b>:  Allowed memory size", "HTML page"),
        (b"Fatal error: Allowed memory size exhausted\n" + JSON, "not valid JSON"),
        (HTML_WARNING, "empty body"),
        (b"Warning: x\n" + JSON[:-5], "not valid JSON"),
    ],
    ids=["html page", "warning then fatal error", "text fatal error", "only a warning", "cut"],
)
def test_anything_else_before_or_instead_of_the_json_is_still_an_error(
    body: bytes, says: str
) -> None:
    with pytest.raises(PayloadError, match=says):
        decode_response(200, body)


def test_an_error_envelope_after_a_warning_is_still_that_error() -> None:
    refused = orjson.dumps({"code": 403, "error": "FORBIDDEN", "msg": "PLEASE VALIDATE TOKEN"})
    with pytest.raises(Exception, match="wrong or expired"):
        decode_response(403, HTML_WARNING + refused)


async def test_noise_is_counted_on_a_metric_every_time_and_logged_once_per_operation(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    wolkvox = FakeWolkvox()

    async def noisy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"\xef\xbb\xbf" + TEXT_LINES + JSON)

    wolkvox.handler = noisy
    metrics = Metrics()
    async with WolkvoxClient(
        clock=clock, transport=wolkvox.transport, on_request=metrics.observe_request
    ) as client:
        for _ in range(3):
            batch = await client.calls_last_10(make_target())
            assert len(batch.records) == 3
        await client.calls_last_10(make_target(name="beta"))

    lines = [r.getMessage() for r in caplog.records if "event=wolkvox_noise" in r.getMessage()]
    assert len(lines) == 2, "once per operation"
    assert "operation=acme" in lines[0] and "skipped=bom,php_deprecated,php_notice" in lines[0]
    text = generate_latest(metrics.registry).decode()
    for kind in ("bom", "php_deprecated", "php_notice"):
        assert f'callbot_wolkvox_noise_skipped_total{{kind="{kind}",operation="acme"}} 3.0' in text
    assert 'callbot_wolkvox_noise_skipped_total{kind="bom",operation="beta"} 1.0' in text
