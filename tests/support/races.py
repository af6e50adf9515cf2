"""Two or more deciders at once: each call in its own thread and connection, let go together."""

import threading
from collections.abc import Callable

from storage.db import db


def race(calls: dict[str, Callable[[], object]], refusal: type[Exception]) -> dict[str, str]:
    """Run the calls at once; each name gets "decided", or "refused" when its call raised
    `refusal`. The test's own connection is closed meanwhile and reopened after."""
    db.close()
    start, results = threading.Barrier(len(calls)), {}

    def run(name, call):
        with db.connection_context():
            start.wait()
            try:
                call()
                results[name] = "decided"
            except refusal:
                results[name] = "refused"

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.connect(reuse_if_open=True)
    return results
