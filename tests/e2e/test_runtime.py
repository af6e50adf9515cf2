"""`python app.py` as deployed: real processes, real signals, a restart, nothing lost.

A burst of invitations is acknowledged, the app is stopped (SIGTERM) or killed
(SIGKILL) right after the last ack, and started again: every invitee gets exactly
one invitation and one DM, on SQLite and PostgreSQL, over HTTP and Socket Mode.
"""

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.request import urlopen

import pytest

from storage.db import init_db
from storage.models import Invitation, JoinRequest, Notice, Team
from tests.e2e.conftest import ADMIN, ALICE, SIGNING_SECRET, populate
from tests.e2e.test_reliability import dms_to
from tests.support.database import close_database, database_url
from tests.support.slack_requests import SlackRequests
from tests.support.socket_mode_requests import SocketModeRequests
from tests.test_startup import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
BURST = 40
CLIENTS = 8


class AppProcess:
    """`python app.py` with a port and a database, started and stopped like a deploy."""

    def __init__(self, slack, database_url: str, *, socket_mode: bool, **extra_env):
        self.slack = slack
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            **({"SLACK_APP_TOKEN": slack.app_token} if socket_mode else {}),
            **extra_env,
        }
        self.socket_mode = socket_mode
        self.process = None

    def start(self) -> "AppProcess":
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert wait_healthy(self.url + "/healthz", self.process), self.process.stderr.read()
        if self.socket_mode:
            self.slack.socket_mode.wait_for_connections(1, timeout=10)
        return self

    def requests(self):
        if self.socket_mode:
            return SocketModeRequests(self.slack.socket_mode, self.slack)
        return SlackRequests(self.url, SIGNING_SECRET, self.slack)

    def stop(self, signum=signal.SIGTERM, timeout: float = 35) -> float:
        """Send `signum`; how long the app took to exit."""
        started = time.monotonic()
        self.process.send_signal(signum)
        self.process.wait(timeout=timeout)
        return time.monotonic() - started

    def health(self) -> tuple[int, dict]:
        with urlopen(self.url + "/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    yield database_url(request.param, tmp_path)
    close_database()


@pytest.fixture
def app_process(slack, db_url):
    populate(slack)
    started = []

    def start(*, socket_mode: bool = False, **env) -> AppProcess:
        app = AppProcess(slack, db_url, socket_mode=socket_mode, **env)
        started.append(app)  # before it is up: a start that fails is still stopped
        return app.start()

    yield start
    for app in started:  # gracefully, so no worker outlives its test on the shared database
        if app.process is not None and app.process.poll() is None:
            app.stop(signal.SIGTERM)


def invitees(slack) -> list[str]:
    users = [f"U0BURST{n:03}" for n in range(BURST)]
    for user_id in users:
        slack.add_user(user_id, user_id.lower())
    return users


def burst(requests, users) -> None:
    """Every invitation acknowledged, from CLIENTS clients at once."""
    with ThreadPoolExecutor(CLIENTS) as clients:
        acks = list(clients.map(lambda u: requests.command(f"<@{u}>", user_id=ADMIN), users))
    assert all(ack.status == 200 and not ack.text for ack in acks), [a.text for a in acks]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
@pytest.mark.parametrize("socket_mode", [False, True], ids=["http", "socket-mode"])
def test_a_stop_right_after_a_burst_loses_nothing_and_doubles_nothing(
    app_process, slack, db_url, signum, socket_mode
):
    users = invitees(slack)
    app = app_process(socket_mode=socket_mode)
    requests = app.requests()
    requests.command("team create Design", user_id=ADMIN)
    slack.wait_for(lambda: slack.responses, timeout=15)
    burst(requests, users)
    took = app.stop(signum)
    if signum == signal.SIGTERM:
        assert app.process.returncode == 0 and took < 30
    app_process(socket_mode=socket_mode)
    init_db(db_url)
    slack.wait_for(lambda: all(dms_to(slack, u) for u in users), timeout=60)
    time.sleep(1)  # anything sent twice would arrive now
    per_person = {
        u: Invitation.select().where(Invitation.invitee_user_id == u).count() for u in users
    }
    assert per_person == dict.fromkeys(users, 1)
    assert {u: len(dms_to(slack, u)) for u in users} == dict.fromkeys(users, 1)


def test_a_restart_loop_faster_than_every_job_still_reminds_once(app_process, slack, db_url):
    app = app_process()
    SlackRequests(app.url, SIGNING_SECRET, slack).command("team create Design", user_id=ADMIN)
    slack.wait_for(lambda: slack.responses, timeout=15)
    init_db(db_url)
    two_days_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=2)
    JoinRequest.create(
        workspace_id=slack.team_id,
        team=Team.get(),
        requester_user_id=ALICE,
        created_at=two_days_ago,
        expires_at=two_days_ago + timedelta(days=14),
    )
    for _ in range(3):  # each life far shorter than the 15-minute reminder interval
        app.stop(signal.SIGTERM)
        app = app_process()
    reminders = lambda: [  # noqa: E731
        m for m in slack.messages_to(ADMIN) if "Still waiting for a decision" in (m.text or "")
    ]
    slack.wait_for(reminders, timeout=20)
    app.stop(signal.SIGTERM)
    assert len(reminders()) == 1
    assert Notice.select().where(Notice.kind == "request_reminder").count() == 1


