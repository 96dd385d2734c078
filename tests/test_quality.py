"""The generator's own code meets the bar it sets for the generated code."""

from __future__ import annotations

import subprocess
import sys

from .goldens import ROOT


def test_generator_passes_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "generator"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_black_formatted() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "generator", "tests", "templates"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
