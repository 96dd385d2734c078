"""The processes that run the slow, pure steps (black, datamodel-code-generator).

A build starts ``Workers`` before it reads anything (a build the cache has stops them unused):
a process per tool imports it (black 0.2 s; datamodel-code-generator 0.9 s, most of it its
first run) on another core while this one reads the spec, looks in the cache, resolves and
renders. The processes import the tool and the module of its steps, not the generator. The
steps then run in those processes, or in processes they fork, which start with the tools
imported. A one-action edit so waits for the spec, not for the imports.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterable, Mapping
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .steps import Step

#: Below this much input in all, the steps run one after another: forking and importing the
#: tools again in each process would cost more than it saves.
SMALL = 16 * 1024


class Workers:
    """Runs steps in processes that imported their tools while the spec was being read, one
    process per tool (where processes can fork; elsewhere, in a pool started when the steps are
    known). Black is ready long before datamodel-code-generator, so an edit that needs only
    black does not wait for the other."""

    def __init__(self, tools: Mapping[Callable[[], None], Iterable[Callable[[str], str]]]) -> None:
        """``tools``: what imports each tool, and the steps' ``make`` functions that use it.
        Other steps (quick ones) run in this process."""
        self._served: dict[Callable[[str], str], tuple[BaseProcess, Connection]] = {}
        self._processes: list[BaseProcess] = []
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        ends: list[Connection] = []  # this process's end of each pipe
        for warm, makes in tools.items():
            ours, theirs = context.Pipe()
            ends.append(ours)
            # Not a daemon: it forks the workers of a large build. It closes the ends of the
            # pipes it inherits, so that when this process dies (even by SIGKILL) its pipe is
            # closed and it reads EOF and ends.
            process = context.Process(
                target=_serve, args=(theirs, warm, list(ends)), name="onebot-gen"
            )
            process.start()
            theirs.close()
            self._processes.append(process)
            self._served.update((make, (process, ours)) for make in makes)

    def run(self, steps: list[Step]) -> list[str]:
        """Each step's result, in order."""
        by_conn: dict[Connection | None, list[int]] = {}
        for i, step in enumerate(steps):
            served = self._served.get(step.make)
            by_conn.setdefault(served[1] if served else None, []).append(i)
        results: dict[int, str] = {}
        waiting = []
        for conn, indices in by_conn.items():
            if conn is None:
                results.update(zip(indices, run_all([steps[i] for i in indices])))
            else:
                conn.send([steps[i] for i in indices])
                waiting.append((conn, indices))
        for conn, indices in waiting:
            try:
                ok, value = conn.recv()
            except (EOFError, OSError) as exc:
                raise RuntimeError(f"a formatting process ended early: {exc!r}") from None
            if not ok:
                raise RuntimeError(f"a formatting step failed:\n{value}")
            results.update(zip(indices, value))
        return [results[i] for i in range(len(steps))]

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for process in self._processes:
            # Done, or not needed. Its group: it and the processes it forked for a large build
            # (left alone, they would wait forever to hand in their results).
            assert process.pid is not None  # started in __init__
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:  # not in a group of its own yet
                process.terminate()
            process.join()


def _serve(conn: Connection, warm: Callable[[], None], inherited: list[Connection]) -> None:
    os.setpgid(0, 0)  # a group of its own, with the processes it forks: the build ends them all
    _ignore_interrupts()
    for end in inherited:
        end.close()
    try:
        warm()
    except Exception:
        pass  # the steps meet the same failure, and report it
    while True:
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
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_ignore_interrupts
    ) as pool:
        order = sorted(range(len(steps)), key=lambda i: -len(steps[i].text))
        runs = pool.map(_run, [(steps[i].make, steps[i].text) for i in order])
        results = dict(zip(order, runs))
    return [results[i] for i in range(len(steps))]


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C is for the build, which stops its workers (a worker interrupted
    would print a traceback of its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(job: tuple[Callable[[str], str], str]) -> str:
    make, text = job
    return make(text)
