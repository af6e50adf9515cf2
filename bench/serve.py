"""Serve on 127.0.0.1, port 0, with waitress and 8 threads as in production, and print
the port on stdout:

- `lobby`: as `python app.py` does, a web process and its worker process;
- `lobby-acks`: Lobby's web process alone, its hand-off read and dropped by a process
  that does nothing else (what the ack path costs, without the work competing for CPUs);
- `bare`: bench/bare_app.py.
"""

import contextlib
import multiprocessing
import sys
import threading

from waitress.server import create_server


def drop_everything(receiving) -> None:
    with contextlib.suppress(EOFError):
        while True:
            receiving.recv()


def main(kind: str) -> None:
    if kind.startswith("lobby"):
        from handlers.handoff import hand_off

        from app import create_app, hand_off_to_worker
        from config import load_settings

        settings = load_settings()
        lobby_app = create_app(settings)
        if kind == "lobby":
            hand_off_to_worker(settings, lobby_app)
        else:
            spawn = multiprocessing.get_context("spawn")
            receiving, sending = spawn.Pipe(duplex=False)
            spawn.Process(target=drop_everything, args=(receiving,), daemon=True).start()
            hand_off(lobby_app.bolt, sending)
        wsgi = lobby_app.wsgi
    else:
        from bench.bare_app import make_wsgi

        wsgi = make_wsgi()
    server = create_server(wsgi, host="127.0.0.1", port=0, threads=8)
    print(server.effective_port, flush=True)
    # Exit when the parent closes our stdin or terminates us.
    threading.Thread(target=server.run, daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        sys.stdin.read()


if __name__ == "__main__":
    main(sys.argv[1])
