"""`python app.py` as a newcomer runs it: clear refusals, then a healthy server."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parents[1]


def start(env: dict, cwd: Path) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        env={**clean, **env},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    "env, missing",
    [
        ({}, "SLACK_BOT_TOKEN is not set: the Bot User OAuth Token (xoxb-…) from your Slack"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set: the Signing Secret"),
        ({"SLACK_BOT_TOKEN": "nope", "SLACK_SIGNING_SECRET": "s"}, "must start with xoxb-"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"},
            "PORT must be a whole number",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "mysql://x"},
            "DATABASE_URL must be",
        ),
    ],
)
def test_a_missing_or_malformed_setting_stops_start_up_with_one_line(env, missing, tmp_path):
    process = start(env, tmp_path)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode != 0
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and missing in lines[0], stderr
    assert "Traceback" not in stderr


def test_the_app_starts_and_answers_healthz(slack, tmp_path):
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": slack.api_url,
        "PORT": str(port),
    }
    process = start(env, tmp_path)
    try:
        assert wait_healthy(f"http://127.0.0.1:{port}/healthz", process), process.stderr.read()
        assert (tmp_path / "lobby.db").exists()  # SQLite by default, in the working directory
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 30) -> bool:
    """Until /healthz says 200 (a 503 while the worker starts is waited out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urlopen(url, timeout=5) as response:
                return response.status == 200
        except (URLError, OSError):  # not listening yet, 503, or slow on a busy machine
            time.sleep(0.1)
    return False
