"""The generator's own code meets the bar it sets for the generated code."""

from __future__ import annotations

import ast
import subprocess
import sys

from onebot_gen import names
from onebot_gen.resolve import resolve
from onebot_gen.spec import load

from .goldens import GENERATED, ROOT, SPEC


def test_generator_passes_mypy_strict(checkers: dict[str, list[str]]) -> None:
    result = subprocess.run(
        [*checkers["mypy"], "generator"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_black_formatted() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "generator", "tests", "templates"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_module_names_cover_what_generated_modules_import_and_define() -> None:
    """names.MODULE_NAMES is what no spec name may take: it must hold every name the generated
    modules import (but the spec's own classes) and every function or class the templates add."""
    api = resolve(load(SPEC))
    from_spec = {o.class_name for o in (*api.models, *api.param_objects, *api.result_objects)}
    from_spec |= {s.builder for s in api.segments} | {s.class_name for s in api.segments}
    from_spec |= {s.data.class_name for s in api.segments} | {"Segment", "Message"}
    from_spec |= {e.class_name for e in api.events} | {g.class_name for g in api.event_groups}
    from_spec |= {"Event", "UnknownEvent"}
    from_spec |= {a.mixin for a in api.areas} | {a.async_mixin for a in api.areas}
    package = GENERATED / "onebot_client"
    generated = [package / name for name in ("client.py", "seg.py", "events.py", "testing.py")]
    generated += [*package.glob("api/*.py"), *package.glob("models/*.py")]
    found = set()
    for module in generated:
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module != "models":
                found |= {alias.asname or alias.name for alias in node.names}
        found |= {
            n.name if isinstance(n, ast.ClassDef | ast.FunctionDef) else n.target.id
            for n in tree.body
            if isinstance(n, ast.ClassDef | ast.FunctionDef)
            or (isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name))
        }
    assert found - from_spec <= names.MODULE_NAMES


def test_client_attributes_follow_the_runtime() -> None:
    from onebot_client._clients import AsyncClient, SyncClient

    runtime = {n for cls in (SyncClient, AsyncClient) for n in dir(cls)}
    assert runtime <= names.client_attributes()
    assert {"_call", "__init__", "call", "close", "_transport"} <= names.client_attributes()
