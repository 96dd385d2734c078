"""``onebot-gen build``: writing, --check, stale and hand-edited files, atomic failure."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from onebot_gen import output
from onebot_gen.cli import main

from .goldens import FIXTURES
from .watching import Watching


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "segments" / "spec", tmp_path / "spec"))


def change(spec: Path) -> None:
    area = spec / "actions" / "demo.yaml"
    area.write_text(area.read_text(encoding="utf-8").replace("获取消息", "获取一条消息"))


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
    assert "differs: onebot_client/api/demo.py" in result.stdout
    assert "differs: docs/demo.md" in result.stdout
    assert "client.py" not in result.stdout  # the area's module changed, not the composition
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
    extra = spec / "actions" / "extra.yaml"
    extra.write_text("title: 多余\nactions:\n  - {action: extra_action, summary: 多余}\n")
    run("build", "--spec", str(spec), "--out", str(out))
    assert (out / "docs" / "extra.md").is_file()
    extra.unlink()
    (out / "onebot_client" / "client.py").write_text("# hand edit\n")
    (out / "onebot_client.egg-info").mkdir()
    (out / "onebot_client.egg-info" / "PKG-INFO").write_text("kept")
    assert run("build", "--spec", str(spec), "--out", str(out)).exit_code == 0
    after = snapshot(out)
    assert (
        after.pop("onebot_client.egg-info/PKG-INFO") == b"kept"
    )  # an editable install's metadata survives
    clean = tmp_path / "clean"
    run("build", "--spec", str(spec), "--out", str(clean))
    assert after == snapshot(clean)  # the stale docs/extra.md is gone, the hand edit undone


def test_refuses_a_directory_it_did_not_make(spec: Path, tmp_path: Path) -> None:
    project = Path(shutil.copytree(spec, tmp_path / "project" / "spec")).parent
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    before = snapshot(project)
    result = run("build", "--spec", str(project / "spec"), "--out", str(project))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (
        f"error: {project} holds 4 file(s) or folder(s) that onebot-gen did not make (.git/HEAD"
        in result.stderr
    )
    assert snapshot(project) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "spec"]  # no staging left


def test_refuses_files_added_to_a_built_directory(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    (out / "notes.md").write_text("mine")
    spec_area = spec / "actions" / "demo.yaml"
    spec_area.write_text(spec_area.read_text(encoding="utf-8").replace("获取消息", "获取一条消息"))
    before = snapshot(out)
    result = run("build", "--spec", str(spec), "--out", str(out))
    assert result.exit_code == 2
    assert "1 file(s) or folder(s) that onebot-gen did not make (notes.md)" in result.stderr
    assert snapshot(out) == before


def test_builds_into_an_empty_directory(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert run("build", "--spec", str(spec), "--out", str(out)).exit_code == 0
    made = (out / ".onebot-gen").read_text().splitlines()
    assert made[1] == ".onebot-gen" and "docs/demo.md" in made


def test_new_directories_are_private(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "out"
    assert run("build", "--spec", str(spec), "--out", str(out)).exit_code == 0
    for directory in (tmp_path / "a", tmp_path / "a" / "b", out):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_read_only_output_is_refused(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    change(spec)
    before = snapshot(out)
    out.chmod(0o555)
    try:
        result = run("build", "--spec", str(spec), "--out", str(out))
    finally:
        out.chmod(0o700)
    assert result.exit_code == 2
    assert result.stderr == f"error: {out} is read-only; nothing was written\n"
    assert snapshot(out) == before


def test_read_only_parent_is_refused(spec: Path, tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    parent.mkdir(mode=0o555)
    try:
        result = run("build", "--spec", str(spec), "--out", str(parent / "out"))
    finally:
        parent.chmod(0o700)
    assert result.exit_code == 2
    assert result.stderr == f"error: {parent} is read-only; nothing was written\n"
    assert list(parent.iterdir()) == []


def test_a_new_output_under_a_read_only_directory_is_refused(spec: Path, tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    parent.mkdir(mode=0o555)
    try:
        result = run("build", "--spec", str(spec), "--out", str(parent / "new" / "out"))
    finally:
        parent.chmod(0o700)
    assert result.exit_code == 2
    assert result.stderr == f"error: {parent} is read-only; nothing was written\n"
    assert list(parent.iterdir()) == []


def test_empty_directories_of_somebody_else_are_kept(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    (out / "drafts" / "later").mkdir(parents=True)
    change(spec)
    result = run("build", "--spec", str(spec), "--out", str(out))
    assert result.exit_code == 2
    assert "1 file(s) or folder(s) that onebot-gen did not make (drafts/later/)" in result.stderr
    assert (out / "drafts" / "later").is_dir()


KILL_BETWEEN_RENAMES = """
import os, signal, sys
from pathlib import Path
from onebot_gen import output
from onebot_gen.build import generate

