"""The generated types accept what users should write and reject their mistakes (mypy and pyright)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import CHECKER_NAMES, pyright_errors

HERE = Path(__file__).resolve().parent / "typing"


GOOD = sorted(p.name for p in HERE.glob("good_*.py"))
BAD = sorted(p.name for p in HERE.glob("bad_*.py"))


@pytest.fixture(scope="session")
def pyright_output(checkers: dict[str, list[str]]) -> str:
    """pyright's errors in every file here, from one run over them all."""
    return "\n".join(pyright_errors(checkers["pyright"], [HERE / n for n in GOOD + BAD], HERE))


@pytest.fixture
def flagged_lines(
    checkers: dict[str, list[str]], request: pytest.FixtureRequest
) -> Callable[[str, Path], tuple[set[int], str]]:
    """The lines of a file that a checker flags with an error, and what the checker said."""

    def flagged(checker: str, file: Path) -> tuple[set[int], str]:
        if checker == "pyright":
            output = request.getfixturevalue("pyright_output")
        else:
            command = [*checkers[checker], file.name]
            result = subprocess.run(command, capture_output=True, text=True, cwd=HERE)
            output = result.stdout + result.stderr
        pattern = rf"{re.escape(file.name)}:(\d+)(?::\d+)?(?::| -) error"
        return {int(n) for n in re.findall(pattern, output)}, output

    return flagged


@pytest.mark.parametrize("name", GOOD)
@pytest.mark.parametrize("checker", CHECKER_NAMES)
def test_good_usage_passes(
    checker: str, name: str, flagged_lines: Callable[[str, Path], tuple[set[int], str]]
) -> None:
    lines, output = flagged_lines(checker, HERE / name)
    assert not lines, output


@pytest.mark.parametrize("name", BAD)
@pytest.mark.parametrize("checker", CHECKER_NAMES)
def test_every_mistake_is_flagged_and_nothing_else(
    checker: str, name: str, flagged_lines: Callable[[str, Path], tuple[set[int], str]]
) -> None:
    file = HERE / name
    expected = {i for i, line in enumerate(file.read_text().splitlines(), 1) if "# error" in line}
    lines, output = flagged_lines(checker, file)
    assert lines == expected, output
