"""The processes that run the slow, pure steps (black, datamodel-code-generator).

A build the cache does not have starts ``Workers`` before it reads the spec: a process imports
the tools (about 0.9 s, most of it datamodel-code-generator's first run) on another core while
this one reads, resolves and renders the spec. The steps then run in that process, or in
processes it forks, which start with the tools imported. A one-action edit so waits for the
spec, not for the imports.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .output import Step

#: Below this much input in all, the steps run one after another: forking and importing the
#: tools again in each process would cost more than it saves.
SMALL = 64 * 1024


class Workers:
    """Runs steps in a process that imported the tools while the spec was being read (where
    processes can fork; elsewhere, in a pool started when the steps are known)."""

    def __init__(self, warm: Callable[[], None]) -> None:
        self._process: multiprocessing.process.BaseProcess | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self._conn, theirs = context.Pipe()
        # Not a daemon: it forks the workers of a large build.
        self._process = context.Process(target=_serve, args=(theirs, warm), name="onebot-gen")
        self._process.start()
        theirs.close()

    def run(self, steps: list[Step]) -> list[str]:
        """Each step's result, in order."""
        if not steps:
            return []
        if self._process is None:
            return run_all(steps)
        try:
            self._conn.send(steps)
            ok, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise RuntimeError(f"the formatting process ended early: {exc!r}") from None
        if not ok:
            raise RuntimeError(f"a formatting step failed:\n{value}")
        return list(value)

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()  # done, or not needed (an invalid spec)
            self._process.join()


def _serve(conn: Connection, warm: Callable[[], None]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build stops it
    warm()
    try:
        steps = conn.recv()
    except EOFError:
        return
    try:
        conn.send((True, run_all(steps)))
    except Exception:
        conn.send((False, traceback.format_exc()))


def run_all(steps: list[Step]) -> list[str]:
    """Each step's result, in order: in a pool of one process per core when there is much to
    do, largest first so that the big modules do not wait behind the small ones."""
    workers = min(len(steps), os.cpu_count() or 1)
    if workers < 2 or sum(len(step.text) for step in steps) < SMALL:
        return [step.make(step.text) for step in steps]
    import concurrent.futures

    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        order = sorted(range(len(steps)), key=lambda i: -len(steps[i].text))
        runs = pool.map(_run, [(steps[i].make, steps[i].text) for i in order])
        results = dict(zip(order, runs))
    return [results[i] for i in range(len(steps))]


def _run(job: tuple[Callable[[str], str], str]) -> str:
    make, text = job
    return make(text)
