"""Any description text and any valid names make code that compiles, and the text survives; any
value anywhere in a spec is loaded or refused with problems."""

from __future__ import annotations

import ast
import keyword
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from onebot_gen import names, spec, specfiles
from onebot_gen.build import generate
from onebot_gen.formatting.workers import Workers
from onebot_gen.problems import SpecInvalid

from .goldens import FIXTURES

# Any unicode a YAML file can carry (no surrogates), including quotes, backslashes,
# Jinja delimiters and line breaks, which the generator must escape (a summary is one line).
tricky = st.sampled_from(['"""', "'''", "\\", "{{ x }}", "{% if %}", "\n", '"', "\\n", "|", "<b>"])
text = st.lists(
    st.one_of(tricky, st.text(st.characters(exclude_categories=("Cs",)))), max_size=6
).map("".join)

wire_action = st.from_regex(r"[._]?[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True)
wire_param = st.from_regex(r"[a-z][A-Za-z0-9_]{0,12}", fullmatch=True)


def usable_method(wire: str) -> bool:
    method = names.snake(wire)
    return not keyword.iskeyword(method) and method not in names.client_attributes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    summary=text.map(lambda s: " ".join(s.splitlines())).filter(lambda s: s.strip() != ""),
    description=text,
    param_doc=text,
    action=wire_action.filter(usable_method),
    param=wire_param,
)
# A '"' and a lone "\r" in the texts of a model's docstrings (a docstring that never closed).
@example(summary="s", description='"x\ry', param_doc="x\ryx\ry", action="A", param="a")
def test_any_text_and_names_compile_and_survive(
    summary: str, description: str, param_doc: str, action: str, param: str, tools: Workers
) -> None:
    spec = {
        "title": summary,
        "actions": [
            {
                "action": action,
                "summary": summary,
                "description": description,
                "params": {param: {"type": "str", "description": param_doc}},
                "result": {
                    "description": description,
                    "fields": {param: {"type": "int", "description": param_doc}},
                },
            }
        ],
    }
    dumped = yaml.safe_dump(spec, allow_unicode=True)
    loaded = yaml.safe_load(dumped)["actions"][0]
    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / "spec"
        (spec_dir / "actions").mkdir(parents=True)
        (spec_dir / "actions" / "area.yaml").write_text(dumped, encoding="utf-8")
        files = generate(spec_dir, running=tools)

    for path, source in files.items():
        if path.endswith(".py"):
            compile(source, path, "exec")

    method = names.snake(action)
    client = ast.parse(files["onebot_client/api/area.py"])
    functions = [
        n for n in ast.walk(client) if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef)
    ]
    docs = [_squash(ast.get_docstring(f, clean=False) or "") for f in functions if f.name == method]
    assert len(docs) == 2  # sync and async
    for doc in docs:
        for line in (
            _lines(loaded["summary"])
            + _lines(loaded["description"])
            + _lines(loaded["params"][param]["description"])
        ):
            assert line in doc

    page = _squash(files["docs/area.md"])
    for line in _lines(loaded["description"]):
        assert line in page


def _squash(text: str) -> str:
    """Runs of white space as one space: indentation and tab stops are layout, not content."""
    return " ".join(text.split())


def _lines(value: str) -> list[str]:
    return [_squash(line) for line in value.splitlines() if line.strip()]


# -- any value anywhere: loaded, or refused with problems -----------------------------------------

#: Specs with every kind of file: actions, models, segments, senders and events.
MUTATED = [FIXTURES / "segments" / "spec", FIXTURES / "events" / "spec"]
SPEC_KEYS = ["type", "fields", "params", "summary", "action", "parts", "ids", "enum", "default"]
SPEC_KEYS += ["one_of", "discriminators", "post_type", "required", "base", "result", "notes"]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "str", "int | null", "list[", "text", "Missing", "group", "\n"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(SPEC_KEYS), inner, max_size=3),
    max_leaves=6,
)


def places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value in ``data`` (the whole file's too)."""
    out = [path]
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data) if isinstance(data, list) else []
    )
    for key, value in items:
        out += places(value, (*path, key))
    return out


def mutated_specs() -> list[tuple[Path, str, tuple[Any, ...]]]:
    return [
        (root, name, place)
        for root in MUTATED
        for name in specfiles.read(root).texts
        for place in places(yaml.safe_load(specfiles.read(root).texts[name]))
    ]


@settings(max_examples=300, deadline=None)
@given(where=st.sampled_from(mutated_specs()), value=json_values, drop=st.booleans())
def test_any_value_anywhere_loads_or_is_refused_with_problems(
    where: tuple[Path, str, tuple[Any, ...]], value: Any, drop: bool
) -> None:
    """The schema is as strict as the loader needs: whatever a key or list item holds, or when
    it is left out, the loader builds a spec or reports problems, and never fails otherwise."""
    root, name, place = where
    files = specfiles.read(root)
    data = yaml.safe_load(files.texts[name])
    if place:
        holder = data
        for part in place[:-1]:
            holder = holder[part]
        if drop:
            del holder[place[-1]]
        else:
            holder[place[-1]] = value
    else:
        data = value
    texts = {**files.texts, name: yaml.safe_dump(data, allow_unicode=True).encode()}
    try:
        spec.load_files(replace(files, texts=texts))
    except SpecInvalid as exc:
        assert exc.problems
