"""How ``run()`` ends on SIGINT (Ctrl-C) or SIGTERM (``docker stop``, ``systemctl stop``), for the
clients and the servers alike: it stops taking events, lets the handlers under way finish for up
to ``GRACE`` seconds (then cancels them), closes the connections with a close frame, logs
``stopped`` and returns, so the process exits without a traceback. A second signal while
stopping ends at once: the handlers under way are cancelled.

Signals are taken only in the main thread (Python delivers them there); elsewhere ``run()``
ends only by ``close()``. The signal's previous handler is put back when ``run()`` returns.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

#: Seconds the handlers under way may take to finish once a signal came.
GRACE = 5.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopping:
    """Whether a signal came, and which: the first calls ``stop()``, a second ``hurry()``."""

    def __init__(self, stop: Callable[[], None], hurry: Callable[[], None]) -> None:
        self._stop = stop
        self._hurry = hurry
        #: The name of the signal that came first (None: none came).
        self.signal: str | None = None

    def received(self, number: int) -> None:
        name = signal.Signals(number).name
        log = logging.getLogger("onebot_client")
        if self.signal is None:
            self.signal = name
            log.info("%s: stopping (the handlers under way have %g s to finish)", name, GRACE)
            self._stop()
        else:
            log.info("%s again: stopping now", name)
            self._hurry()


class AsyncStopping(Stopping):
    """The ``Stopping`` of an asyncio ``run()``: a signal runs ``stop()`` in a task; a second
    one cancels the handlers under way (``tasks``, see ``_events.handle_each``)."""

    def __init__(self, stop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        import asyncio

        super().__init__(self._begin, self._cancel)
        self._loop = asyncio.get_running_loop()
        self._stopping = stop
        self.tasks: set[asyncio.Task[None]] = set()
        self._tasks: set[asyncio.Task[None]] = set()  # the stop's own, kept until it ends

    def _begin(self) -> None:
        task = self._loop.create_task(self._stopping())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _cancel(self) -> None:
        for task in list(self.tasks):
            task.cancel()


@contextlib.contextmanager
def asyncio_signals(stopping: AsyncStopping, enabled: bool) -> Iterator[None]:
    """Hand SIGINT and SIGTERM to ``stopping`` while inside (on the running loop)."""
    import asyncio

    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = {number: signal.getsignal(number) for number in SIGNALS}
    for number in SIGNALS:
        loop.add_signal_handler(number, stopping.received, number)
    try:
        yield
    finally:
        for number, handler in previous.items():
            loop.remove_signal_handler(number)
            signal.signal(number, handler)


@contextlib.contextmanager
def blocking_signals(stopping: Stopping, enabled: bool) -> Iterator[None]:
    """Hand SIGINT and SIGTERM to ``stopping`` while inside; ``stopping`` runs on a thread of its
    own (a signal handler must not take the locks the main thread may hold)."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(number: int, frame: object) -> None:
        threading.Thread(target=stopping.received, args=(number,), daemon=True).start()

    previous = {number: signal.signal(number, handler) for number in SIGNALS}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def stopped(stopping: Stopping) -> None:
    if stopping.signal is not None:
        logging.getLogger("onebot_client").info("stopped")
