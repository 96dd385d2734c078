"""Malformed specs: every problem reported with its place, exit status 2, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from onebot_gen.cli import main

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
