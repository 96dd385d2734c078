"""Build speed: `onebot-gen build` cold and no-op, against openapi-python-client on the same actions.

Run: .venv/bin/python bench/build.py  (make bench). Prints min/median seconds and ratios measured
in this run; nothing here is asserted.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from common import command, summary, table, timed_runs

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REPEAT = 5
ACTIONS = 150

# One description of the synthetic API; both inputs are made from it.
KINDS = [
    ("id", {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
    ("int", {"type": "integer"}),
    ("str", {"type": "string"}),
    ("bool", {"type": "boolean"}),
    ("list[str]", {"type": "array", "items": {"type": "string"}}),
]
MODELS = {
    f"Thing{m}": {f"field_{f}": KINDS[(m + f) % len(KINDS)] for f in range(6)} for m in range(10)
}


def description() -> list[dict[str, Any]]:
    actions = []
    for i in range(ACTIONS):
        params = {
            f"param_{p}": (KINDS[(i + p) % len(KINDS)], p % 3 == 2) for p in range(3 + i % 4)
        }  # name → (kind, optional)
        shape = i % 3
        result = (
            None
            if shape == 0
            else f"Thing{i % 10}" if shape == 1 else {"count": KINDS[1], "name": KINDS[2]}
        )
        actions.append(
            {
                "name": f"do_thing_{i}",
                "summary": f"Action number {i}",
                "params": params,
                "result": result,
            }
        )
    return actions


def write_spec(actions: list[dict[str, Any]], root: Path) -> None:
    (root / "actions").mkdir(parents=True)
    entries = []
    for a in actions:
        params = {}
        for name, ((kind, _), optional) in a["params"].items():
            params[name] = {"type": kind, "description": f"The {name}"} | (
                {"required": False} if optional else {}
            )
        result = a["result"]
        if isinstance(result, dict):
            result = {"fields": {k: {"type": v[0], "description": k} for k, v in result.items()}}
        entries.append(
            {"action": a["name"], "summary": a["summary"], "params": params, "result": result}
        )
    (root / "actions" / "bench.yaml").write_text(
        yaml.safe_dump({"title": "Bench", "actions": entries})
    )
    models = {
        name: {
            "description": name,
            "fields": {f: {"type": k[0], "description": f} for f, k in fields.items()},
        }
        for name, fields in MODELS.items()
    }
    (root / "models.yaml").write_text(yaml.safe_dump({"models": models}))


def write_openapi(actions: list[dict[str, Any]], path: Path) -> None:
    schemas = {
        name: {
            "type": "object",
            "description": name,
            "properties": {f: dict(k[1], description=f) for f, k in fields.items()},
            "required": list(fields),
        }
        for name, fields in MODELS.items()
    }
    paths = {}
    for a in actions:
        properties = {
            n: dict(k[1], description=f"The {n}")
            for n, ((_, _), _) in a["params"].items()
            for k in [a["params"][n][0]]
        }
        required = [n for n, (_, optional) in a["params"].items() if not optional]
        result = a["result"]
        if result is None:
            data: dict[str, Any] = {"type": "null"}
        elif isinstance(result, str):
            data = {"$ref": f"#/components/schemas/{result}"}
        else:
            data = {
                "type": "object",
                "properties": {k: v[1] for k, v in result.items()},
                "required": list(result),
            }
        envelope = {
            "type": "object",
            "properties": {
                "status": {"type": "string"},
                "retcode": {"type": "integer"},
                "data": data,
            },
            "required": ["status", "retcode", "data"],
        }
        paths[f"/{a['name']}"] = {
            "post": {
                "operationId": a["name"],
                "summary": a["summary"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": properties,
                                "required": required,
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": envelope}},
                    }
                },
            }
        }
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Bench", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    path.write_text(json.dumps(document))


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="onebot-gen-bench-"))
    try:
        actions = description()
        write_spec(actions, work / "spec")
        write_openapi(actions, work / "openapi.json")
        gen = str(BIN / "onebot-gen")
        rows = []
        results: dict[str, tuple[float, float]] = {}

        def fresh(target: str) -> None:
            shutil.rmtree(work / target, ignore_errors=True)
            shutil.rmtree(work / "cache", ignore_errors=True)

        for label, spec_dir in (
            ("real spec", ROOT / "spec"),
            (f"synthetic {ACTIONS}", work / "spec"),
        ):
            build = command(
                gen,
                "build",
                "--spec",
                str(spec_dir),
                "--out",
                str(work / "out"),
                "--cache-dir",
                str(work / "cache"),
            )
            results[f"cold {label}"] = summary(
                timed_runs(build, REPEAT, before=lambda: fresh("out"))
            )
            build()  # warm: output and cache in place
            results[f"no-op {label}"] = summary(timed_runs(build, REPEAT))
        opc = command(
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(work / "openapi.json"),
            "--output-path",
            str(work / "opc"),
            "--overwrite",
        )
        results[f"openapi-python-client {ACTIONS}"] = summary(
            timed_runs(opc, REPEAT, before=lambda: fresh("opc"))
        )
        baseline = results[f"openapi-python-client {ACTIONS}"][0]
        for name, (low, mid) in results.items():
            rows.append([name, f"{low:.3f}", f"{mid:.3f}", f"{low / baseline:.2f}x"])
        print(
            table(
                f"build time, seconds ({REPEAT} runs each; ratio of min against openapi-python-client)",
                ["run", "min", "median", "vs opc"],
                rows,
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
