"""`onebot-gen diff`: each kind of change with its classification, real NapCat data, and the CLI."""

from __future__ import annotations

import json
from typing import Any
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from onebot_gen import spec as s
from onebot_gen.cli import main
from onebot_gen.diff import RULES, Change, compare

from .goldens import ROOT

DATA = Path(__file__).resolve().parent / "data"

BASE_ACTION = {
    "action": "set_group_ban",
    "summary": "禁言",
    "params": {
        "group_id": {"type": "id", "description": "群号"},
        "duration": {"type": "int", "default": 1800, "description": "时长"},
        "sex": {"type": "str", "enum": ["male", "female"], "required": False},
    },
    "result": {"fields": {"ok": {"type": "bool"}, "count": {"type": "int"}}},
}
BASE_MODELS = {"Info": {"fields": {"user_id": {"type": "id"}, "nickname": {"type": "str"}}}}


def load(tmp: Path, actions: list[dict], models: dict | None = None, name: str = "spec") -> s.Spec:
    root = tmp / name
    (root / "actions").mkdir(parents=True)
    (root / "actions" / "a.yaml").write_text(
        yaml.safe_dump({"title": "A", "actions": actions}, allow_unicode=True)
    )
    if models:
        (root / "models.yaml").write_text(yaml.safe_dump({"models": models}, allow_unicode=True))
    return s.load(root)


def changed(tmp_path: Path, edit: dict, models: dict | None = None) -> list[tuple[str, str, bool]]:
    old = load(
        tmp_path,
        [BASE_ACTION, {"action": "get_info", "summary": "i", "result": "Info"}],
        BASE_MODELS,
        "old",
    )
    action = json.loads(json.dumps(BASE_ACTION))
    for path, value in edit.items():
        target = action
        *parents, last = path.split(".")
        for part in parents:
            target = target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    actions = [action, {"action": "get_info", "summary": "i", "result": "Info"}]
    new = load(tmp_path, actions, models if models is not None else BASE_MODELS, "new")
    return [(c.subject, c.rule, c.breaking) for c in compare(old, new)]


CASES = {
    "param removed": (
        {"params.duration": None},
        [("set_group_ban.duration", "param-removed", True)],
    ),
    "optional param added": (
        {"params.reason": {"type": "str", "required": False}},
        [("set_group_ban.reason", "param-added-optional", False)],
    ),
    "required param added": (
        {"params.reason": {"type": "str"}},
        [("set_group_ban.reason", "param-added-required", True)],
    ),
    "param renamed": (
        {
            "params.durations": {"type": "int", "default": 1800, "description": "时长"},
            "params.duration": None,
        },
        [("set_group_ban.duration", "param-renamed", True)],
    ),
    "type narrowed": (
        {"params.group_id": {"type": "int"}},
        [("set_group_ban.group_id", "param-narrowed", True)],
    ),
    "type widened": (
        {"params.duration": {"type": "int | str", "default": 1800}},
        [("set_group_ban.duration", "param-widened", False)],
    ),
    "type changed": (
        {"params.duration": {"type": "bool", "default": True}},
        [
            ("set_group_ban.duration", "param-changed", True),
            ("set_group_ban.duration", "default-changed", False),
        ],
    ),
    "now required": (
        {"params.sex": {"type": "str", "enum": ["male", "female"]}},
        [("set_group_ban.sex", "param-now-required", True)],
    ),
    "now optional": (
        {"params.group_id": {"type": "id", "required": False}},
        [("set_group_ban.group_id", "param-now-optional", False)],
    ),
    "default changed": (
        {"params.duration": {"type": "int", "default": 60}},
        [("set_group_ban.duration", "default-changed", False)],
    ),
    "enum value added": (
        {"params.sex": {"type": "str", "enum": ["male", "female", "unknown"], "required": False}},
        [("set_group_ban.sex", "param-widened", False)],
    ),
    "enum value removed": (
        {"params.sex": {"type": "str", "enum": ["male"], "required": False}},
        [("set_group_ban.sex", "param-narrowed", True)],
    ),
    "result field removed": (
        {"result.fields.count": None},
        [("set_group_ban → result.count", "result-field-removed", True)],
    ),
    "result field added": (
        {"result.fields.extra": {"type": "str"}},
        [("set_group_ban → result.extra", "result-field-added", False)],
    ),
    "result field may be absent": (
        {"result.fields.ok": {"type": "bool", "required": False}},
        [("set_group_ban → result.ok", "result-field-now-optional", True)],
    ),
    "result field widened": (
        {"result.fields.count": {"type": "int | null"}},
        [("set_group_ban → result.count", "result-widened", True)],
    ),
    "result field narrowed": (
        {"result.fields.count": {"type": "int", "enum": [0, 1]}},
        [("set_group_ban → result.count", "result-narrowed", False)],
    ),
    "result gone": ({"result": None}, [("set_group_ban → result", "result-changed", True)]),
    "method renamed": ({"python_name": "ban"}, [("set_group_ban", "method-renamed", True)]),
    "description only": ({"summary": "群禁言"}, [("set_group_ban", "description-changed", False)]),
}


