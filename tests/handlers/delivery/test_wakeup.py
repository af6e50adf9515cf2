"""A run in one process wakes the outbox in another (on PostgreSQL the outbox has a
worker process of its own)."""

from handlers.delivery import outbox_worker
from handlers.process import SPAWN


def _record_in_a_process(wakeup) -> None:
    outbox_worker.share_wakeup(wakeup)
    outbox_worker.notices_recorded()  # what a runner calls once its run committed


def test_notices_recorded_in_another_process_wake_the_outbox():
    wakeup = SPAWN.Event()
    runs = SPAWN.Process(target=_record_in_a_process, args=(wakeup,))
    runs.start()
    runs.join(30)
    assert runs.exitcode == 0
    assert wakeup.wait(5)
