"""The generated types accept what users should write and reject their mistakes (mypy and pyright)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .conftest import CHECKER_NAMES

HERE = Path(__file__).resolve().parent / "typing"


def flagged_lines(checker: str, command: list[str], file: Path) -> tuple[set[int], str]:
    result = subprocess.run([*command, file.name], capture_output=True, text=True, cwd=HERE)
    output = result.stdout + result.stderr
    pattern = (
        rf"{re.escape(file.name)}:(\d+)(?::\d+)?(?::| -) error"
        if checker == "mypy"
        else r":(\d+):\d+ - error"
    )
    return {int(n) for n in re.findall(pattern, output)}, output


GOOD = sorted(p.name for p in HERE.glob("good_*.py"))
BAD = sorted(p.name for p in HERE.glob("bad_*.py"))


@pytest.mark.parametrize("name", GOOD)
@pytest.mark.parametrize("checker", CHECKER_NAMES)
def test_good_usage_passes(checker: str, name: str, checkers: dict[str, list[str]]) -> None:
    lines, output = flagged_lines(checker, checkers[checker], HERE / name)
    assert not lines, output


@pytest.mark.parametrize("name", BAD)
@pytest.mark.parametrize("checker", CHECKER_NAMES)
def test_every_mistake_is_flagged_and_nothing_else(
    checker: str, name: str, checkers: dict[str, list[str]]
) -> None:
    file = HERE / name
    expected = {i for i, line in enumerate(file.read_text().splitlines(), 1) if "# error" in line}
    lines, output = flagged_lines(checker, checkers[checker], file)
    assert lines == expected, output
