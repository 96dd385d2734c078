"""Helpers shared by the benchmark scripts: timing and the table they print."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def timed_runs(
    run: Callable[[], None],
    repeat: int,
    before: Callable[[], None] = lambda: None,
    after: Callable[[], None] = lambda: None,
) -> list[float]:
    """Wall seconds of ``repeat`` runs, calling ``before`` ahead of each and ``after`` behind
    each (both untimed)."""
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
        after()
    return times


#: The environment of timed processes: Python may cache bytecode, as on a user's machine.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def command(*args: str, cwd: str | None = None) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(
            args,
            check=True,
            cwd=cwd,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    return run


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([title, line(header), line(["-" * w for w in widths]), *map(line, rows)])


def summary(times: list[float]) -> tuple[float, float]:
    return min(times), statistics.median(times)
