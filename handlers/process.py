"""`python app.py`'s processes, and how they stop.

The web process answers Slack (over HTTP, or a Socket Mode connection) and /healthz; the
worker processes it starts run the intake, the outbox and the scheduler, at a lower CPU
priority, so the acks Slack waits 3 seconds for go first. If any of them dies the others
follow, for a supervisor to restart them all; what they held is in the database and is
taken up again. SIGTERM (or Ctrl-C): stop taking requests, let those in flight finish,
have the worker finish or hand back what it holds, and exit within the shutdown setting.
"""

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait

log = logging.getLogger("lobby")
HEARTBEAT_EVERY = 1.0  # seconds
HEARTBEAT_LIMIT = 10.0  # a worker silent this long is not alive
WORKER_NICENESS = 19


SPAWN = multiprocessing.get_context("spawn")


class WorkerProcess:
    """The web process's handle on one worker process."""

    def __init__(self, target: Callable, *args):
        self.heartbeat = SPAWN.Value("d", 0.0)
        self.process = SPAWN.Process(
            target=target, args=(*args, self.heartbeat), name="lobby-worker", daemon=True
        )

    def start(self, on_death: Callable[[int | None], None]) -> None:
        self.process.start()
        log.info("worker process %s started", self.process.pid)

        def watch() -> None:
            wait([self.process.sentinel])
            on_death(self.process.exitcode)

        threading.Thread(target=watch, name="watch-worker", daemon=True).start()

    def is_alive(self) -> bool:
        fresh = time.time() - self.heartbeat.value < HEARTBEAT_LIMIT
        return self.process.is_alive() and fresh

    def stop(self, timeout: float) -> None:
        """SIGTERM: it finishes or hands back what it holds; killed if it takes too long."""
        self.process.terminate()
        self.process.join(timeout)
        if self.process.is_alive():
            log.error("the worker did not stop within %.0f s; killing it", timeout)
            self.process.kill()
            self.process.join(5)


class WorkerGroup:
    """The web process's handle on its worker processes, which live and stop together."""

    def __init__(self, processes: list[WorkerProcess], shared: tuple = ()):
        self.processes = processes
        # What the processes share (an Event, say) must outlive their start-up: a
        # spawned child opens it by name once started, and its last reference here
        # going away unlinks it.
        self.shared = shared

    def start(self, on_death: Callable[[int | None], None]) -> None:
        for process in self.processes:
            process.start(on_death)

    def is_alive(self) -> bool:
        return all(process.is_alive() for process in self.processes)

    def stop(self, timeout: float) -> None:
        """All are told at once, then each gets what is left of `timeout`."""
        deadline = time.monotonic() + timeout
        for process in self.processes:
            process.process.terminate()
        for process in self.processes:
            process.stop(max(deadline - time.monotonic(), 0.1))


class StopRequest:
    """Asked for by a signal or by another thread; the main thread waits for it.

    A Python signal handler runs in the main thread between two bytecodes, possibly
    inside an Event's own lock (while waiting on it): setting that Event from the handler
    deadlocked a worker whose web process had sent SIGTERM twice, and the orphan went on
    running. So the handler only raises a flag, read at the next wait's end."""

    def __init__(self):
        self._asked = threading.Event()
        self._signalled = False

    def on_signal(self, signum, frame) -> None:
        self._signalled = True  # no lock taken: see the class's comment

    def ask(self) -> None:
        self._asked.set()

    def wait(self, timeout: float) -> bool:
        """True once asked; a signal is seen within `timeout`."""
        return self._asked.wait(timeout) or self._signalled


def run_worker(worker, heartbeat, *, shutdown_seconds: float) -> None:
    """The worker process's main loop: beat while its runners are alive; stop on SIGTERM
    or when the web process is gone (even by SIGKILL), so no orphan sends anything."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the web process, which stops us
    os.nice(WORKER_NICENESS)
    stopping = StopRequest()
    signal.signal(signal.SIGTERM, stopping.on_signal)

    def follow_parent() -> None:
        wait([multiprocessing.parent_process().sentinel])
        stopping.ask()

    threading.Thread(target=follow_parent, name="follow-parent", daemon=True).start()
    worker.start()
    while not stopping.wait(HEARTBEAT_EVERY):
        if worker.is_alive():
            heartbeat.value = time.time()
    worker.stop(max(shutdown_seconds - 5, 1))
    log.info("worker stopped")
    os._exit(0)


class WebProcess:
    """Serves until SIGTERM, then stops in order within `shutdown_seconds`."""

    def __init__(self, *, server, gate, writer, worker: WorkerGroup, shutdown_seconds: float):
        self.server = server
        self.gate = gate
        self.writer = writer
        self.worker = worker
        self.shutdown_seconds = shutdown_seconds
        self.socket_mode = None  # a Socket Mode handler, when Slack connects that way
        self.stopping = threading.Event()
        self._signalled = False  # set by the signal handler, which must take no lock

    def serve(self) -> None:
        self.worker.start(on_death=self._worker_died)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        if self.socket_mode is not None:
            self.socket_mode.connect()
        self.server.run()

    def _on_signal(self, signum, frame) -> None:
        """See StopRequest: no Event is set here; the stopping thread sets it."""
        if not self._signalled:
            self._signalled = True
            threading.Thread(target=self._stop, name="stop", daemon=True).start()

    def _stop(self) -> None:
        self.stopping.set()
        deadline = time.monotonic() + self.shutdown_seconds
        log.info("stopping: no new requests; finishing what is in flight")
        if self.socket_mode is not None:
            self.socket_mode.close()
        self.gate.close(wait_seconds=5)
        self.writer.close()  # commits what was acked but not yet written
        self.worker.stop(timeout=max(deadline - time.monotonic() - 1, 1))
        log.info("stopped")
        os._exit(0)

    def _worker_died(self, exitcode) -> None:
        if self._signalled or self.stopping.is_set():
            return  # it was told to stop
        log.error("the worker process exited (code %s); stopping", exitcode)
        os._exit(1)
