"""The committed output is exactly what the generator makes, and it type-checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from onebot_gen import output
from onebot_gen.build import generate
from onebot_gen.memo import Memo

from .goldens import FIXTURES, GENERATED, SPEC, fixture_names, fixture_output


def test_generated_matches_spec() -> None:
    diffs = output.differences(generate(SPEC), GENERATED)
    assert not diffs, "generated/ is stale; run `onebot-gen build`:\n" + "\n".join(diffs)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_matches_expected(name: str) -> None:
    diffs = output.differences(fixture_output(name), FIXTURES / name / "expected")
    assert not diffs, f"tests/fixtures/{name}/expected is stale; run `make golden`:\n" + "\n".join(
        diffs
    )


def test_same_spec_same_bytes() -> None:
    assert generate(SPEC) == generate(SPEC)


def type_check(root: Path) -> None:
    """mypy --strict and pyright over the package in ``root``; fails with their output."""
    for command in (
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "onebot_client"],
        [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "onebot_client"],
    ):
        result = subprocess.run(command, capture_output=True, text=True, cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr


def test_generated_package_type_checks() -> None:
    type_check(GENERATED)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_package_type_checks(name: str, tmp_path: Path) -> None:
    output.write(generate(FIXTURES / name / "spec"), tmp_path / "out")
    type_check(tmp_path / "out")


def test_generated_package_is_black_formatted() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "black",
            "--check",
            "--line-length",
            "100",
            "--target-version",
            "py311",
            ".",
        ],
        capture_output=True,
        text=True,
        cwd=GENERATED,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cache_speeds_up_but_never_changes_output(tmp_path: Path) -> None:
    spec_dir = FIXTURES / "segments" / "spec"
    first, second = Memo(tmp_path / "cache"), Memo(tmp_path / "cache")
    assert generate(spec_dir, first) == generate(spec_dir) == generate(spec_dir, second)
    assert first.misses > 0 and second.misses == 0
