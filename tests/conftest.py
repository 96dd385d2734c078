"""Fixtures shared by the whole suite: the type checkers, the generator's tool processes, and
what the test processes (pytest-xdist's workers) of a session make once for all of them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from onebot_gen.build import start_tools
from onebot_gen.formatting.workers import Workers

CHECKER_NAMES = ["mypy", "pyright"]


@pytest.fixture(scope="session")
def checkers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The command of each type checker, to be followed by what it checks.

    mypy keeps one cache for the session (one per worker: each has its own temporary
    directory). A cold mypy spends some 4 s on the standard library and the installed client
    before a file of ours, a warm one under 1 s. The cache is keyed by each module's content,
    so a package of the same name built from another spec is checked again where it differs.
    """
    cache = tmp_path_factory.mktemp("mypy-cache")
    return {
        "mypy": [sys.executable, "-m", "mypy", "--strict", "--show-error-codes"]
        + ["--cache-dir", str(cache)],
        "pyright": [sys.executable, "-m", "pyright", "--pythonpath", sys.executable],
    }


@pytest.fixture(scope="session")
def tools() -> Iterator[Workers]:
    """The build's tool processes (black, datamodel-code-generator), started once, for
    ``generate(..., running=tools)``: each build otherwise starts its own, half of a 0.7 s
    build of a fixture spec. ``onebot-gen build --watch`` shares them between builds too."""
    with start_tools() as running:
        yield running


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary directory of this session that all its workers see (under pytest-xdist,
    each worker's own temporary directory is in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


def made_once(path: Path, make: Callable[[Path], None]) -> Path:
    """The directory ``path``, filled by ``make(directory)`` in the first worker that needs it;
    the others wait for it. ``path`` appears only once ``make`` has returned."""
    with FileLock(path.with_name(path.name + ".lock")):
        if not path.exists():
            making = path.with_name(path.name + ".making")
            shutil.rmtree(making, ignore_errors=True)
            making.mkdir()
            make(making)
            making.rename(path)
    return path


def pyright_errors(command: list[str], paths: list[Path], cwd: Path) -> list[str]:
    """pyright's errors in ``paths`` (files, or directories of them), from one run, as it
    prints them: ``file:line:column - error: message``. A run over many files costs little more
    than a run over one: most of a run over one example (2-3 s) reads the standard library and
    the installed client."""
    result = subprocess.run(
        [*command, "--outputjson", *map(str, paths)], capture_output=True, text=True, cwd=cwd
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 1: errors were found
    report = json.loads(result.stdout)
    files = sum(len(list(p.rglob("*.py"))) if p.is_dir() else 1 for p in paths)
    assert report["summary"]["filesAnalyzed"] == files, report["summary"]
    return [
        f"{found['file']}:{found['range']['start']['line'] + 1}:"
        f"{found['range']['start']['character'] + 1} - error: {found['message']}"
        for found in report["generalDiagnostics"]
        if found["severity"] == "error"
    ]