output._exchange = lambda a, b: False  # the two-rename fallback
real_rename = os.rename
def rename(src, dst):
    real_rename(src, dst)
    if ".old-" in str(dst):
        os.kill(os.getpid(), signal.SIGKILL)
os.rename = rename
output.write(generate(Path(sys.argv[1])), Path(sys.argv[2]))
"""


def test_a_kill_between_the_renames_is_recovered(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    before = snapshot(out)
    change(spec)
    killed = subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, str(spec), str(out)])
    assert killed.returncode == -signal.SIGKILL
    assert not out.exists()  # the window the next build closes
    assert any(p.name.startswith(".out.old-") for p in tmp_path.iterdir())
    assert run("build", "--spec", str(spec), "--out", str(out), "--check").exit_code == 1
    assert run("build", "--spec", str(spec), "--out", str(out)).exit_code == 0
    assert snapshot(out) != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "spec"]


def test_the_exchange_leaves_no_moment_without_output(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    monkeypatch.setattr(os, "rename", None)  # only the exchange may move the existing tree
    change(spec)
    assert run("build", "--spec", str(spec), "--out", str(out)).exit_code == 0
    assert "获取一条消息" in (out / "docs" / "demo.md").read_text()


INTERRUPT_IN_CLEAN_UP = """
import shutil, sys
from pathlib import Path
from onebot_gen import output
from onebot_gen.build import generate

output._exchange = lambda a, b: False  # the two-rename fallback: the old tree is .out.old-PID
def rmtree(path, ignore_errors=False):
    raise KeyboardInterrupt  # Ctrl-C while the old tree is deleted
shutil.rmtree = rmtree
output.write(generate(Path(sys.argv[1])), Path(sys.argv[2]))
"""


def test_an_interrupt_in_clean_up_leaves_what_the_next_build_removes(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run("build", "--spec", str(spec), "--out", str(out))
    change(spec)
    interrupted = subprocess.run(
        [sys.executable, "-c", INTERRUPT_IN_CLEAN_UP, str(spec), str(out)], capture_output=True
    )
    assert b"KeyboardInterrupt" in interrupted.stderr
    assert "获取一条消息" in (out / "docs" / "demo.md").read_text()  # the new tree is in place
    assert any(p.name.startswith(".out.old-") for p in tmp_path.iterdir())
    assert run("build", "--spec", str(spec), "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "spec"]


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


def test_watch_builds_again_on_each_change_and_goes_on_after_an_invalid_spec(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    watching = Watching(spec, out, tmp_path / "cache")
    try:
        assert watching.lines.get(timeout=60) == f"watching {spec} (Ctrl-C to stop)"
        assert watching.next_build()[-1].startswith("wrote ")
        first = snapshot(out)
        change(spec)
        assert watching.next_build()[-1].startswith("wrote ")
        changed = snapshot(out)
        assert changed != first
        assert b"\xe8\x8e\xb7\xe5\x8f\x96\xe4\xb8\x80\xe6\x9d\xa1" in b"".join(changed.values())
        area = spec / "actions" / "demo.yaml"
        valid = area.read_text(encoding="utf-8")
        area.write_text(valid + "unknown_key: 1\n", encoding="utf-8")
        said = watching.next_build()
        assert said[-1] == f"1 problem(s) in {spec}; nothing was written."
        assert said[0].startswith("error: ") and "unknown_key" in said[0]
        assert snapshot(out) == changed
        area.write_text(valid.replace("获取一条消息", "获取消息"), encoding="utf-8")
        assert watching.next_build()[-1].startswith("wrote ")
        assert snapshot(out) == first
    finally:
        assert watching.stop() == 0
    assert watching.lines.get(timeout=10) == "stopped watching"


def test_watch_does_not_go_with_check(spec: Path, tmp_path: Path) -> None:
    result = run("build", "--spec", str(spec), "--out", str(tmp_path / "out"), "--watch", "--check")
    assert result.exit_code == 2
    assert "--watch builds; it does not go with --check" in result.output


def test_the_command_says_everything_and_exits_with_the_status(spec: Path, tmp_path: Path) -> None:
    """The command ends without the interpreter's teardown (``cli.run``): what it printed
    still comes out through pipes, and its exit status is the build's."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "onebot_gen.cli", "build", "--spec", str(spec)]
    command += ["--out", str(out), "--no-cache"]
    built = subprocess.run(command, capture_output=True, text=True)
    assert built.returncode == 0 and built.stdout.startswith(f"wrote {len(snapshot(out))} files")
    change(spec)
    checked = subprocess.run([*command, "--check"], capture_output=True, text=True)
    assert checked.returncode == 1
    assert "differs: docs/demo.md" in checked.stdout and "is out of date" in checked.stderr
    usage = subprocess.run([*command, "--watch", "--check"], capture_output=True, text=True)
    assert usage.returncode == 2 and "does not go with --check" in usage.stderr