@pytest.mark.parametrize("case", CASES)
def test_each_kind_of_change_is_classified(case: str, tmp_path: Path) -> None:
    edit, expected = CASES[case]
    assert changed(tmp_path, edit) == expected


def test_model_field_changes(tmp_path: Path) -> None:
    models = {
        "Info": {"fields": {"user_id": {"type": "id"}, "age": {"type": "int"}}},
        "Extra": {"fields": {}},
    }
    found = changed(tmp_path, {}, models)
    assert found == [
        ("Extra", "object-added", False),
        ("Info.nickname", "result-field-removed", True),
        ("Info.age", "result-field-added", False),
    ]


def test_added_and_removed_actions(tmp_path: Path) -> None:
    old = load(tmp_path, [BASE_ACTION], name="old")
    new = load(tmp_path, [{"action": "get_status", "summary": "状态"}], name="new")
    found = [(c.subject, c.rule, c.breaking) for c in compare(old, new)]
    assert found == [
        ("get_status", "action-added", False),
        ("set_group_ban", "action-removed", True),
    ]


SEND = {
    "action": "send_group_msg",
    "summary": "发送",
    "params": {"group_id": {"type": "id"}, "message": {"type": "message"}},
}
SEGMENTS = {
    "text": {"summary": "文本", "fields": {"text": {"type": "str"}}},
    "at": {"summary": "@", "fields": {"qq": {"type": "id"}}},
}


def with_senders(tmp: Path, name: str, senders: dict, segments: dict = SEGMENTS) -> s.Spec:
    root = tmp / name
    (root / "actions").mkdir(parents=True)
    (root / "actions" / "a.yaml").write_text(
        yaml.safe_dump({"title": "A", "actions": [SEND, {**SEND, "action": "send_msg"}]})
    )
    (root / "segments.yaml").write_text(yaml.safe_dump({"segments": segments}, allow_unicode=True))
    (root / "senders.yaml").write_text(yaml.safe_dump({"senders": senders}, allow_unicode=True))
    return s.load(root)


def test_sender_changes(tmp_path: Path) -> None:
    post = {"action": "send_group_msg", "summary": "发", "parts": {"text": "text", "at": "qq"}}
    old = with_senders(tmp_path, "old", {"post": post, "gone": post})
    edited = {"action": "send_msg", "summary": "发", "parts": {"text": "text"}, "message": True}
    new = with_senders(tmp_path, "new", {"post": edited, "fresh": post})
    found = [(c.subject, c.rule, c.breaking) for c in compare(old, new)]
    assert found == [
        ("fresh", "sender-added", False),
        ("gone", "sender-removed", True),
        ("post", "sender-action-changed", False),
        ("post.message", "sender-keyword-added", False),
        ("post.at", "sender-keyword-removed", True),
    ]


def test_a_sender_keyword_is_named_as_the_client_names_it(tmp_path: Path) -> None:
    """A segment with a python_name gives its sender keyword that name, in the diff too."""
    post = {"action": "send_group_msg", "summary": "发", "parts": {"text": "text", "at": "qq"}}
    old = with_senders(tmp_path, "old", {"post": post})
    renamed = {**SEGMENTS, "at": {**SEGMENTS["at"], "python_name": "mention"}}
    new = with_senders(tmp_path, "new", {"post": post}, renamed)
    found = [(c.subject, c.rule) for c in compare(old, new) if c.section == "senders"]
    assert found == [
        ("post.mention", "sender-keyword-added"),
        ("post.at", "sender-keyword-removed"),
    ]


