"""datamodel-code-generator run on JSON Schema: the steps that make the TypedDicts, in the
tools' processes (see ``workers``), which import this module and the tool, and not the rest of
the generator."""

from __future__ import annotations

import ast
import json
import warnings
from importlib.metadata import version

from ..memo import code_version
from .source import python_lines

#: The header of a module made only to be cut into objects (``made_units``); it is dropped.
_HEADER = "# The TypedDicts of some objects."

_GENERATOR = (
    f"datamodel-code-generator {version('datamodel-code-generator')} "
    f"(datamodels {code_version(__file__)})"
)
#: The step that makes a whole models module.
STEP = f"{_GENERATOR}, a module"
#: The step that makes the TypedDicts of one object (an action's params or result).
UNITS = f"{_GENERATOR}, an object"


def warm() -> None:
    """Import what making a models module needs (datamodel-code-generator imports most of itself
    on its first run)."""
    made(f"{_HEADER}\0" + json.dumps({"$defs": {"Warm": {"type": "object"}}}))


def made(key: str) -> str:
    """A models module, unformatted, from ``header\\0schema`` (a ``Step``'s text)."""
    header, schema = key.split("\0", 1)
    return _generate(header, schema)


def made_units(texts: str) -> str:
    """The TypedDicts of each object of a JSON list of their JSON Schemas, from one run of
    datamodel-code-generator: a JSON list of texts, each the JSON of
    ``{"imports": [[module, name], ...], "body": ...}``: the imports the object's classes need,
    and their source, unformatted.

    Each object's result is what a run on that object alone makes: an object refers to no class
    of another object of the list (each is typed by its import path, see ``_schema``).
    ``tests/test_model_units.py`` checks the claim."""
    schemas = [json.loads(text) for text in json.loads(texts)]
    merged = {k: v for schema in schemas for k, v in schema["$defs"].items()}
    source = _generate(_HEADER, json.dumps({"$defs": merged}, ensure_ascii=False))
    imported: dict[str, str] = {}  # name → its module
    statements: dict[str, list[ast.stmt]] = {}  # class → its statements
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.update((alias.asname or alias.name, node.module) for alias in node.names)
        elif isinstance(node, ast.Expr) and statements:  # an alias's docstring
            statements[next(reversed(statements))].append(node)
        else:
            statements.setdefault(_defined(node), []).append(node)
    if statements.keys() != merged.keys():
        extra, missing = sorted(statements.keys() - merged), sorted(merged.keys() - statements)
        raise RuntimeError(f"datamodel-code-generator made {extra} instead of {missing}")
    lines = python_lines(source)
    out = []
    for schema in schemas:
        nodes = [node for name in schema["$defs"] for node in statements[name]]
        used = {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}
        body = "\n\n".join(
            "".join(lines[_first_line(node) - 1 : node.end_lineno]).rstrip("\n") + "\n"
            for node in nodes
        )
        imports = sorted([imported[name], name] for name in used if name in imported)
        out.append(json.dumps({"imports": imports, "body": body}, ensure_ascii=False))
    return json.dumps(out, ensure_ascii=False)


def _defined(node: ast.stmt) -> str:
    """The name a class or alias statement defines."""
    if isinstance(node, ast.ClassDef):
        return node.name
    target = (
        node.targets[0]
        if isinstance(node, ast.Assign) and len(node.targets) == 1
        else node.target if isinstance(node, ast.AnnAssign) else None
    )
    if not isinstance(target, ast.Name):
        raise RuntimeError(f"datamodel-code-generator made {ast.unparse(node)!r}, not a class")
    return target.id


def _first_line(node: ast.stmt) -> int:
    decorators = node.decorator_list if isinstance(node, ast.ClassDef) else []
    return min([node.lineno, *(d.lineno for d in decorators)])


def _generate(header: str, schema: str) -> str:
    # Imported on a cache miss only: it is slow to import.
    from datamodel_code_generator import InputFileType, LiteralType, PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType

    with warnings.catch_warnings():
        # Notices about future defaults; every option that matters is given here.
        warnings.simplefilter("ignore")
        out = generate(
            schema,
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.TypingTypedDict,
            target_python_version=PythonVersion.PY_311,
            custom_file_header=header,
            disable_timestamp=True,
            use_schema_description=True,
            use_inline_field_description=True,
            use_single_line_docstring=True,
            use_attribute_docstrings=True,
            use_union_operator=True,
            use_standard_collections=True,
            use_double_quotes=True,
            use_type_alias=True,
            enum_field_as_literal=LiteralType.All,
            skip_root_model=True,
            keep_model_order=True,
            # Annotations evaluated at import time, so that __required_keys__ and
            # __optional_keys__ see NotRequired (postponed ones make every key required).
            disable_future_imports=True,
            strict_refs=True,
            formatters=[],
        )
    assert isinstance(out, str)
    return out
