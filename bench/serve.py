"""Serve on 127.0.0.1 with waitress and 8 threads as in production, and print the port
on stdout:

- `lobby`: exactly as `python app.py` does (`app.create_web` then `app.serve`): a web
  process that records each request in the durable intake before acking, and the
  worker process it spawns (nice 19) that runs the intake, the outbox and the jobs;
- `lobby-acks`: Lobby's web process alone (`app.create_web`, `handlers.web.wsgi_app`),
  no worker process: the intake only fills up (what the ack path costs, without the
  work competing for the CPUs). Run it with a backlog limit high enough not to refuse;
- `bare`: bench/bare_app.py.

The server stops when its stdin closes or on SIGTERM (Lobby: its graceful stop).
"""

import contextlib
import os
import signal
import socket
import sys
import threading
from dataclasses import replace

from waitress.server import create_server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_when_stdin_closes() -> None:
    """The parent closing our stdin (or dying) stops us as SIGTERM would."""

    def watch() -> None:
        with contextlib.suppress(Exception):
            sys.stdin.read()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="watch-stdin", daemon=True).start()


def serve_lobby() -> None:
    from app import configure_logging, create_web, serve
    from config import load_settings

    configure_logging()
    port = free_port()
    settings = replace(load_settings(), port=port)
    web = create_web(settings)
    print(port, flush=True)
    stop_when_stdin_closes()
    serve(settings, web)  # the web process and its worker process, as production runs


def serve_lobby_acks() -> None:
    from app import configure_logging, create_web
    from config import load_settings
    from handlers.health import HealthCheck
    from handlers.web import wsgi_app

    configure_logging()
    settings = load_settings()
    web = create_web(settings)
    health = HealthCheck(web.lobby.clock, worker_alive=lambda: True, max_backlog=10**9)
    server = create_server(
        wsgi_app(web.bolt, health, web.gate), host="127.0.0.1", port=0, threads=8
    )
    serve_until_stdin_closes(server)


def serve_bare() -> None:
    from bench.bare_app import make_wsgi

    serve_until_stdin_closes(create_server(make_wsgi(), host="127.0.0.1", port=0, threads=8))


def serve_until_stdin_closes(server) -> None:
    print(server.effective_port, flush=True)
    threading.Thread(target=server.run, daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        sys.stdin.read()


def main(kind: str) -> None:
    {"lobby": serve_lobby, "lobby-acks": serve_lobby_acks, "bare": serve_bare}[kind]()


if __name__ == "__main__":
    main(sys.argv[1])