@pytest.mark.parametrize("socket_mode", [False, True], ids=["http", "socket-mode"])
def test_health_reports_the_database_the_worker_and_the_backlog(app_process, socket_mode):
    app = app_process(socket_mode=socket_mode)
    status, report = app.health()
    assert status == 200
    assert report["status"] == "ok" and report["database"] and report["worker"]
    assert report["backlog"] == 0 and report["oldest_age_seconds"] == 0


def test_sigterm_stops_taking_requests_and_closes_the_socket(app_process, slack):
    app = app_process(socket_mode=True)
    (connection,) = slack.socket_mode.open_connections()
    assert app.stop(signal.SIGTERM) < 30 and app.process.returncode == 0
    assert not slack.socket_mode.open_connections()
    assert connection.closed_by == "app"


def test_the_runs_and_the_outbox_have_a_worker_process_each(app_process):
    app = app_process()
    assert len(worker_pids(app.process.pid, 2)) == 2  # app.WORKER_PARTS


@pytest.mark.parametrize("which", [0, -1], ids=["first-worker", "last-worker"])
def test_a_dead_worker_stops_the_web_process_for_a_restart(app_process, which):
    app = app_process()
    os.kill(worker_pids(app.process.pid)[which], signal.SIGKILL)
    assert app.process.wait(timeout=15) != 0


def test_a_killed_web_process_takes_its_workers_with_it(app_process):
    app = app_process()
    workers = worker_pids(app.process.pid)
    app.stop(signal.SIGKILL)
    assert all(gone(worker) for worker in workers)


def test_the_workers_yield_the_cpu_to_the_acks(app_process):
    app = app_process()
    web = os.getpriority(os.PRIO_PROCESS, app.process.pid)
    for worker in worker_pids(app.process.pid):
        assert os.getpriority(os.PRIO_PROCESS, worker) > web


def test_an_app_token_slack_refuses_stops_start_up_with_one_line(slack, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.api_url,
        "SLACK_APP_TOKEN": "xapp-1-A0NOPE-refused",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'lobby.db'}",
    }
    finished = subprocess.run(
        [sys.executable, str(ROOT / "app.py")], env=env, capture_output=True, text=True, timeout=30
    )
    lines = finished.stderr.strip().splitlines()
    assert finished.returncode != 0
    assert len(lines) == 1 and "SLACK_APP_TOKEN" in lines[0] and "invalid_auth" in lines[0]


def worker_pids(pid: int, at_least: int = 1) -> list[int]:
    """The app's spawned workers (not multiprocessing's resource tracker)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        workers = [
            int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()
        ]
        if len(workers) >= at_least:
            return workers
        time.sleep(0.05)
    return []


def gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False
