"""An area's TypedDicts are made by datamodel-code-generator an object at a time when cached
and many at once when not (``datamodels.made_units``): the module must come out the same
either way, so each object's result must not depend on the others in its run."""

from __future__ import annotations

import json

import pytest

from onebot_gen import render_models, resolve, spec
from onebot_gen.formatting import datamodels
from onebot_gen.formatting.steps import Batch

from .goldens import FIXTURES, SPEC, fixture_names


def _batches(spec_dir: str) -> dict[str, Batch]:
    path = SPEC if spec_dir == "spec" else FIXTURES / spec_dir / "spec"
    api = resolve.resolve(spec.load(path))
    files = render_models.render(api, render_models.modules(api))
    return {path: item for path, item in files.items() if isinstance(item, Batch)}


@pytest.mark.parametrize("spec_dir", ["spec", *fixture_names()])
def test_an_object_made_with_others_is_made_as_alone(spec_dir: str) -> None:
    batches = _batches(spec_dir)
    assert batches, "no area has params or results"
    for path, batch in batches.items():
        together = json.loads(datamodels.made_units(json.dumps(batch.texts)))
        alone = [json.loads(datamodels.made_units(json.dumps([t])))[0] for t in batch.texts]
        assert together == alone, path


def test_imports_come_merged_and_the_standard_library_first() -> None:
    (batch,) = _batches("keyword_params").values()
    joined = batch.join(
        [
            json.dumps(
                {"imports": [["typing", "TypedDict"]], "body": "class A(TypedDict):\n    x: int\n"}
            ),
            json.dumps(
                {
                    "imports": [["onebot_client.models.common", "Thing"], ["typing", "Literal"]],
                    "body": "class B(TypedDict):\n    y: Thing\n",
                }
            ),
        ]
    )
    assert (
        "\nfrom typing import Literal, TypedDict\nfrom onebot_client.models.common import Thing\n"
        in joined
    )
    assert joined.index("class A(TypedDict)") < joined.index("class B(TypedDict)")


def test_a_class_the_schema_does_not_name_is_refused() -> None:
    inline = {"type": "object", "properties": {"x": {"type": "integer"}}}
    schema = {"$defs": {"A": {"type": "object", "properties": {"inner": inline}}}}
    with pytest.raises(RuntimeError, match=r"made \['Inner'\] instead of \[\]"):
        datamodels.made_units(json.dumps([json.dumps(schema)]))


def test_a_docstring_holding_a_form_feed_stays_whole() -> None:
    schema = {
        "$defs": {
            "A": {
                "type": "object",
                "description": "\x0c",
                "properties": {"x": {"type": "integer", "description": "a\x0cb\u2028c"}},
            }
        }
    }
    (result,) = json.loads(datamodels.made_units(json.dumps([json.dumps(schema)])))
    body = json.loads(result)["body"]
    compile(body, "A", "exec")
    assert "a\x0cb\u2028c" in body
