"""``onebot-gen build --watch`` in a process of its own, its lines read as they come (for the
tests and ``bench/build.py``)."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path


class Watching:
    def __init__(
        self, spec: Path, out: Path, cache: Path, env: Mapping[str, str] | None = None
    ) -> None:
        args = ["build", "--spec", str(spec), "--out", str(out), "--cache-dir", str(cache)]
        # A background job of a shell ignores SIGINT, and so would the command it starts: it
        # then could not be stopped with Ctrl-C. A handler (reset to the default at exec) does
        # not pass on.
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "onebot_gen.cli", *args, "--watch"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                # SIGABRT then prints every thread's stack (see ``stop``)
                env={**(os.environ if env is None else env), "PYTHONFAULTHANDLER": "1"},
            )
        finally:
            signal.signal(signal.SIGINT, previous)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_build(self) -> list[str]:
        """The lines of the next build that ended, up to its last: ``wrote ...``, or the count
        of the spec's problems."""
        said: list[str] = []
        while not said or not (said[-1].startswith("wrote ") or " problem(s) in " in said[-1]):
            said.append(self.lines.get(timeout=120))
        return said

    def settle(self) -> None:
        """Wait until no build has said anything for a second."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.lines.get(timeout=1.0)

    def stop(self) -> int:
        """Ctrl-C; returns the exit status. A process that does not stop is aborted, and the
        failure shows where each of its threads was."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            self.process.wait(timeout=30)
            said = []
            with contextlib.suppress(queue.Empty):
                while True:
                    said.append(self.lines.get(timeout=1.0))
            raise AssertionError(
                "build --watch did not stop within 30 s of Ctrl-C; what it said last:\n"
                + "\n".join(said)
            ) from None
