"""Lobby: wiring only. settings -> database -> service -> Bolt -> listeners -> worker -> server.

`python app.py` runs two processes: the web process verifies, parses and acks
Slack's requests; a worker process it starts runs the work after each ack, the
outbox and the scheduler (handlers/handoff.py says why).
"""

import logging
import multiprocessing
import os
import signal
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.clock import Clock, SystemClock
from bot.jobs.scheduler import build_scheduler
from bot.service import Lobby
from config import Settings, SettingsError, load_settings
from handlers.delivery.mailer import Mailer
from handlers.delivery.outbox_worker import OutboxWorker
from handlers.handoff import hand_off, run_handed_off
from handlers.listeners import register_all
from handlers.web import wsgi_app
from storage.db import init_db

log = logging.getLogger("lobby")


@dataclass
class LobbyApp:
    bolt: App
    wsgi: object
    worker: OutboxWorker
    lobby: Lobby
    scheduler: BackgroundScheduler


def slack_client(settings: Settings, *, wait_on_rate_limits: bool) -> WebClient:
    """Listeners wait out a 429 (a person is waiting for the answer); the outbox
    worker must not block, so it reschedules the notice instead."""
    client = WebClient(token=settings.bot_token, base_url=settings.slack_api_url)
    if wait_on_rate_limits:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


# At DEBUG these log request bodies and SQL parameters: invite codes, tokens, emails.
PAYLOAD_LOGGERS = ("slack_sdk", "slack_bolt", "peewee")


def create_app(
    settings: Settings, clock: Clock | None = None, *, verify_requests: bool = True
) -> LobbyApp:
    """Everything in one process; `serve` splits it between the web and worker processes."""
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.getLogger(name).level, logging.INFO))
    init_db(settings.database_url)
    mailer = Mailer(settings.smtp) if settings.smtp else None
    lobby = Lobby(
        clock=clock or SystemClock(),
        defaults=settings.team_defaults,
        email_enabled=mailer is not None,
    )
    client = slack_client(settings, wait_on_rate_limits=True)
    installed = client.auth_test()
    bolt = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        process_before_response=True,
        token_verification_enabled=False,
        # Socket Mode has no signature to check; HTTP does, once, in the web process.
        request_verification_enabled=verify_requests and not settings.socket_mode,
    )
    register_all(bolt, lobby, installed_team_id=installed["team_id"])
    worker = OutboxWorker(
        slack_client(settings, wait_on_rate_limits=False),
        lobby.clock,
        mailer=mailer,
        join_url=settings.join_url,
        instance_id=settings.instance_id,
    )
    return LobbyApp(
        bolt=bolt,
        wsgi=wsgi_app(bolt),
        worker=worker,
        lobby=lobby,
        scheduler=build_scheduler(lobby),
    )


# Threads taking handed-off runs in the worker; more only queue on the database's write lock.
WORKER_THREADS = 4
# Where the two processes share CPUs, the acks (Slack waits 3 s for them) go first.
WORKER_NICENESS = 19


def serve(settings: Settings, lobby_app: LobbyApp) -> None:
    hand_off_to_worker(settings, lobby_app)
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(lobby_app.bolt, settings.app_token).start()
        return
    from waitress import serve as waitress_serve

    log.info("Lobby listening on port %s", settings.port)
    waitress_serve(lobby_app.wsgi, host="0.0.0.0", port=settings.port, threads=8)


def hand_off_to_worker(settings: Settings, lobby_app: LobbyApp) -> None:
    """Make this the web process: it acks, and the worker process it starts does the rest."""
    hand_off(lobby_app.bolt, start_worker(settings))


def start_worker(settings: Settings) -> Connection:
    """Start the worker process; if it ever dies, so does this process, for a
    supervisor to restart both (a web process alone would ack and do nothing)."""
    spawn = multiprocessing.get_context("spawn")
    receiving, sending = spawn.Pipe(duplex=False)
    worker = spawn.Process(
        target=work, args=(settings, receiving), name="lobby-worker", daemon=True
    )
    worker.start()
    receiving.close()
    log.info("worker process %s started", worker.pid)

    def exit_with_worker() -> None:
        wait([worker.sentinel])
        log.error("the worker process exited (code %s); stopping", worker.exitcode)
        os._exit(1)

    threading.Thread(target=exit_with_worker, name="exit-with-worker", daemon=True).start()
    return sending


def work(settings: Settings, handed_off: Connection) -> None:
    """The worker process: runs handed-off work, the outbox and the scheduler
    until its web process is gone (even by SIGKILL), so no orphan outlives it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the web process; we follow
    os.nice(WORKER_NICENESS)
    configure_logging()
    # The web process verified each request; a run may wait longer than a signature lives.
    lobby_app = create_app(settings, verify_requests=False)
    lobby_app.worker.start()
    lobby_app.scheduler.start()
    run_handed_off(lobby_app.bolt, handed_off, threads=WORKER_THREADS)
    wait([multiprocessing.parent_process().sentinel])
    os._exit(0)


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def main() -> None:
    configure_logging()
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.exit(f"Lobby can't start: {error}")
    serve(settings, create_app(settings))


if __name__ == "__main__":
    main()
