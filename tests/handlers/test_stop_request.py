"""A signal handler runs in the main thread between two bytecodes, perhaps inside an
Event's own lock: asking a process to stop from one must take no lock."""

import signal
import threading

from handlers.process import StopRequest


def test_a_signal_asks_to_stop_even_while_the_main_thread_holds_the_events_lock():
    stopping = StopRequest()
    handled = threading.Thread(target=stopping.on_signal, args=(signal.SIGTERM, None))
    with stopping._asked._cond:  # as when the signal lands inside Event.wait
        handled.start()
        handled.join(5)
        assert not handled.is_alive()  # setting the Event here would wait forever
    assert stopping.wait(0)


def test_another_thread_asks_to_stop():
    stopping = StopRequest()
    assert not stopping.wait(0)
    threading.Timer(0.05, stopping.ask).start()
    assert stopping.wait(5)
