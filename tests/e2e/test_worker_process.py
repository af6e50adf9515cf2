"""`python app.py` is two processes: the web process acks, its worker does the rest."""

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from handlers.handoff import LazyRun, Sender
from tests.e2e.conftest import ADMIN, ALICE, SIGNING_SECRET, populate
from tests.e2e.test_reliability import dms_to, start_app_process
from tests.support.slack_requests import FORM, SlackRequests
from tests.test_startup import free_port, wait_healthy


@pytest.fixture
def app_process(slack, tmp_path):
    populate(slack)
    port = free_port()
    process = start_app_process(slack, port, f"sqlite:///{tmp_path / 'lobby.db'}")
    url = f"http://127.0.0.1:{port}"
    assert wait_healthy(url + "/healthz", process)
    yield process, SlackRequests(url, SIGNING_SECRET, slack)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def workers_of(pid: int) -> list[int]:
    """Its spawned children, leaving out multiprocessing's resource tracker."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
        except FileNotFoundError:
            return True
        if status == "Z":  # exited; only its (killed) parent had not reaped it
            return True
        time.sleep(0.05)
    return False


def test_the_web_process_acks_and_its_worker_sends_the_invitation(app_process, slack):
    process, requests = app_process
    (worker,) = workers_of(process.pid)
    requests.command("team create Design", user_id=ADMIN)
    slack.wait_for(lambda: slack.responses, timeout=10)
    ack = requests.command(f"<@{ALICE}>", user_id=ADMIN)
    assert ack.status == 200
    assert slack.wait_for(lambda: dms_to(slack, ALICE), timeout=10)
    assert workers_of(process.pid) == [worker]


def test_the_worker_yields_the_cpu_to_the_acks(app_process):
    process, _ = app_process
    (worker,) = workers_of(process.pid)
    web_priority = os.getpriority(os.PRIO_PROCESS, process.pid)
    deadline = time.monotonic() + 10  # the worker lowers its own priority as it starts
    while os.getpriority(os.PRIO_PROCESS, worker) == web_priority and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.getpriority(os.PRIO_PROCESS, worker) > web_priority


def test_handing_off_never_blocks_an_ack_while_the_worker_lags():
    receiving, sending = multiprocessing.Pipe(duplex=False)
    sender = Sender(sending)
    run = LazyRun("x" * 2000, {}, "http", "run")
    many = 5_000  # 10 MB: far more than a pipe holds while nobody reads
    done = threading.Event()

    def put_all() -> None:
        for _ in range(many):
            sender.put(run)
        done.set()

    threading.Thread(target=put_all, daemon=True).start()
    assert done.wait(timeout=10), "a put blocked on the full pipe"
    received = []
    closer = threading.Thread(target=sender.close)
    closer.start()
    with contextlib.suppress(EOFError):
        while True:
            received.extend(receiving.recv())
    closer.join()
    assert len(received) == many


def test_a_killed_web_process_takes_its_worker_with_it(app_process):
    process, _ = app_process
    (worker,) = workers_of(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert gone(worker), "the worker outlived its web process"


def test_a_dead_worker_stops_the_web_process(app_process):
    process, _ = app_process
    (worker,) = workers_of(process.pid)
    os.kill(worker, signal.SIGKILL)
    assert process.wait(timeout=10) != 0


def test_the_worker_runs_a_request_whose_signature_has_since_expired(running):
    """Verified once on arrival: a run that waited in the queue past the five
    minutes a signature lives must still run, not be refused as a replay."""
    running.reply_to(running.command("team create Design"))
    body = urlencode(running.requests.command_fields(f"<@{ALICE}>", user_id=ADMIN))
    stale = str(int(time.time()) - 10 * 60)
    headers = {
        "content-type": [FORM],
        "x-slack-request-timestamp": [stale],
        "x-slack-signature": [
            running.requests.verifier.generate_signature(timestamp=stale, body=body)
        ],
    }
    running.app.bolt.dispatch(LazyRun(body, headers, "http", "run").request())
    assert running.delivered(lambda: dms_to(running.slack, ALICE))
