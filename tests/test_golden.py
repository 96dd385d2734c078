"""The committed output is exactly what the generator makes, and it type-checks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from onebot_gen import output
from onebot_gen.build import generate

from .goldens import FIXTURES, GENERATED, SPEC, fixture_names, fixture_output


def test_generated_matches_spec() -> None:
    diffs = output.differences(generate(SPEC), GENERATED)
    assert not diffs, "generated/ is stale; run `onebot-gen build`:\n" + "\n".join(diffs)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_matches_expected(name: str) -> None:
    diffs = output.differences(fixture_output(name), FIXTURES / name / "expected")
    assert not diffs, f"tests/fixtures/{name}/expected is stale; run `make golden`:\n" + "\n".join(diffs)


def test_same_spec_same_bytes() -> None:
    assert generate(SPEC) == generate(SPEC)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, cwd=GENERATED)


def test_generated_package_passes_mypy_strict() -> None:
    result = _run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "onebot_client")
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_package_passes_pyright() -> None:
    result = _run(sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "onebot_client")
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_package_is_black_formatted() -> None:
    result = _run(sys.executable, "-m", "black", "--check", "--line-length", "100", "--target-version", "py311", ".")
    assert result.returncode == 0, result.stdout + result.stderr
