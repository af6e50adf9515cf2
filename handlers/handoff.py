"""The work after the ack runs in a worker process, not in the process that acks.

Bolt runs a listener's lazy functions on threads of the process that answers
Slack, so every command's real work (database, Web API, rendering) shares that
process's interpreter lock with the acks of the commands behind it. Slack gives
an ack 3 seconds; the work after it can wait its turn. So the web process hands
each lazy run, as the request Slack sent and the function's name, to a worker
process through a queue, and the worker dispatches it to the same listeners,
registered the same way. The queue lives in memory, like Bolt's own: work handed
off but not yet run is lost if the process dies, as it is with Bolt's threads.
"""

import logging
import multiprocessing
import threading
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.lazy_listener import LazyListenerRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LazyRun:
    """What a worker needs to run one lazy function: Slack's request and the name."""

    body: Any  # the raw body over HTTP, the parsed payload in Socket Mode
    headers: dict[str, list[str]]
    mode: str
    function_name: str

    def request(self) -> BoltRequest:
        headers = {
            **self.headers,
            "x-slack-bolt-lazy-only": ["1"],
            "x-slack-bolt-lazy-function-name": [self.function_name],
        }
        return BoltRequest(body=self.body, headers=headers, mode=self.mode)


class HandOff(LazyListenerRunner):
    """Bolt's lazy-listener runner for the web process: queue the run, return at once."""

    def __init__(self, queue: multiprocessing.Queue):
        self.queue = queue
        self.logger = log

    def start(self, function, request: BoltRequest) -> None:
        body = request.raw_body if request.mode == "http" else request.body
        self.queue.put(LazyRun(body, request.headers, request.mode, request.lazy_function_name))


def run_handed_off(bolt: App, queue: multiprocessing.Queue, threads: int) -> list[threading.Thread]:
    """In the worker: `threads` threads each take the next run from the queue
    (None stops one). Taking one at a time leaves the backlog in the queue rather
    than in an executor's unbounded list; Bolt's dispatch logs a run that fails."""

    def take_and_run() -> None:
        while (run := queue.get()) is not None:
            bolt.dispatch(run.request())

    runners = [threading.Thread(target=take_and_run, daemon=True) for _ in range(threads)]
    for runner in runners:
        runner.start()
    return runners
