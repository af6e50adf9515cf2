"""Issue 7 end to end: retried events, faults in a burst, a killed process, bad signatures."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.db import init_db
from storage.models import Invitation
from tests.e2e.conftest import ADMIN, SIGNING_SECRET, populate
from tests.support.slack_requests import SlackRequests
from tests.test_startup import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
NEWBIE = "U0NEWBIE1"


def dms_to(slack, user_id):
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == user_id and "invitation_accept" in json.dumps(c.args)
    ]


def test_a_retried_event_has_one_effect(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command("newbie@example.com"))
    running.slack.add_user(NEWBIE, "newbie", email="newbie@example.com")
    event = {
        "type": "team_join",
        "user": {"id": NEWBIE, "profile": {"email": "newbie@example.com"}},
    }
    first = running.requests.event(event, event_id="Ev0TEAMJOIN1")
    again = running.requests.event(event, event_id="Ev0TEAMJOIN1", retry_num=1)
    assert first.status == again.status == 200
    running.settled()
    assert len(dms_to(running.slack, NEWBIE)) == 1


@pytest.mark.http_only
def test_a_stale_timestamp_gets_401_and_no_call(running):
    before = len(running.slack.calls)
    response = running.command("team create Design", timestamp=str(int(time.time()) - 6 * 60))
    assert response.status == 401
    assert running.slack.calls[before:] == []


def test_faults_during_a_burst_lose_nothing_and_send_nothing_twice(running):
    running.reply_to(running.command("team create Design"))
    users = [f"U0BURST{i:02}" for i in range(12)]
    for user_id in users:
        running.slack.add_user(user_id, user_id.lower())
    running.slack.fail("chat.postMessage", status=429, retry_after=1, times=3)
    running.slack.fail("chat.postMessage", status=500, times=2)
    running.slack.drop_connections("chat.postMessage", times=4)
    for user_id in users:
        running.command(f"<@{user_id}>")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(dms_to(running.slack, u) for u in users):
        running.clock.advance(seconds=5)  # let retries fall due
        time.sleep(0.2)
    assert {u: len(dms_to(running.slack, u)) for u in users} == dict.fromkeys(users, 1)


def test_secrets_never_reach_the_logs(running, caplog):
    caplog.set_level(logging.DEBUG)
    running.reply_to(running.command("team create Design"))
    reply = running.reply_to(running.command("newbie@example.com"))
    code = reply.split("Their invite code: `")[1].split("`")[0]
    logged = caplog.text
    assert running.slack.token not in logged
    assert SIGNING_SECRET not in logged
    assert code not in logged


def start_app_process(slack, port, database_url):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_killed_process_restarts_and_every_invitation_gets_exactly_one_dm(slack, tmp_path):
    populate(slack)
    users = [f"U0KILL{i:03}" for i in range(20)]
    for user_id in users:
        slack.add_user(user_id, user_id.lower())
    port, database_url = free_port(), f"sqlite:///{tmp_path / 'killed.db'}"
    url = f"http://127.0.0.1:{port}"
    process = start_app_process(slack, port, database_url)
    try:
        assert wait_healthy(url + "/healthz", process)
        requests = SlackRequests(url, SIGNING_SECRET, slack)
        requests.command("team create Design", user_id=ADMIN)
        slack.wait_for(lambda: slack.responses, timeout=10)
        slack.enforce_rate_limit("chat.postMessage", per_minute=600)
        for user_id in users:
            requests.command(f"<@{user_id}>", user_id=ADMIN)
        slack.wait_for(lambda: len(slack.calls_to("chat.postMessage")) >= 5, timeout=15)
        process.send_signal(signal.SIGKILL)  # mid-burst: some DMs out, some not
        process.wait(timeout=10)
        process = start_app_process(slack, port, database_url)
        assert wait_healthy(url + "/healthz", process)
        init_db(database_url)
        invited = [i.invitee_user_id for i in Invitation.select()]
        slack.wait_for(lambda: all(dms_to(slack, u) for u in invited), timeout=30)
        counts = {u: len(dms_to(slack, u)) for u in users}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert invited, "no invitation survived: the kill came too early to prove anything"
    assert {u: counts[u] for u in invited} == dict.fromkeys(invited, 1)
    assert all(counts[u] == 0 for u in users if u not in invited)


def test_the_daily_digest_has_a_button_to_review_requests(running):
    from bot.jobs.scheduler import send_digests
    from storage.models import Team
    from tests.e2e.conftest import ALICE

    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command("request please", user_id=ALICE))
    Team.update(digest_enabled=True).execute()
    send_digests(running.app.lobby)
    digest = running.delivered(
        lambda: [m for m in running.slack.messages_to(ADMIN) if "Today in" in (m.text or "")]
    )[0]
    running.requests.click(digest, "requests_review", user_id=ADMIN)
    url = running.requests.last_payload["response_url"]
    listing = running.slack.wait_for(lambda: running.slack.responses_to(url))[0].payload
    assert f"<@{ALICE}> asks to join" in json.dumps(listing)


def test_a_retried_post_to_a_notification_channel_never_reads_the_channel(running):
    """Lobby has no scope to read channel messages: a retry after a refused post posts
    once, and its exactly-once search happens only in DMs (im:history)."""
    from storage.models import Team
    from tests.e2e.conftest import ALICE

    running.slack.add_channel("C0ADMINS1", "admins", bot_is_member=True)
    running.reply_to(running.command("team create Design"))
    running.settled()
    Team.update(notification_channel="C0ADMINS1").execute()
    running.slack.fail("chat.postMessage", status=500)
    running.reply_to(running.command("request", user_id=ALICE))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not running.slack.messages_to("C0ADMINS1"):
        running.clock.advance(seconds=5)
        time.sleep(0.2)
    running.settled()
    assert len(running.slack.messages_to("C0ADMINS1")) == 1
    searched = [c.args["channel"] for c in running.slack.calls_to("conversations.history")]
    assert all(channel.startswith("D") for channel in searched), searched
