"""`onebot-gen import-napcat`: new actions from NapCat's OpenAPI load, build and type-check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from onebot_gen import output
from onebot_gen import spec as s
from onebot_gen.build import generate
from onebot_gen.cli import main
from onebot_gen.napcat_import import pending

from .goldens import FIXTURES, SPEC
from .test_golden import type_check

OPENAPI = Path(__file__).resolve().parent / "data" / "openapi-4.18.0.json"
LATEST = Path(__file__).resolve().parent / "data" / "openapi-4.18.13.json"


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
    assert out.splitlines()[0].startswith("NapCat 4.18.0: 163 actions; the spec lacks 161; ")
    assert "  missing: set_group_ban" in out
    assert "  differs: send_group_msg.user_id: compatible param-added-optional (id)" in out
    assert {p: p.read_bytes() for p in spec_dir.rglob("*") if p.is_file()} == snapshot


def test_the_full_spec_has_every_napcat_action() -> None:
    for openapi in (OPENAPI, LATEST):
        code, out, _ = run("import-napcat", str(openapi), "--spec", str(SPEC), "--report")
        assert code == 0
        assert "the spec lacks 0; " in out.splitlines()[0]
        assert " 0 need a reason)" in out.splitlines()[0]


def album_spec(tmp_path: Path) -> Path:
    """A spec with set_group_album_media_like as NapCat 4.18.0 described it."""
    spec_dir = small_spec(tmp_path)
    (spec_dir / "actions" / "album.yaml").write_text(
        """title: 群相册
actions:
  - action: set_group_album_media_like
    summary: 点赞群相册媒体
    params:
      group_id: {type: id, description: 群号}
      album_id: {type: str, description: 相册 ID}
      lloc: {type: str, description: 媒体 ID}
      id: {type: str, description: 点赞 ID}
      set: {type: bool, default: true, description: 是否点赞}
    result: any
""",
        encoding="utf-8",
    )
    return spec_dir


def test_report_lists_every_change_of_an_existing_action(tmp_path: Path) -> None:
    """4.18.0 → 4.18.13: set_group_album_media_like gained a required batch_id and lost id and
    set, though short names like `id` and `set` appear in any note."""
    spec_dir = album_spec(tmp_path)
    code, out, _ = run("import-napcat", str(LATEST), "--spec", str(spec_dir), "--report")
    assert code == 0
    lines = out.splitlines()
    for expected in (
        "  differs: set_group_album_media_like.batch_id: BREAKING param-added-required (id)"
        "  [needs a reason]",
        "  differs: set_group_album_media_like.id: BREAKING param-removed (str)  [needs a reason]",
        "  differs: set_group_album_media_like.set: BREAKING param-removed (bool)  [needs a reason]",
        "  differs: set_group_album_media_like.lloc: compatible param-now-optional"
        " (required → optional)",
    ):
        assert expected in lines


def test_report_accepts_what_napcat_differs_records(tmp_path: Path) -> None:
    spec_dir = album_spec(tmp_path)
    area = spec_dir / "actions" / "album.yaml"
    area.write_text(
        area.read_text(encoding="utf-8")
        + "    napcat_differs:\n      id: NapCat 4.18.3 replaced it with batch_id.\n",
        encoding="utf-8",
    )
    code, out, _ = run("import-napcat", str(LATEST), "--spec", str(spec_dir), "--report")
    assert code == 0
    assert (
        "  accepted: set_group_album_media_like.id: BREAKING param-removed (str):"
        " NapCat 4.18.3 replaced it with batch_id." in out.splitlines()
    )
    assert "  differs: set_group_album_media_like.id:" not in out


def test_report_lists_two_new_required_params(tmp_path: Path) -> None:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    body = document["paths"]["/send_group_msg"]["post"]["requestBody"]["content"]
    schema = body["application/json"]["schema"]  # inline: no other action shares it
    schema["properties"]["ttl"] = {"type": "number", "description": "存活秒数"}
    schema["properties"]["channel"] = {"type": "string", "description": "频道"}
    schema["required"] = [*schema.get("required", []), "ttl", "channel"]
    changed = tmp_path / "openapi-changed.json"
    changed.write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = run(
        "import-napcat", str(changed), "--spec", str(small_spec(tmp_path)), "--report"
    )
    assert code == 0
    lines = out.splitlines()
    assert (
        "  differs: send_group_msg.ttl: BREAKING param-added-required (int)  [needs a reason]"
        in lines
    )
    assert (
        "  differs: send_group_msg.channel: BREAKING param-added-required (str)  [needs a reason]"
        in lines
    )


def test_imported_yaml_is_written_like_the_area_files(tmp_path: Path) -> None:
    spec_dir = small_spec(tmp_path)
    run("import-napcat", str(LATEST), "--spec", str(spec_dir))
    text = (spec_dir / "actions" / "imported.yaml").read_text(encoding="utf-8")
    assert "\n  - action: get_group_signed_list\n    summary: 获取群组今日打卡列表\n" in text
    assert "\n      group_id: {type: id, description: 群号}\n" in text
    assert "\n    sources: [napcat-openapi]\n" in text
    assert "int | id" not in text and "id | int" not in text and "int | int" not in text
    assert "ResultData" not in text
    assert "description: batch_id}" not in text  # no placeholder repeating the name
    models = (spec_dir / "models.yaml").read_text(encoding="utf-8")
    assert "ResultData" not in models and "业务数据" not in models
    assert "\n  GroupSigned:\n" in models and "\n  PttText:\n" in models


def test_build_lists_the_actions_awaiting_review(tmp_path: Path) -> None:
    spec_dir = small_spec(tmp_path)
    run("import-napcat", str(LATEST), "--spec", str(spec_dir))
    result = CliRunner().invoke(
        main, ["build", "--spec", str(spec_dir), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: 168 imported action(s) await review in ")
    assert "get_group_signed_list" in result.stderr


def test_an_emptied_imported_file_has_no_docs_page(tmp_path: Path) -> None:
    spec_dir = small_spec(tmp_path)
    (spec_dir / "actions" / "imported.yaml").write_text(
        "title: 导入\nactions: []\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        main, ["build", "--spec", str(spec_dir), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert not (tmp_path / "out" / "docs" / "imported.md").exists()
    assert "imported" not in (tmp_path / "out" / "docs" / "index.md").read_text(encoding="utf-8")


def test_the_bundled_spec_has_nothing_awaiting_review() -> None:
    assert pending(SPEC) == [], "review spec/actions/imported.yaml and move its actions"
