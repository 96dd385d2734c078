"""The committed output is exactly what the generator makes, and it type-checks."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cmarkgfm
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from onebot_gen import output, shape, spec, specfiles, yamlpos
from onebot_gen.build import generate
from onebot_gen.formatting.workers import Workers
from onebot_gen.memo import Memo

from .conftest import made_once, pyright_errors
from .goldens import FIXTURES, GENERATED, SPEC, fixture_names, fixture_output


@pytest.fixture(scope="session")
def spec_build(tools: Workers) -> dict[str, str]:
    """What the bundled spec generates, built once in the session (some 4 s)."""
    return generate(SPEC, running=tools)


@pytest.fixture(scope="session")
def fixture_builds(tools: Workers) -> dict[str, dict[str, str]]:
    """What each fixture spec generates, built once in the session."""
    return {name: generate(FIXTURES / name / "spec", running=tools) for name in fixture_names()}


def test_generated_matches_spec(spec_build: dict[str, str]) -> None:
    diffs = output.differences(spec_build, GENERATED)
    assert not diffs, "generated/ is stale; run `onebot-gen build`:\n" + "\n".join(diffs)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_matches_expected(name: str, fixture_builds: dict[str, dict[str, str]]) -> None:
    diffs = output.differences(fixture_output(fixture_builds[name]), FIXTURES / name / "expected")
    assert not diffs, f"tests/fixtures/{name}/expected is stale; run `make golden`:\n" + "\n".join(
        diffs
    )


def test_same_spec_same_bytes(spec_build: dict[str, str]) -> None:
    """A build of its own (with processes of its own) makes what the session's build made."""
    assert generate(SPEC) == spec_build


