"""The JSON Schemas in spec/schema/ (for editors) agree with the loader on real and malformed specs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import yaml

from .goldens import FIXTURES, SPEC

SCHEMAS = SPEC / "schema"
REGISTRY = referencing.Registry().with_resources(
    (p.name, referencing.Resource.from_contents(json.loads(p.read_text())))
    for p in SCHEMAS.glob("*.json")
)
BAD = Path(__file__).resolve().parent / "bad_specs"


def validator(spec_file: Path) -> jsonschema.Draft202012Validator:
    kinds = {
        "models.yaml": "models",
        "segments.yaml": "segments",
        "excluded.yaml": "excluded",
        "senders.yaml": "senders",
        "events.yaml": "events",
    }
    kind = kinds.get(spec_file.name, "actions")
    return jsonschema.Draft202012Validator({"$ref": f"{kind}.schema.json"}, registry=REGISTRY)


def spec_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.yaml"))


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", spec_files(SPEC) + spec_files(FIXTURES), ids=str)
def test_valid_spec_files_match_the_schema(path: Path) -> None:
    errors = [e.message for e in validator(path).iter_errors(load(path))]
    assert not errors


@pytest.mark.parametrize("path", spec_files(SPEC), ids=str)
def test_spec_files_name_their_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first.split("=", 1)[1]).resolve().is_file()


STRUCTURAL = [
    "unknown_action_key",
    "unknown_field_key",
    "unknown_top_key",
    "wrong_value_type",
    "missing_summary",
    "missing_type",
    "invalid_action_name",
    "unknown_source",
    "invalid_model_name",
    "invalid_python_name",
    "not_a_mapping",
    "bad_segment_name",
    "notes_not_strings",
    "event_discriminator_not_literal",
    # inputs the schema and the loader once judged differently
    "one_of_bare_string",
    "model_field_default",
    "enum_empty",
    "sources_repeated",
    "field_name_dash",
    "summary_empty",
]


@pytest.mark.parametrize("name", STRUCTURAL)
def test_schema_rejects_structural_mistakes(name: str) -> None:
    files = spec_files(BAD / name)
    assert files
    assert any(list(validator(f).iter_errors(load(f))) for f in files)
