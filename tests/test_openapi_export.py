"""generated/openapi.json: a valid OpenAPI 3.1 document of the whole spec, read back by our own
OpenAPI reader as NapCat's documents are."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from openapi_spec_validator import validate

from onebot_gen import render_openapi, resolve, spec
from onebot_gen.cli import main
from onebot_gen.openapi import OpenApi

from .goldens import GENERATED, SPEC

DOCUMENT = GENERATED / "openapi.json"


def load() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT.read_text("utf-8"))
    return document


def test_the_document_is_valid_openapi_3_1() -> None:
    document = load()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_action_and_event_is_in_it() -> None:
    api = resolve.resolve(spec.load(SPEC))
    document = load()
    assert sorted(document["paths"]) == sorted(f"/{a.wire}" for a in api.actions)
    assert sorted(document["webhooks"]) == sorted(e.class_name for e in api.events)
    schemas = document["components"]["schemas"]
    assert {m.class_name for m in api.models} <= schemas.keys()
    assert {s.class_name for s in api.segments} <= schemas.keys()


def test_results_are_typed_as_in_the_client() -> None:
    actions = OpenApi(load()).actions
    assert actions["get_login_info"].result == {"$ref": "#/components/schemas/LoginInfo"}
    assert actions["set_group_ban"].result == {"type": "null", "x-onebot-type": "null"}
    ban = {p.name: p for p in actions["set_group_ban"].params}
    assert ban["group_id"].schema["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    assert ban["group_id"].schema["x-onebot-type"] == "id"
    assert ban["group_id"].required and ban["duration"].required
    history = {p.name: p for p in actions["get_group_msg_history"].params}
    assert not history["count"].required


def test_the_round_trip_through_our_own_document_reports_no_disagreement() -> None:
    command = ["import-napcat", str(DOCUMENT), "--report", "--spec", str(SPEC)]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"NapCat 0.1.0: {len(OpenApi(load()).actions)} actions. For a person: 0 to import, "
        "0 to add to actions the spec has, 0 to decide; 0 difference(s) settled (0 recorded in "
        "napcat_differs)."
    ]


def test_diff_reads_it_like_napcat_documents() -> None:
    result = CliRunner().invoke(main, ["diff", str(DOCUMENT), str(DOCUMENT)])
    assert result.exit_code == 0, result.output
    assert result.output == "no changes\n"


def test_laid_out_a_piece_at_a_time_as_json_lays_it_out_whole() -> None:
    big = {f"key {i}": {"description": "x" * 100, "list": [1, {"n": None}]} for i in range(40)}
    for document in [{}, [], {"a": {}}, {"a": [1, {"b": "é\n\t"}], "c": 1.5}, {"big": big, "z": 0}]:
        pieces: list[str] = []
        shape = render_openapi._cut(document, pieces)
        laid_out = json.loads(render_openapi.indented(json.dumps(pieces)))
        whole = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        assert render_openapi._joined(shape, laid_out) == whole
    assert len(pieces) > 40  # the big object was cut
