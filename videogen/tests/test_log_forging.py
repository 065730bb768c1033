"""A client cannot write a log line of its own: what it sends stays inside its record's
line, in the text format the console handler really uses."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from videogen.logging import TextFormatter

FORGED = "FORGED-LOG-LINE"


def console_formatter() -> logging.Formatter:
    """The formatter the settings give the console handler (LOG_FORMAT defaults to text)."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    return handler.formatter


@pytest.fixture
def written_log():
    """Everything logged during the test, formatted by the real console formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(console_formatter())
    handler.addFilter(logging.getLogger().handlers[0].filters[0])  # request_id
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/api/v1/models%0AFORGED-LOG-LINE",
    "/api/v1/models%0D%0AFORGED-LOG-LINE",
    "/no-page%E2%80%A8FORGED-LOG-LINE",
    "/jobs%0BFORGED-LOG-LINE%1B[2J",
])
def test_a_path_with_line_breaks_writes_no_line_of_its_own(client, written_log, path):
    client.get(path, HTTP_X_REQUEST_ID="abc")

    lines = written_log.getvalue().splitlines()
    assert lines, "the request was not logged"
    assert any(FORGED in line for line in lines)
    # Every line is a record's own: it starts with the record's timestamp.
    assert all(line[:4].isdigit() for line in lines), lines
    assert "\x1b" not in written_log.getvalue()


def test_a_traceback_after_the_message_keeps_its_lines():
    formatter = TextFormatter("%(levelname)s %(message)s")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", ("a\nb",), sys.exc_info())
    text = formatter.format(record)
    assert text.splitlines()[0] == "ERROR failed for a\\nb"
    assert text.splitlines()[1] == "Traceback (most recent call last):"
