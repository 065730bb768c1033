"""The forking worker's stop signals around the steps that would lose them.

RQ's handler for SIGTERM and SIGINT raises StopRequested wherever the worker's main
thread is. Raised inside a fork's Python at-fork hooks (logging's locks, ...) it is
swallowed as unraisable; raised inside a step that catches every exception (the
dispatch's and the registration repair's "safely" wrappers) it is taken for a failure.
Either way the worker never stops. ``signals_held`` holds the signals across such a
step and acts on them after it.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager


@contextmanager
def signals_held(signums: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)):
    """Hold the worker's stop signals across the block, then act on them, in the worker
    only: a child forked inside sets its own handlers before it could leave the block;
    should one leave it, what was held is the worker's, not the child's."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers run in the main thread only: nothing to hold here
        return
    worker = os.getpid()
    caught: list[int] = []
    previous = {signum: signal.signal(signum, lambda number, frame: caught.append(number)) for signum in signums}
    try:
        yield
    finally:
        if os.getpid() == worker:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            for signum in caught:
                handler = previous[signum]
                if callable(handler):
                    handler(signum, None)
                elif handler == signal.SIG_DFL:
                    signal.raise_signal(signum)
