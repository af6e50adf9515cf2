"""Serve `lobby` (as `python app.py` does: a web process and its worker process) or
`bare` (bare_app) on 127.0.0.1, port 0, with waitress and 8 threads as in production;
print the port on stdout."""

import contextlib
import sys
import threading

from waitress.server import create_server


def main(kind: str) -> None:
    if kind == "lobby":
        from app import create_app, hand_off_to_worker
        from config import load_settings

        settings = load_settings()
        lobby_app = create_app(settings)
        hand_off_to_worker(settings, lobby_app)
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
