"""Malformed specs: every problem reported with its place, exit status 2, nothing written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from onebot_gen.cli import main
from onebot_gen.specfiles import MAX_BYTES

from .goldens import FIXTURES

CASES = Path(__file__).resolve().parent / "bad_specs"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir())


def test_corpus_is_large() -> None:
    assert len(case_names()) >= 20


@pytest.mark.parametrize("name", case_names())
def test_bad_spec_reports_exactly(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("untouched")
    monkeypatch.chdir(CASES / name)
    result = CliRunner().invoke(main, ["build", "--spec", "spec", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (CASES / name / "expected.txt").read_text(encoding="utf-8")
    assert result.stdout == ""
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_real_process_exits_2_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "onebot_gen.cli",
            "build",
            "--spec",
            "spec",
            "--out",
            str(tmp_path / "o"),
        ],
        cwd=CASES / "many_problems",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == (CASES / "many_problems" / "expected.txt").read_text(encoding="utf-8")
    assert not (tmp_path / "o").exists()


def _oversized(spec: Path) -> None:
    (spec / "models.yaml").write_text("models: {}\n" + "#" * MAX_BYTES)


def _dangling_symlink(spec: Path) -> None:
    (spec / "actions" / "gone.yaml").symlink_to("nowhere.yaml")


def _looping_symlink(spec: Path) -> None:
    (spec / "segments.yaml").symlink_to("segments.yaml")


def _directory(spec: Path) -> None:
    (spec / "actions" / "other.yaml").mkdir()


def _bad_area_name(spec: Path) -> None:
    shutil.copy(spec / "actions" / "demo.yaml", spec / "actions" / "Other Area.yaml")


#: Cases that cannot live in the repository as files (too large, or links git would keep
#: dangling): each is made at test time on top of a good spec, with the exact message expected.
MADE = {
    "oversized": (
        _oversized,
        f"error: spec/models.yaml: the file has {MAX_BYTES + 11} bytes, more than {MAX_BYTES}"
        " (split it into smaller files)",
    ),
    "dangling_symlink": (
        _dangling_symlink,
        "error: spec/actions/gone.yaml: a symlink that leads nowhere (No such file or directory)"
        " (fix or remove the link)",
    ),
    "looping_symlink": (
        _looping_symlink,
        "error: spec/segments.yaml: a symlink that leads nowhere (Too many levels of symbolic"
        " links) (fix or remove the link)",
    ),
    "directory": (
        _directory,
        "error: spec/actions/other.yaml: not a regular file (a spec file must be a plain YAML"
        " file; remove or rename it)",
    ),
    "bad_area_name": (
        _bad_area_name,
        "error: spec/actions: invalid area file name 'Other Area.yaml' (name area files"
        " [a-z][a-z0-9_]*.yaml (the name becomes docs/AREA.md))",
    ),
}


def base_spec(root: Path) -> Path:
    """A good spec the made cases start from."""
    spec = root / "spec"
    (spec / "actions").mkdir(parents=True)
    (spec / "actions" / "demo.yaml").write_text(
        "title: 好\nactions:\n  - {action: a, summary: A}\n"
    )
    return spec


def made_spec(name: str, root: Path) -> Path:
    spec = base_spec(root)
    MADE[name][0](spec)
    return spec


@pytest.mark.parametrize("name", sorted(MADE))
def test_made_bad_spec_reports_exactly(name: str, tmp_path: Path) -> None:
    spec = made_spec(name, tmp_path)
    result = CliRunner().invoke(
        main, ["build", "--no-cache", "--spec", str(spec), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr == f"{MADE[name][1]}\n1 problem(s) in {spec}; nothing was written.\n"
    assert not (tmp_path / "out").exists()


def _outcome(spec: str, out: Path, *cache: str) -> tuple[int, str, dict[str, bytes]]:
    result = CliRunner().invoke(main, ["build", "--spec", spec, "--out", str(out), *cache])
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    shutil.rmtree(out, ignore_errors=True)
    return result.exit_code, result.stderr, files


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.mark.parametrize(
    "name", [*case_names(), *(f"made/{n}" for n in sorted(MADE)), "fixture/segments"]
)
def test_the_cache_never_changes_an_outcome(
    name: str, tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same spec, same exit status, messages and files, with no cache and with a warm one (for
    a made case, warmed by the good spec it is made from, so that a stale entry would show)."""
    cache = ("--cache-dir", str(cache_dir))
    out = tmp_path / "out"
    kind, _, case = name.rpartition("/")
    if kind == "made":
        monkeypatch.chdir(tmp_path)
        assert _outcome(str(base_spec(tmp_path)), out, *cache)[0] == 0
        MADE[case][0](tmp_path / "spec")
    else:
        monkeypatch.chdir(FIXTURES / case if kind == "fixture" else CASES / case)
    without = _outcome("spec", out, "--no-cache")
    assert _outcome("spec", out, *cache) == without  # cold, or warmed by another case
    assert _outcome("spec", out, *cache) == without  # warm
