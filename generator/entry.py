"""The ``onebot-gen`` command: ``cli.run``, with Ctrl-C at any moment (even while the generator
is still being imported) ending it as click ends a command it interrupts, ``Aborted!`` and status
1, instead of a traceback. What a build had started is undone as on any failure (the output is
swapped in whole, or not at all; the tools' processes are stopped)."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