def test_every_rule_says_why() -> None:
    assert all(why for _, why in RULES.values())
    assert Change("actions", "x", "param-removed", "").why == RULES["param-removed"][1]


# NapCat 4.17.0 → 4.18.0, read off the two OpenAPI files by hand: two actions added
# (cancel_group_todo, complete_group_todo); get_group_album_media_list.attach_info no longer
# listed as required (no change: it has a default "", which NapCat fills in before it checks);
# get_qun_album_list gained attach_info and a paged result (its albums a new object);
# the six send actions gained an optional `timeout`; .handle_quick_operation's operation.reply
# became a message (was a string).
NAPCAT_417_TO_418 = [
    ("cancel_group_todo", "action-added", False),
    ("complete_group_todo", "action-added", False),
    ("get_qun_album_list.attach_info", "param-added-optional", False),
    ("get_qun_album_list → result", "result-changed", True),
    ("send_forward_msg.timeout", "param-added-optional", False),
    ("send_group_forward_msg.timeout", "param-added-optional", False),
    ("send_group_msg.timeout", "param-added-optional", False),
    ("send_msg.timeout", "param-added-optional", False),
    ("send_private_forward_msg.timeout", "param-added-optional", False),
    ("send_private_msg.timeout", "param-added-optional", False),
    ("HandleQuickOperationOperation.reply", "param-widened", False),
    ("QunAlbum", "object-added", False),
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_napcat_4_17_to_4_18(tmp_path: Path) -> None:
    code, out, _ = run(
        "diff",
        str(DATA / "openapi-4.17.0.json"),
        str(DATA / "openapi-4.18.0.json"),
        "--format",
        "json",
    )
    assert code == 0
    found = [(c["subject"], c["rule"], c["breaking"]) for c in json.loads(out)["changes"]]
    assert found == NAPCAT_417_TO_418


def test_fail_on_sets_the_exit_status() -> None:
    args = ["diff", str(DATA / "openapi-4.17.0.json"), str(DATA / "openapi-4.18.0.json")]
    assert run(*args, "--fail-on", "breaking")[0] == 1
    assert run(*args, "--fail-on", "any")[0] == 1
    same = ["diff", str(DATA / "openapi-4.18.0.json"), str(DATA / "openapi-4.18.0.json")]
    code, out, _ = run(*same, "--fail-on", "any")
    assert (code, out) == (0, "no changes\n")


def test_text_and_markdown_show_the_rule() -> None:
    args = ["diff", str(DATA / "openapi-4.17.0.json"), str(DATA / "openapi-4.18.0.json")]
    _, text, _ = run(*args)
    assert "BREAKING    get_qun_album_list → result: result-changed" in text
    assert "rule: the result's type changed incompatibly" in text
    assert text.endswith("12 change(s), 1 breaking, 11 compatible\n")
    assert text.startswith(f"from {args[1]} to {args[2]}:\n")
    _, markdown, _ = run(*args, "--format", "markdown")
    assert markdown.startswith(f"## Changes from `{args[1]}` to `{args[2]}`\n")
    assert "| **breaking** | `get_qun_album_list → result` | result-changed |" in markdown
    _, as_json, _ = run(*args, "--format", "json")
    assert (json.loads(as_json)["old"], json.loads(as_json)["new"]) == (args[1], args[2])


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = run("diff", str(tmp_path / "bad.json"), str(DATA / "openapi-4.18.0.json"))
    assert code == 2 and "not a readable OpenAPI document" in err
    code, _, err = run("diff", str(tmp_path / "nowhere"), "spec")
    assert code == 2 and "no such file or directory" in err
    code, _, err = run("diff", "git:no-such-revision", str(DATA / "openapi-4.18.0.json"))
    assert code == 2 and "git:no-such-revision" in err


def test_git_revision_of_this_repository() -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    if head.returncode != 0:
        pytest.fail("the tests run inside the git checkout")
    result = subprocess.run(
        [str(Path(__import__("sys").executable).parent / "onebot-gen"), "diff", "git:HEAD", "spec"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("compatible\n") or result.stdout == "no changes\n"


BASE_EVENTS = {
    "common": {"time": {"type": "int"}},
    "events": {
        "GroupBanNoticeEvent": {
            "summary": "禁言",
            "discriminators": {
                "post_type": "notice",
                "notice_type": "group_ban",
                "sub_type": ["ban", "lift_ban"],
            },
            "fields": {"group_id": {"type": "int"}, "duration": {"type": "int"}},
        },
        "HeartbeatMetaEvent": {
            "summary": "心跳",
            "discriminators": {"post_type": "meta_event", "meta_event_type": "heartbeat"},
            "fields": {"interval": {"type": "int"}},
        },
    },
}


def events_changed(tmp_path: Path, edit: Any) -> list[tuple[str, str, bool]]:
    def spec_with(events: dict[str, Any], name: str) -> s.Spec:
        root = tmp_path / name
        (root / "actions").mkdir(parents=True)
        (root / "actions" / "a.yaml").write_text(
            yaml.safe_dump({"title": "A", "actions": [BASE_ACTION]}, allow_unicode=True)
        )
        (root / "events.yaml").write_text(yaml.safe_dump(events, allow_unicode=True))
        return s.load(root)

    new = json.loads(json.dumps(BASE_EVENTS))
    edit(new)
    old_spec, new_spec = spec_with(BASE_EVENTS, "old"), spec_with(new, "new")
    return [(c.subject, c.rule, c.breaking) for c in compare(old_spec, new_spec)]


def _ban(events: dict[str, Any]) -> dict[str, Any]:
    ban: dict[str, Any] = events["events"]["GroupBanNoticeEvent"]
    return ban


EVENT_CASES: dict[str, tuple[Any, list[tuple[str, str, bool]]]] = {
    "event added": (
        lambda e: e["events"].update(
            FriendAddNoticeEvent={
                "summary": "好友",
                "discriminators": {"post_type": "notice", "notice_type": "friend_add"},
                "fields": {},
            }
        ),
        [("FriendAddNoticeEvent", "event-added", False)],
    ),
    "event removed": (
        lambda e: e["events"].pop("HeartbeatMetaEvent"),
        [("HeartbeatMetaEvent", "event-removed", True)],
    ),
    "field added": (
        lambda e: _ban(e)["fields"].update(operator_id={"type": "int"}),
        [("GroupBanNoticeEvent.operator_id", "result-field-added", False)],
    ),
    "field removed": (
        lambda e: _ban(e)["fields"].pop("duration"),
        [("GroupBanNoticeEvent.duration", "result-field-removed", True)],
    ),
    "field made optional": (
        lambda e: _ban(e)["fields"]["duration"].update(required=False),
        [("GroupBanNoticeEvent.duration", "result-field-now-optional", True)],
    ),
    "field type changed": (
        lambda e: _ban(e)["fields"]["duration"].update(type="str"),
        [("GroupBanNoticeEvent.duration", "result-changed", True)],
    ),
    "field type narrowed": (
        lambda e: _ban(e)["fields"]["duration"].update(type="int | null")
        or e["events"]["HeartbeatMetaEvent"]["fields"]["interval"].update(type="int"),
        [("GroupBanNoticeEvent.duration", "result-widened", True)],
    ),
    "common field removed": (
        lambda e: e["common"].pop("time"),
        [("common.time", "result-field-removed", True)],
    ),
    "sub_type value added": (
        lambda e: _ban(e)["discriminators"]["sub_type"].append("whole_group"),
        [("GroupBanNoticeEvent.sub_type", "event-values-added", False)],
    ),
    "sub_type value removed": (
        lambda e: _ban(e)["discriminators"].update(sub_type="ban"),
        [("GroupBanNoticeEvent.sub_type", "event-values-removed", True)],
    ),
}


@pytest.mark.parametrize("case", EVENT_CASES)
def test_event_changes_are_classified(tmp_path: Path, case: str) -> None:
    edit, expected = EVENT_CASES[case]
    assert events_changed(tmp_path, edit) == expected
