"""Every example call in the generated docs type-checks (mypy --strict and pyright) and is sent as
written to the stand-in server: the action it names, with the params it shows."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from onebot_client import OneBot, seg
from tests.onebot_server import STREAM_ACTIONS, OneBotServer
from tests.conftest import CHECKER_NAMES

from .conftest import TOKEN

GENERATED = Path(__file__).resolve().parents[2] / "generated"
DOCS = GENERATED / "docs"
OPENAPI = json.loads((GENERATED / "openapi.json").read_text(encoding="utf-8"))


def examples() -> dict[str, str]:
    """Each action's example call, by the anchor (the method) of its section."""
    out = {}
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for section in re.split(r'\n<a id="', text)[1:]:
            method = section[: section.index('"')]
            found = re.search(r"\nExample:\n\n```python\n(.*?)\n```", section, re.S)
            if found:
                out[method] = found.group(1)
    return out


def _wire(method: str) -> str:
    """The wire name of a method, from the docs heading."""
    for page in DOCS.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        found = re.search(rf'<a id="{re.escape(method)}"></a>\n## `([^`]+)`', text)
        if found:
            return found.group(1)
    raise KeyError(method)


#: Actions whose params are all optional on paper but that need some of them (the examples
#: generated from the required params used to leave these out): one of the groups, given whole.
NEEDS = {
    "send_msg": [{"message_type", "group_id"}, {"message_type", "user_id"}],
    "send_forward_msg": [{"message_type", "group_id"}, {"message_type", "user_id"}],
    "get_file": [{"file"}, {"file_id"}],
    "get_image": [{"file"}, {"file_id"}],
    "get_record": [{"file"}, {"file_id"}],
    "delete_friend": [{"user_id"}, {"friend_id"}],
    "get_forward_msg": [{"message_id"}, {"id"}],
    "delete_essence_msg": [{"message_id"}, {"msg_seq", "msg_random", "group_id"}],
    "download_file": [{"url"}, {"base64"}],
    "mark_msg_as_read": [{"message_id"}, {"group_id"}, {"user_id"}],
    "mark_group_msg_as_read": [{"message_id"}, {"group_id"}],
    "mark_private_msg_as_read": [{"message_id"}, {"user_id"}],
}


def test_every_action_has_an_example() -> None:
    assert len(examples()) == len(OPENAPI["paths"])


@pytest.mark.parametrize("checker", CHECKER_NAMES)
def test_examples_type_check(checker: str, tmp_path: Path, checkers: dict[str, list[str]]) -> None:
    lines = ["from onebot_client import OneBot, seg", ""]
    for i, (method, code) in enumerate(sorted(examples().items())):
        lines += ["", f"def example_{i}_{method}(bot: OneBot) -> None:"]
        lines += [f"    {line}" for line in code.splitlines()]
        if code.startswith("result = "):
            lines.append("    print(result)")
    file = tmp_path / "doc_examples.py"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [*checkers[checker], file.name], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("method", sorted(examples()))
def test_example_is_sent_as_written(method: str, server: OneBotServer) -> None:
    code = examples()[method]
    wire = _wire(method)
    if wire in STREAM_ACTIONS:  # the stand-in answers these as streams of a real file
        server.on(wire, None)
    with OneBot(server.http_url, access_token=TOKEN, timeout=5) as bot:
        exec(code, {"bot": bot, "seg": seg})
    (request,) = server.requests
    assert request.action == wire
    # What the example shows, and only that: every keyword it gives arrives under its wire name.
    call = ast.parse(code.removeprefix("result = "), mode="eval").body
    assert isinstance(call, ast.Call)
    assert len(request.params) == len(call.args) + len(call.keywords), request.params
    # The params fit the action's schema (every required one, each of its type).
    schema = OPENAPI["paths"][f"/{wire}"]["post"]["requestBody"]["content"]["application/json"]
    resolver = {"components": OPENAPI["components"], **schema["schema"]}
    jsonschema.validate(request.params, resolver)
    # A group, a user and a message are told apart: no example uses one number for two of them.
    ids = {k: v for k, v in request.params.items() if k.endswith("_id") and isinstance(v, int)}
    assert len(set(ids.values())) == len(ids), ids
    if wire in NEEDS:
        assert any(group <= request.params.keys() for group in NEEDS[wire]), request.params