@pytest.mark.parametrize("after", [0.1, 0.2, 0.5, 1.0])
def test_an_interrupt_at_any_moment_prints_no_traceback(
    after: float, spec: Path, tmp_path: Path
) -> None:
    """Ctrl-C while the command is still importing, or building: one line, status 1, as click
    says it. ``after`` counts from the moment the command's code runs: before that, Python is
    still starting (its own message), which on a busy machine takes longer than 0.1 s; Python
    says when each import is done (PYTHONPROFILEIMPORTTIME), the command's entry among them."""
    import threading
    import time

    onebot_gen = Path(sys.executable).parent / "onebot-gen"
    build = subprocess.Popen(
        [str(onebot_gen), "build", "--spec", str(spec), "--out", str(tmp_path / "out")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "PYTHONPROFILEIMPORTTIME": "1",
        },
    )
    stderr = build.stderr
    assert stderr is not None
    started, err_lines = threading.Event(), []

    def read_err() -> None:  # all of it, so that the command never waits for the pipe
        for line in stderr:
            if not line.startswith("import time:"):
                err_lines.append(line)
            elif line.rstrip().endswith("| onebot_gen.entry"):
                started.set()

    reader = threading.Thread(target=read_err)
    reader.start()
    assert started.wait(60)
    time.sleep(after)
    build.send_signal(signal.SIGINT)
    build.wait(60)
    reader.join(60)
    err = "".join(err_lines)
    assert "Traceback" not in err, err
    if build.returncode != 0:  # (a quick build may be done before the signal comes)
        assert build.returncode == 1 and err.strip().endswith("Aborted!"), err


def test_build_says_how_many_files_it_changed(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run("build", "--spec", str(spec), "--out", str(out), "--no-cache")
    made = len(snapshot(out))
    assert re.fullmatch(rf"wrote {made} files to {out} in \S+s \({made} added\)\n", first.stdout)
    change(spec)
    again = run("build", "--spec", str(spec), "--out", str(out), "--no-cache")
    changed = re.fullmatch(
        rf"wrote {made} files to {out} in \S+s \((\d+) changed, (\d+) as they were\)\n",
        again.stdout,
    )
    assert changed is not None, again.stdout
    assert int(changed[1]) + int(changed[2]) == made and 0 < int(changed[1]) < made


def test_watch_reports_a_crashed_build_and_goes_on(
    spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from onebot_gen.cli import _watch

    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        if len(builds) == 1:
            change(spec)  # the next look sees the fix
            raise RuntimeError("a bug")
        raise KeyboardInterrupt  # ends the watch: the second build ran

    with pytest.raises(KeyboardInterrupt):
        _watch(spec, build)
    assert len(builds) == 2
    err = capsys.readouterr().err
    assert "RuntimeError: a bug" in err
    assert err.endswith("nothing was written. Watching on.\n")
