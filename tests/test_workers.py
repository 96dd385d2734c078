"""The processes that run a build's slow steps: results in order, failures reported."""

from __future__ import annotations

import os

import pytest

from onebot_gen.formatting.steps import Step
from onebot_gen.formatting.workers import Workers


def upper(text: str) -> str:
    return text.upper()


def broken(text: str) -> str:
    raise ValueError(f"cannot make {text!r}")


def nothing() -> None:
    pass


def warm_too() -> None:
    pass


def pid(text: str) -> str:
    return f"{text} {os.getpid()}"


def test_steps_run_in_their_tools_process_and_come_back_in_order() -> None:
    steps = [Step("up", t, upper) for t in ("a", "b")] + [Step("other", "c", str.strip)]
    with Workers({nothing: [upper]}) as workers:
        assert workers.run(steps) == ["A", "B", "c"]
        assert workers.run(steps[:1]) == ["A"]  # and again: a build runs steps twice


def test_steps_of_no_tool_run_in_this_process() -> None:
    with Workers({nothing: [upper]}) as workers:
        served, here = workers.run([Step("up", "a", upper), Step("pid", "b", pid)])
    assert (served, here) == ("A", f"b {os.getpid()}")


def test_a_failing_step_is_reported_with_its_error() -> None:
    with Workers({nothing: [upper], warm_too: [broken]}) as workers:
        with pytest.raises(RuntimeError, match="cannot make 'x'"):
            workers.run([Step("up", "a", upper), Step("broken", "x", broken)])


def test_a_failing_warm_up_does_not_hide_the_steps() -> None:
    with Workers({broken_warm: [upper]}) as workers:
        assert workers.run([Step("up", "a", upper)]) == ["A"]


def broken_warm() -> None:
    raise ImportError("no such tool")


WORKERS_OF_A_KILLED_PARENT = """
import os, sys, time
from onebot_gen.formatting.workers import Workers

def warm():
    pass

def echo(text):
    return text

workers = Workers({warm: [echo], (lambda: None): [str.upper]})
print(" ".join(str(p.pid) for p in workers._processes), flush=True)
time.sleep(60)
"""


def test_the_workers_end_when_the_build_is_killed() -> None:
    """A build killed by SIGKILL runs no cleanup: its workers must see their pipe close."""
    import signal
    import subprocess
    import sys
    import time

    build = subprocess.Popen(
        [sys.executable, "-c", WORKERS_OF_A_KILLED_PARENT], stdout=subprocess.PIPE, text=True
    )
    assert build.stdout is not None
    pids = [int(p) for p in build.stdout.readline().split()]
    assert len(pids) == 2
    build.send_signal(signal.SIGKILL)
    build.wait()
    ends = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < ends:
        alive = [p for p in alive if _alive(p)]
        time.sleep(0.05)
    assert alive == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of the killed build is reparented (to init, which reaps it): a zombie is dead.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"
