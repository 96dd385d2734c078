"""`onebot-gen import-napcat`: new actions from NapCat's OpenAPI load, build and type-check."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from onebot_gen import output
from onebot_gen import spec as s
from onebot_gen.build import generate
from onebot_gen.cli import main

from .goldens import FIXTURES, SPEC
from .test_golden import type_check

OPENAPI = Path(__file__).resolve().parent / "data" / "openapi-4.18.0.json"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def small_spec(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "segments" / "spec", tmp_path / "spec"))


def test_import_into_a_small_spec_builds_and_type_checks(tmp_path: Path) -> None:
    spec_dir = small_spec(tmp_path)
    area = spec_dir / "actions" / "demo.yaml"
    before = area.read_text(encoding="utf-8")
    code, out, err = run("import-napcat", str(OPENAPI), "--spec", str(spec_dir))
    assert code == 0, err
    assert "imported 161 action(s)" in out  # 163 less the two the fixture has
    assert area.read_text(encoding="utf-8") == before  # existing entries untouched
    loaded = s.load(spec_dir)
    imported = {a.wire: a for area in loaded.areas if area.name == "imported" for a in area.actions}
    assert len(imported) == 161 and "send_group_msg" not in imported
    assert imported["set_group_ban"].notes[0].startswith("Imported from NapCat 4.18.0")
    assert [p.name for p in imported["set_group_ban"].params] == ["group_id", "user_id", "duration"]
    output.write(generate(spec_dir), tmp_path / "out")
    type_check(tmp_path / "out")


def test_importing_again_adds_nothing(tmp_path: Path) -> None:
    spec_dir = small_spec(tmp_path)
    run("import-napcat", str(OPENAPI), "--spec", str(spec_dir))
    snapshot = {p: p.read_bytes() for p in spec_dir.rglob("*.yaml")}
    code, out, _ = run("import-napcat", str(OPENAPI), "--spec", str(spec_dir))
    assert code == 0 and out.startswith("nothing to import")
    assert {p: p.read_bytes() for p in spec_dir.rglob("*.yaml")} == snapshot


def test_import_appends_to_an_existing_imported_file(tmp_path: Path) -> None:
    spec_dir = small_spec(tmp_path)
    target = spec_dir / "actions" / "imported.yaml"
    target.write_text(
        "# reviewed by hand\ntitle: 导入\nactions:\n  - action: get_status\n    summary: 状态\n"
    )
    code, out, err = run("import-napcat", str(OPENAPI), "--spec", str(spec_dir))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert text.startswith(
        "# reviewed by hand\ntitle: 导入\nactions:\n  - action: get_status\n    summary: 状态\n"
    )
    assert "imported 160 action(s)" in out
    s.load(spec_dir)


def test_report_lists_what_is_missing_and_writes_nothing(tmp_path: Path) -> None:
    spec_dir = small_spec(tmp_path)
    snapshot = {p: p.read_bytes() for p in spec_dir.rglob("*") if p.is_file()}
    code, out, _ = run("import-napcat", str(OPENAPI), "--spec", str(spec_dir), "--report")
    assert code == 0
    assert out.splitlines()[0] == "NapCat 4.18.0: 163 actions; the spec lacks 161."
    assert "  missing: set_group_ban" in out
    assert "  differs: send_group_msg." in out
    assert {p: p.read_bytes() for p in spec_dir.rglob("*") if p.is_file()} == snapshot


def test_the_full_spec_has_every_napcat_action() -> None:
    code, out, _ = run("import-napcat", str(OPENAPI), "--spec", str(SPEC), "--report")
    assert code == 0
    assert "the spec lacks 0." in out.splitlines()[0]
