"""``onebot-gen build``: writing, --check, stale and hand-edited files, atomic failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from onebot_gen import output
from onebot_gen.cli import main

from .goldens import FIXTURES


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "segments" / "spec", tmp_path / "spec"))


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_then_check_passes(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", "--spec", str(spec), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "onebot_client" / "client.py").is_file()
    result = run("build", "--spec", str(spec), "--out", str(out), "--check")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_check_names_changed_file_and_writes_nothing(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    area = spec / "actions" / "demo.yaml"
    area.write_text(
        area.read_text(encoding="utf-8").replace("获取消息", "获取一条消息"), encoding="utf-8"
    )
    before = snapshot(out)
    result = run("build", "--spec", str(spec), "--out", str(out), "--check")
    assert result.exit_code == 1
    assert "differs: onebot_client/client.py" in result.stdout
    assert "differs: docs/demo.md" in result.stdout
    assert "run `onebot-gen build`" in result.stderr
    assert snapshot(out) == before
    assert run("build", "--spec", str(spec), "--out", str(out)).exit_code == 0
    assert run("build", "--spec", str(spec), "--out", str(out), "--check").exit_code == 0


def test_check_reports_missing_and_extra(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    (out / "docs" / "index.md").unlink()
    (out / "stale.py").write_text("x = 1\n")
    result = run("build", "--spec", str(spec), "--out", str(out), "--check")
    assert result.exit_code == 1
    assert "missing: docs/index.md" in result.stdout
    assert "extra:   stale.py" in result.stdout


def test_build_overwrites_hand_edits_and_removes_stale_files(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    clean = snapshot(out)
    (out / "onebot_client" / "client.py").write_text("# hand edit\n")
    (out / "onebot_client" / "old_module.py").write_text("x = 1\n")
    (out / "onebot_client.egg-info").mkdir()
    (out / "onebot_client.egg-info" / "PKG-INFO").write_text("kept")
    assert run("build", "--spec", str(spec), "--out", str(out)).exit_code == 0
    after = snapshot(out)
    assert (
        after.pop("onebot_client.egg-info/PKG-INFO") == b"kept"
    )  # an editable install's metadata survives
    assert after == clean


def test_failure_in_any_stage_leaves_output_as_it_was(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    before = snapshot(out)
    area = spec / "actions" / "demo.yaml"
    area.write_text(
        area.read_text(encoding="utf-8").replace("获取消息", "获取一条消息"), encoding="utf-8"
    )

    def broken_write(path: Path, data: bytes) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", broken_write)
    result = run("build", "--spec", str(spec), "--out", str(out))
    monkeypatch.undo()
    assert result.exit_code != 0
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out",
        "spec",
    ]  # no staging directory left


def test_invalid_spec_leaves_output_as_it_was(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    before = snapshot(out)
    (spec / "models.yaml").write_text("models: {Broken: {fields: {x: {type: nope}}}}\n")
    result = run("build", "--spec", str(spec), "--out", str(out))
    assert result.exit_code == 2
    assert "unknown type 'nope'" in result.stderr
    assert snapshot(out) == before


def test_missing_spec_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run("build", "--spec", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "spec directory not found" in result.output
    assert not (tmp_path / "out").exists()


def test_help_explains_build() -> None:
    result = run("build", "--help")
    assert result.exit_code == 0
    for text in ("--spec", "--out", "--check", "swapped into place"):
        assert text in result.output


def test_differences_against_a_missing_directory_lists_every_file() -> None:
    assert output.differences({"a.py": "x = 1\n"}, Path("/nonexistent/out")) == ["missing: a.py"]