def check(command: list[str], root: Path) -> None:
    """A type checker's ``command`` over the package in ``root``; fails with its output."""
    result = subprocess.run([*command, "onebot_client"], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr


def type_check(root: Path, checkers: dict[str, list[str]]) -> None:
    """mypy --strict and pyright over the package in ``root``."""
    for command in checkers.values():
        check(command, root)


@pytest.fixture(scope="session")
def packages(shared_dir: Path, fixture_builds: dict[str, dict[str, str]]) -> dict[str, Path]:
    """The directory of each package type-checked: ``generated/``, and each fixture spec's
    package, built once in the session."""

    def build(into: Path) -> None:
        for name, files in fixture_builds.items():
            output.write(files, into / name)

    built = made_once(shared_dir / "packages", build)
    return {"generated": GENERATED} | {name: built / name for name in fixture_names()}


@pytest.fixture(scope="session")
def package_errors(
    packages: dict[str, Path], checkers: dict[str, list[str]], shared_dir: Path
) -> dict[str, list[str]]:
    """pyright's errors in each package, from one run over them all, once in the session: the
    11 packages one at a time took 66 s (each run reads the standard library again), together
    22 s. Each package is an execution environment of its own, so that its ``onebot_client``
    imports resolve in it, as when pyright runs in the package's directory."""

    def run(where: Path) -> None:
        config = {"executionEnvironments": [{"root": str(root)} for root in packages.values()]}
        (where / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
        found = pyright_errors(
            checkers["pyright"], [root / "onebot_client" for root in packages.values()], where
        )
        errors = {
            name: [e for e in found if e.startswith(f"{root}/")] for name, root in packages.items()
        }
        assert sum(map(len, errors.values())) == len(found), found  # each in one package
        (where / "errors.json").write_text(json.dumps(errors), encoding="utf-8")

    errors: dict[str, list[str]] = json.loads(
        (made_once(shared_dir / "pyright", run) / "errors.json").read_text(encoding="utf-8")
    )
    return errors


def test_generated_package_type_checks(
    package_errors: dict[str, list[str]], checkers: dict[str, list[str]]
) -> None:
    check(checkers["mypy"], GENERATED)
    assert package_errors["generated"] == []


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_package_type_checks(
    name: str,
    packages: dict[str, Path],
    package_errors: dict[str, list[str]],
    checkers: dict[str, list[str]],
) -> None:
    check(checkers["mypy"], packages[name])
    assert package_errors[name] == []


def test_generated_packages_are_black_formatted() -> None:
    """Whole-file black agrees with the build, which formats a function at a time (``chunks``)."""
    expected = [str(FIXTURES / name / "expected") for name in fixture_names()]
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
            *expected,
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


def test_a_build_the_cache_has_loads_no_renderer_or_formatter(tmp_path: Path) -> None:
    spec_dir = FIXTURES / "segments" / "spec"
    code = (
        "import sys; from onebot_gen.cli import main; "
        f"main(['build', '--spec', {str(spec_dir)!r}, '--out', {str(tmp_path / 'out')!r}, "
        f"'--cache-dir', {str(tmp_path / 'cache')!r}], standalone_mode=False); "
        "print(sorted(m for m in ('jinja2', 'black', 'yaml', 'jsonschema') if m in sys.modules))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.splitlines()[-1]
        for _ in range(2)
    ]
    assert "jinja2" in runs[0] and "jsonschema" in runs[0] and runs[1] == "[]"


def test_the_spec_read_through_the_cache_is_the_spec_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = specfiles.read(SPEC)
    memo = Memo(tmp_path / "cache")
    parsed = spec.load_files(files, memo)

    def unexpected(*args: object) -> None:
        raise AssertionError("a file the cache keeps was parsed or checked again")

    monkeypatch.setattr(yamlpos, "read", unexpected)
    monkeypatch.setattr(shape, "_Breaks", unexpected)
    assert spec.load_files(files, memo) == parsed
    monkeypatch.undo()
    assert parsed == spec.load_files(files)


def test_the_build_cache_follows_every_input(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    shutil.copytree(FIXTURES / "segments" / "spec", spec_dir)
    memo = Memo(tmp_path / "cache")
    before = generate(spec_dir, memo)
    segments = spec_dir / "segments.yaml"
    segments.write_text(segments.read_text().replace("纯文本内容", "文本"), encoding="utf-8")
    after = generate(spec_dir, memo)
    assert after == generate(spec_dir) != before


def table_rows_with_wrong_cell_count(markdown: str) -> list[str]:
    """Rows whose number of cells (split at unescaped ``|``) differs from their table's header."""
    wrong, columns = [], 0
    for line in markdown.splitlines():
        if not line.startswith("|"):
            columns = 0
            continue
        cells = len(re.split(r"(?<!\\)\|", line))
        columns = columns or cells
        if cells != columns:
            wrong.append(line)
    return wrong


@pytest.mark.parametrize("name", ["generated", *fixture_names()])
def test_every_table_row_has_its_tables_cells(name: str) -> None:
    root = GENERATED if name == "generated" else FIXTURES / name / "expected"
    for page in sorted((root / "docs").glob("*.md")):
        assert table_rows_with_wrong_cell_count(page.read_text()) == [], page


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="a \\|`<&\n", min_size=1, max_size=8), code=st.booleans())
def test_a_table_cell_shows_its_text_in_one_cell_on_github(text: str, code: bool) -> None:
    """Rendered by cmark-gfm (GitHub's parser): every backslash and pipe stays in its cell and
    reads as written; prose keeps its line breaks, a code span has none."""
    from onebot_gen.text import table_cell

    text = text.strip() if code else text.replace("`", "")  # a prose backtick is markdown
    assume(text.strip())
    html = cmarkgfm.github_flavored_markdown_to_html(
        f"| a | b |\n| --- | --- |\n| {table_cell(text, code=code)} | end |\n",
        options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE,  # GitHub keeps <br>
    )
    cells = re.findall(r"<td>(.*?)</td>", html, re.DOTALL)
    assert len(cells) == 2 and cells[1] == "end", html
    shown = cells[0].removeprefix("<code>").removesuffix("</code>") if code else cells[0]
    expected = (" " if code else "<br>").join(text.splitlines())
    assert htmllib.unescape(shown) == expected.strip()


def test_table_cells_escape_pipes_and_code_spans() -> None:
    from onebot_gen.text import table_cell

    assert table_cell("str | None", code=True) == "`str \\| None`"
    assert table_cell("a`b", code=True) == "``a`b``"
    assert table_cell("x<y & z|w\nnext") == "x&lt;y &amp; z\\|w<br>next"
