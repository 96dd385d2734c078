"""Build speed: `onebot-gen build` cold, no-op and after a one-action edit, against
openapi-python-client on the same actions.

Run: .venv/bin/python bench/build.py  (make bench). Each spec (a copy of the real one, and a
synthetic one of 150 actions) is built cold (no output, no cache), then rebuilt with nothing
changed, then rebuilt after each of three edits a maintainer makes: one action's description,
one param's type, one new action. Every run makes an edit no build has seen (a counter in the
text, or the next int param), so the cache has the rest of the spec but never the edit; only the
rebuild is timed, and each rebuild must change the output (compared file by file, whatever the
layout). The same edits are then timed under `onebot-gen build --watch`, from the edit's write
to the build's line (its tools stay loaded between builds). Prints min/median seconds, the ratio
of the min against openapi-python-client's cold build of the synthetic 150 (measured in the same
run, taking turns with its cold builds: the machine's speed drifts over minutes), and whether
the min meets its goal; nothing here is asserted.

.venv/bin/python bench/build.py --profile: one cold build of the synthetic spec in this process
under cProfile (black in this process, not in a pool), and how much of it goes to black, the
layout pass before it, datamodel-code-generator, jinja and reading the spec. The profiler slows
pure Python (the layout pass, jinja, the spec) far more than black, which is compiled.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import importlib
import io
import itertools
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

from common import ENV, command, summary, table, timed_runs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' helpers
from tests.watching import Watching  # noqa: E402

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


# --- The maintainer's edits ---------------------------------------------------------------------


class SpecEditor:
    """One-action edits of a spec directory's area files (actions/*.yaml). Each edit starts from
    their original text, so edit ``n`` is the original spec and one change no build has seen."""

    def __init__(self, spec: Path) -> None:
        self.written = 0.0  # when the last edit was written (time.perf_counter)
        self.originals = {
            path: path.read_text(encoding="utf-8")
            for path in sorted((spec / "actions").glob("*.yaml"))
            if path.name != "imported.yaml"  # actions awaiting review, not an area
        }
        if not self.originals:
            raise SystemExit(f"{spec}: no area files (actions/*.yaml) to edit")
        self.first = next(iter(self.originals))
        # Params of type int with neither a default nor an enum: each may become a str.
        self.int_params = [
            (path, i, name)
            for path, text in self.originals.items()
            for i, action in enumerate(yaml.safe_load(text)["actions"])
            for name, param in (action.get("params") or {}).items()
            if param["type"] == "int" and "default" not in param and "enum" not in param
        ]

    def restore(self) -> None:
        """Put back the original text of each file that differs from it (only those: a
        watching build sees each write)."""
        for path, text in self.originals.items():
            if path.read_text(encoding="utf-8") != text:
                _write(path, text)

    def _change(self, path: Path, change: Callable[[list[dict[str, Any]]], None]) -> None:
        self.restore()
        area = yaml.safe_load(self.originals[path])
        change(area["actions"])
        text = yaml.safe_dump(area, allow_unicode=True, sort_keys=False, width=1000)
        self.written = time.perf_counter()
        _write(path, text)

    def describe(self, n: int) -> None:
        """The first action's description becomes edit ``n``'s own."""

        def change(actions: list[dict[str, Any]]) -> None:
            actions[0]["description"] = f"Edited description number {n}."

        self._change(self.first, change)

    def retype(self, n: int) -> None:
        """The ``n``-th int param becomes a str."""
        if n >= len(self.int_params):
            raise SystemExit(f"only {len(self.int_params)} int params to retype; {n + 1} needed")
        path, index, name = self.int_params[n]

        def change(actions: list[dict[str, Any]]) -> None:
            actions[index]["params"][name]["type"] = "str"

        self._change(path, change)

    def add(self, n: int) -> None:
        """A new action at the end of the first area, with one param and a result object."""

        def change(actions: list[dict[str, Any]]) -> None:
            actions.append(
                {
                    "action": f"added_action_{n}",
                    "summary": f"Added action number {n}",
                    "params": {"item_id": {"type": "int", "description": "The item"}},
                    "result": {
                        "description": "What was added",
                        "fields": {"count": {"type": "int", "description": "How many"}},
                    },
                }
            )

        self._change(self.first, change)


EDITS: list[tuple[str, Callable[[SpecEditor, int], None]]] = [
    ("edit description", SpecEditor.describe),
    ("edit param type", SpecEditor.retype),
    ("add action", SpecEditor.add),
]


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` by its relative path: what a build made, whatever its layout."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _write(path: Path, text: str) -> None:
    """Replace the file whole, as an editor that saves through a new file does: a watching build
    that reads it half-written would find the spec invalid, and end the run."""
    new = path.with_name(path.name + ".new")
    new.write_text(text, encoding="utf-8")
    os.replace(new, path)


def edit_runs(
    build: Callable[[], None], out: Path, kind: str, edit: Callable[[int], None], repeat: int
) -> list[float]:
    """Seconds of ``repeat`` rebuilds, each after a new edit (untimed); exits when a rebuild
    leaves the output as it was, since then the edit measured nothing."""
    counter = itertools.count()
    unedited: dict[str, bytes] = {}

    def before() -> None:
        unedited.clear()
        unedited.update(tree(out))
        edit(next(counter))

    def after() -> None:
        if tree(out) == unedited:
            raise SystemExit(f"{kind}: the rebuild left {out} as it was; the edit changed nothing")

    return timed_runs(build, repeat, before=before, after=after)


#: The key of ``measure``'s result that holds the rival's times.
RIVAL = "rival"


def measure(
    spec: Path, work: Path, repeat: int, rival: Callable[[], float] | None = None
) -> dict[str, list[float]]:
    """Seconds of each kind of build of ``spec``: cold, no-op, and a rebuild after each edit.
    ``rival``: a cold build of another tool (its seconds), timed taking turns with the cold
    builds (the machine's speed drifts over minutes), under ``RIVAL``."""
    out, cache = work / "out", work / "cache"
    build = command(
        str(BIN / "onebot-gen"),
        "build",
        "--spec",
        str(spec),
        "--out",
        str(out),
        "--cache-dir",
        str(cache),
    )

    def nothing_built() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    times: dict[str, list[float]] = {"cold": [], **({RIVAL: []} if rival else {})}
    for _ in range(repeat):
        if rival:
            times[RIVAL].append(rival())
        times["cold"] += timed_runs(build, 1, before=nothing_built)
    build()  # warm: output and cache in place
    times["no-op"] = timed_runs(build, repeat)
    editor = SpecEditor(spec)
    for kind, edit in EDITS:
        editor.restore()
        build()  # back to the warm original, untimed
        times[kind] = edit_runs(build, out, kind, functools.partial(edit, editor), repeat)
    editor.restore()
    return times


def built(watching: Watching) -> None:
    """Wait for the next build; exits when it found the spec invalid."""
    said = watching.next_build()
    if not said[-1].startswith("wrote "):
        raise SystemExit("build --watch: " + "\n".join(said))


def measure_watching(spec: Path, work: Path, repeat: int) -> dict[str, list[float]]:
    """Seconds from each edit's write to its build's line, under ``build --watch`` (which
    looks at the spec every 0.1 s; the first build, untimed, warms its tools)."""
    out, cache = work / "watched", work / "cache"
    editor = SpecEditor(spec)
    watching = Watching(spec, out, cache, ENV)
    times: dict[str, list[float]] = {}
    try:
        built(watching)
        for kind, edit in EDITS:
            times[kind] = []
            for n in range(repeat):
                editor.restore()
                watching.settle()
                unedited = tree(out)
                edit(editor, repeat + n)  # an edit the one-shot builds did not make
                built(watching)
                times[kind].append(time.perf_counter() - editor.written)
                if tree(out) == unedited:
                    raise SystemExit(f"{kind}, --watch: the build left {out} as it was")
    finally:
        watching.stop()
        editor.restore()
    return times


# --- Goals, judged on the min -------------------------------------------------------------------

COLD_GOAL = 1.0  # × openapi-python-client's cold build, on the synthetic spec
NO_OP_GOAL = 0.3  # seconds
EDIT_GOAL = 1.0  # seconds, any one-action edit


def goal(kind: str, synthetic: bool, low: float, baseline: float) -> str:
    if kind == "cold":
        if not synthetic:
            return ""
        target, met = f"≤ {COLD_GOAL:.1f}x opc", low <= COLD_GOAL * baseline
    elif kind == "no-op":
        target, met = f"≤ {NO_OP_GOAL:.1f} s", low <= NO_OP_GOAL
    else:
        target, met = f"≤ {EDIT_GOAL:.1f} s", low <= EDIT_GOAL
    return f"{target}: {'met' if met else 'missed'}"


def benchmark(work: Path, repeat: int) -> None:
    actions = description()
    write_spec(actions, work / "synthetic")
    write_openapi(actions, work / "openapi.json")
    shutil.copytree(ROOT / "spec", work / "real", ignore=shutil.ignore_patterns("__pycache__"))
    synthetic = f"synthetic {ACTIONS}"
    opc_out = work / "opc"
    opc = command(
        str(BIN / "openapi-python-client"),
        "generate",
        "--path",
        str(work / "openapi.json"),
        "--output-path",
        str(opc_out),
        "--overwrite",
    )

    def opc_cold() -> float:
        (seconds,) = timed_runs(opc, 1, before=lambda: shutil.rmtree(opc_out, ignore_errors=True))
        return seconds

    measured = {
        "real spec": measure(work / "real", work, repeat),
        synthetic: measure(work / "synthetic", work, repeat, rival=opc_cold),
        "real spec, --watch": measure_watching(work / "real", work, repeat),
        f"{synthetic}, --watch": measure_watching(work / "synthetic", work, repeat),
    }
    opc_times = measured[synthetic].pop(RIVAL)
    baseline = min(opc_times)
    rows = []
    for label, times in measured.items():
        for kind, runs in times.items():
            low, mid = summary(runs)
            mark = goal(kind, label == synthetic, low, baseline)
            rows.append(
                [f"{kind}, {label}", f"{low:.3f}", f"{mid:.3f}", f"{low / baseline:.2f}x", mark]
            )
    low, mid = summary(opc_times)
    rows.append(
        [f"openapi-python-client cold, {synthetic}", f"{low:.3f}", f"{mid:.3f}", "1.00x", ""]
    )
    print(
        table(
            f"build time, seconds ({repeat} runs each; ratio and goal of the min, against"
            " openapi-python-client's cold build)",
            ["run", "min", "median", "vs opc", "goal"],
            rows,
        )
    )


# --- Where a cold build's time goes -------------------------------------------------------------

#: Imported ahead of the build and timed on their own, so that the build's profile holds no
#: module bodies (an import nested in another would count twice).
IMPORTS = {
    "black": "black",
    "jinja2": "jinja2",
    "datamodel_code_generator": "datamodel-code-generator",
}


class InProcess:
    """``workers.Workers`` without processes, so that cProfile sees the steps' work."""

    def __init__(self, warm: Any) -> None:
        pass

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def run(self, steps: list[Any]) -> list[str]:
        return [step.make(step.text) for step in steps]


def entered(stats: dict[Any, Any], package: Path, *besides: Path) -> float:
    """Cumulative seconds of the calls into ``package`` from code outside it: from files outside
    it and ``besides``, not from templates (their code runs inside jinja's calls) nor from
    builtins and the import system (which run only what an outside call already counts)."""

    def outside(filename: str) -> bool:
        if filename == "~" or filename.startswith("<") or filename.endswith(".jinja"):
            return False
        return not any(Path(filename).is_relative_to(p) for p in (package, *besides))

    return float(
        sum(
            edge[3]
            for (filename, _, _), (*_, callers) in stats.items()
            if Path(filename).is_relative_to(package)
            for (caller, _, _), edge in callers.items()
            if outside(caller)
        )
    )


def cumulative(stats: dict[Any, Any], *functions: Callable[..., Any]) -> float:
    total = 0.0
    for f in functions:
        code = f.__code__
        key = (code.co_filename, code.co_firstlineno, code.co_name)
        if key not in stats:
            raise SystemExit(f"the profile has no call of {f.__module__}.{f.__qualname__}")
        total += stats[key][3]
    return total


def profile(work: Path) -> None:
    """One cold build of the synthetic spec in this process under cProfile: its seconds (slowed
    by the profiler) by what spent them."""
    from onebot_gen import cli, resolve, spec, specfiles
    from onebot_gen.formatting import layout, plan, workers

    write_spec(description(), work / "spec")
    profiler = cProfile.Profile()
    seconds = {}
    for module, name in IMPORTS.items():
        started = time.perf_counter()
        profiler.runcall(importlib.import_module, module)
        seconds[f"import {name}"] = time.perf_counter() - started
    args = ["build", "--spec", str(work / "spec"), "--out", str(work / "out")]
    args += ["--cache-dir", str(work / "cache")]
    started = time.perf_counter()
    with (
        mock.patch.object(workers, "Workers", InProcess),
        contextlib.redirect_stdout(io.StringIO()),  # the build's own line
    ):
        profiler.runcall(cli.main, args, standalone_mode=False)
    build = time.perf_counter() - started
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def package(module: str) -> Path:
        return Path(importlib.import_module(module).__file__ or "").parent

    laying_out = cumulative(stats, layout.laid_out)
    parts = {
        "black (format_str, every file)": cumulative(stats, plan.black) - laying_out,
        "laying lines out for black (layout, pure Python)": laying_out,
        "datamodel-code-generator (generate)": entered(stats, package("datamodel_code_generator")),
        "jinja (loading and rendering templates)": entered(
            stats, package("jinja2"), package("datamodel_code_generator")
        ),
        "reading, loading and resolving the spec": cumulative(
            stats, specfiles.read, spec.load_files, resolve.resolve
        ),
    }
    parts["the rest (hashing, rendering helpers, writing, ...)"] = build - sum(parts.values())
    total = sum(seconds.values()) + build
    rows = [[name, f"{s:.3f}", f"{s / total:.0%}"] for name, s in seconds.items()]
    rows.append([f"cold build, {ACTIONS} actions", f"{build:.3f}", f"{build / total:.0%}"])
    rows += [[f"  {name}", f"{s:.3f}", f"{s / total:.0%}"] for name, s in parts.items()]
    print(
        table(
            "where a cold build's time goes (in one process under cProfile, which slows it)",
            ["part", "seconds", "share"],
            rows,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Build speed of onebot-gen (see bench/build.py).")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs of each kind of build")
    parser.add_argument(
        "--profile", action="store_true", help="profile one cold build instead (see above)"
    )
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="onebot-gen-bench-"))
    try:
        if options.profile:
            profile(work)
        else:
            benchmark(work, options.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
