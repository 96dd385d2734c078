"""`onebot-gen import-napcat`: new actions from NapCat's OpenAPI load, build and type-check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from onebot_gen import output
from onebot_gen import spec as s
from onebot_gen import types as t
from onebot_gen.build import generate
from onebot_gen.cli import main
from onebot_gen.review import marked, pending

from .goldens import FIXTURES, SPEC
from .test_golden import type_check

OPENAPI = Path(__file__).resolve().parent / "data" / "openapi-4.18.0.json"
LATEST = Path(__file__).resolve().parent / "data" / "openapi-4.18.13.json"
NEWEST = Path(__file__).resolve().parent / "data" / "openapi-4.18.37.json"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def small_spec(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "segments" / "spec", tmp_path / "spec"))


def test_import_into_a_small_spec_builds_and_type_checks(
    tmp_path: Path, checkers: dict[str, list[str]]
) -> None:
    spec_dir = small_spec(tmp_path)
    area = spec_dir / "actions" / "demo.yaml"
    before = area.read_text(encoding="utf-8")
    code, out, err = run("import-napcat", str(OPENAPI), "--spec", str(spec_dir))
    assert code == 0, err
    assert "imported 161 action(s)" in out  # 163 less the two the fixture has
    # the two it has gain NapCat's optional params, marked; no line of theirs changes
    assert "added send_group_msg.user_id (param-added-optional), marked for review" in out
    after = area.read_text(encoding="utf-8").splitlines()
    assert [line for line in after if line in before.splitlines()] == before.splitlines()
    loaded = s.load(spec_dir)
    (send,) = [a for area in loaded.areas for a in area.actions if a.wire == "send_group_msg"]
    assert "user_id: added from the OpenAPI of NapCat 4.18.0" in "\n".join(send.review)
    imported = {a.wire: a for area in loaded.areas if area.name == "imported" for a in area.actions}
    assert len(imported) == 161 and "send_group_msg" not in imported
    assert imported["set_group_ban"].notes[0].startswith("Imported from NapCat 4.18.0")
    assert [p.name for p in imported["set_group_ban"].params] == ["group_id", "user_id", "duration"]
    output.write(generate(spec_dir), tmp_path / "out")
    type_check(tmp_path / "out", checkers)


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
    assert out.splitlines()[0].startswith(
        "NapCat 4.18.0: 163 actions. For a person: 161 to import, "
    )
    assert out.splitlines()[1] == "import-napcat does these, each marked for review:"
    assert "  import: set_group_ban" in out
    assert (
        "  add:    send_group_msg.user_id: an optional param only NapCat's document has (id); "
        "compatible to follow" in out
    )
    assert {p: p.read_bytes() for p in spec_dir.rglob("*") if p.is_file()} == snapshot


def test_the_full_spec_has_every_napcat_action() -> None:
    for openapi in (OPENAPI, LATEST, NEWEST):
        code, out, _ = run("import-napcat", str(openapi), "--spec", str(SPEC), "--report")
        assert code == 0
        assert "For a person: 0 to import, 0 to add to actions the spec has, 0 to decide; " in out
        assert out.splitlines()[1] == "Settled, by why (--all lists each):"


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
    assert "To decide (fix the spec, or record why in the action's napcat_differs):" in lines
    at = next(i for i, line in enumerate(lines) if "set_group_album_media_like" in line)
    assert lines[at : at + 6] == [
        "  decide: set_group_album_media_like.id: a param only the spec has (str); BREAKING to"
        " follow",
        "          rule: calls that pass the removed argument fail",
        "  decide: set_group_album_media_like.set: a param only the spec has (bool); BREAKING to"
        " follow",
        "          rule: calls that pass the removed argument fail",
        "  decide: set_group_album_media_like.batch_id: a required param only NapCat's document"
        " has (id); BREAKING to follow",
        "          rule: existing calls lack the new required argument",
    ]
    code, out, _ = run("import-napcat", str(LATEST), "--spec", str(spec_dir), "--report", "--all")
    assert (
        "        set_group_album_media_like.lloc: param-now-optional (spec required, NapCat "
        "optional); compatible to follow" in out.splitlines()
    )


def test_report_accepts_what_napcat_differs_records(tmp_path: Path) -> None:
    spec_dir = album_spec(tmp_path)
    area = spec_dir / "actions" / "album.yaml"
    area.write_text(
        area.read_text(encoding="utf-8")
        + "    napcat_differs:\n      id: NapCat 4.18.3 replaced it with batch_id.\n",
        encoding="utf-8",
    )
    code, out, _ = run("import-napcat", str(LATEST), "--spec", str(spec_dir), "--report", "--all")
    assert code == 0
    assert (
        "        set_group_album_media_like.id: a param only the spec has (str); BREAKING to"
        " follow: NapCat 4.18.3 replaced it with batch_id." in out.splitlines()
    )
    assert "  decide: set_group_album_media_like.id:" not in out


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
        "  decide: send_group_msg.ttl: a required param only NapCat's document has (float);"
        " BREAKING to follow" in lines
    )
    assert (
        "  decide: send_group_msg.channel: a required param only NapCat's document has (str);"
        " BREAKING to follow" in lines
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
    assert marked(SPEC) == [], "review what an import added, then delete the review: lists"


def test_an_import_brings_back_what_the_spec_lost(
    tmp_path: Path, checkers: dict[str, list[str]]
) -> None:
    """A param and a result field deleted from the real spec come back from NapCat's document,
    each entry marked for review (build lists it), and the spec builds and type-checks."""
    spec_dir = Path(shutil.copytree(SPEC, tmp_path / "spec"))
    group, models = spec_dir / "actions" / "group.yaml", spec_dir / "models.yaml"
    no_cache = "      no_cache: {type: bool, default: false, description: 是否不使用缓存（NapCat 扩展参数）}\n"
    nickname = "      nickname: {type: str, description: QQ 昵称}\n"
    for path, line in ((group, no_cache), (models, nickname)):
        text = path.read_text(encoding="utf-8")
        assert text.count(line) >= 1
        path.write_text(text.replace(line, "", 1), encoding="utf-8")
    code, out, _ = run("import-napcat", str(NEWEST), "--spec", str(spec_dir), "--report")
    assert "For a person: 0 to import, 2 to add to actions the spec has, 0 to decide;" in out
    code, out, err = run("import-napcat", str(NEWEST), "--spec", str(spec_dir))
    assert code == 0, err
    assert out.splitlines() == [
        "added get_group_member_list.no_cache (param-added-optional), marked for review",
        "added get_login_info → result.nickname (result-field-added), marked for review",
        "review, then `onebot-gen build`",
    ]
    loaded = s.load(spec_dir)
    actions = {a.wire: a for area in loaded.areas for a in area.actions}
    (no_cache_back,) = [p for p in actions["get_group_member_list"].params if p.name == "no_cache"]
    assert (no_cache_back.required, no_cache_back.type) == (False, t.Prim("bool"))
    assert actions["get_group_member_list"].review == (
        "no_cache: added from the OpenAPI of NapCat 4.18.37 (param-added-optional): check it",
    )
    (login,) = [m for m in loaded.models if m.name == "LoginInfo"]
    assert [f.name for f in login.fields] == ["user_id", "nickname"]
    assert login.review == (
        "nickname (of get_login_info): added from the OpenAPI of NapCat 4.18.37"
        " (result-field-added): check it",
    )
    result = CliRunner().invoke(
        main, ["build", "--spec", str(spec_dir), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: 3 entries changed by an import await review (check each, then delete its "
        "`review:` list): get_login_info, get_group_member_list, LoginInfo\n"
    )
    type_check(tmp_path / "out", checkers)
    code, out, _ = run("import-napcat", str(NEWEST), "--spec", str(spec_dir))
    assert out.startswith("nothing to import")


def test_the_writer_adds_to_entries_leaving_every_line_as_it_was(tmp_path: Path) -> None:
    from onebot_gen.spec_writer import Edit

    text = (
        "title: A\n"
        "actions:\n"
        "  # the first\n"
        "  - action: get_status\n"
        "    summary: 状态\n"
        "    description: >-\n"
        "      folded\n"
        "      text\n"
        "\n"
        "  - action: get_msg\n"
        "    summary: 消息\n"
        "    result:\n"
        "      fields:\n"
        "        time: {type: int}\n"
        "    review:\n"
        "      - checked later\n"
    )
    edit = Edit(tmp_path / "a.yaml", text)
    edit.add_field(["actions", 0], "params", "no_cache", {"type": "bool", "required": False})
    edit.add_review(["actions", 0], "no_cache: new")
    edit.add_field(["actions", 1, "result"], "fields", "real_id", {"type": "int"})
    edit.add_review(["actions", 1], "result.real_id: new")
    assert edit.text == (
        "title: A\n"
        "actions:\n"
        "  # the first\n"
        "  - action: get_status\n"
        "    summary: 状态\n"
        "    description: >-\n"
        "      folded\n"
        "      text\n"
        "    params:\n"
        "      no_cache: {type: bool, required: false}\n"
        "    review:\n"
        "      - 'no_cache: new'\n"
        "\n"
        "  - action: get_msg\n"
        "    summary: 消息\n"
        "    result:\n"
        "      fields:\n"
        "        time: {type: int}\n"
        "        real_id: {type: int}\n"
        "    review:\n"
        "      - checked later\n"
        "      - 'result.real_id: new'\n"
    )
