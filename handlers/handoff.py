"""The work after the ack runs in a worker process, not in the process that acks.

Bolt runs a listener's lazy functions on threads of the process that answers
Slack, so every command's real work (database, Web API, rendering) shares that
process's interpreter lock with the acks of the commands behind it. Slack gives
an ack 3 seconds; the work after it can wait its turn. So the web process sends
each lazy run, as the request Slack sent and the function's name, to a worker
process through a pipe, and the worker dispatches it to the same listeners,
registered the same way. The backlog lives in memory, like Bolt's own: work handed
off but not yet run is lost if the process dies, as it is with Bolt's threads.
"""

import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.listener.thread_runner import ThreadListenerRunner
from slack_bolt.util.utils import get_name_for_callable


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


class Sender:
    """The web process's end of the hand-off: `put` never blocks an ack.

    Runs are sent in batches by one thread, woken once per batch rather than once
    per run: a thread woken for every ack took the interpreter lock from the next
    ack often enough to double the web process's p99 (bench/)."""

    BATCH_WINDOW_S = 0.002

    def __init__(self, connection: Connection):
        self._connection = connection
        self._pending: list[LazyRun] = []
        self._lock = threading.Lock()
        self._has_pending = threading.Event()
        self._closing = False
        self._thread = threading.Thread(
            target=self._send_until_closed, name="hand-off", daemon=True
        )
        self._thread.start()

    def put(self, run: LazyRun) -> None:
        with self._lock:
            self._pending.append(run)
            first = len(self._pending) == 1
        if first:
            self._has_pending.set()

    def close(self) -> None:
        """Send what is pending, then close: the worker runs it all and stops."""
        self._closing = True
        self._has_pending.set()
        self._thread.join()

    def _send_until_closed(self) -> None:
        while not self._closing:
            self._has_pending.wait()
            time.sleep(self.BATCH_WINDOW_S)  # let the acks arriving meanwhile join the batch
            with self._lock:
                batch, self._pending = self._pending, []
                self._has_pending.clear()
            if batch:
                self._connection.send(batch)
        self._connection.close()


class HandOffListenerRunner(ThreadListenerRunner):
    """Bolt's listener runner for the web process: runs the ack, sends each lazy run.

    Bolt deep-copies a request, with its client and context, before giving it to
    a lazy-listener runner (for a thread of the same process). That copy alone
    cost more than the rest of the ack together (about 120 µs against 80 µs a
    command, measured in bench/); the worker needs only what Slack sent, so the
    runner sends that and skips the copy."""

    def __init__(self, runner: ThreadListenerRunner, sender: Sender):
        super().__init__(
            logger=runner.logger,
            process_before_response=runner.process_before_response,
            listener_error_handler=runner.listener_error_handler,
            listener_start_handler=runner.listener_start_handler,
            listener_completion_handler=runner.listener_completion_handler,
            listener_executor=runner.listener_executor,
            lazy_listener_runner=runner.lazy_listener_runner,
        )
        self.sender = sender

    def _start_lazy_function(self, lazy_func, request: BoltRequest) -> None:
        body = request.raw_body if request.mode == "http" else request.body
        name = get_name_for_callable(lazy_func)
        self.sender.put(LazyRun(body, request.headers, request.mode, name))


def hand_off(bolt: App, connection: Connection) -> Sender:
    """From now on `bolt` acks, and sends the work after each ack to a worker
    through `connection`. Bolt has no setting for its listener runner, hence the
    private attribute."""
    sender = Sender(connection)
    bolt._listener_runner = HandOffListenerRunner(bolt.listener_runner, sender)
    return sender


def run_handed_off(bolt: App, connection: Connection, threads: int) -> list[threading.Thread]:
    """In the worker: receive runs into a local queue, and run them on `threads`
    threads; when the web process closes its end, run what is queued and stop.
    Bolt's dispatch logs a run that fails."""
    runs: queue.SimpleQueue[LazyRun | None] = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                for run in connection.recv():
                    runs.put(run)
        except EOFError:
            for _ in range(threads):
                runs.put(None)

    def take_and_run() -> None:
        while (run := runs.get()) is not None:
            bolt.dispatch(run.request())

    receiver = threading.Thread(target=receive, name="hand-off", daemon=True)
    runners = [threading.Thread(target=take_and_run, daemon=True) for _ in range(threads)]
    for thread in (receiver, *runners):
        thread.start()
    return runners
