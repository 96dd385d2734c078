"""The whole pipeline, spec directory → formatted files in memory."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from importlib.metadata import version
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from . import specfiles
from .memo import NO_CACHE, Memo

if TYPE_CHECKING:
    from .formatting.workers import Workers

#: The tools whose versions shape the output (the formatters are pinned; a different pin is
#: another build) or decide whether there is one (jsonschema).
TOOLS = ("black", "datamodel-code-generator", "jinja2", "jsonschema", "pyyaml")


def generate(
    spec_dir: Path, memo: Memo = NO_CACHE, running: Workers | None = None
) -> dict[str, str]:
    """Load, resolve, render and format; raises SpecInvalid with every problem of the spec.

    ``memo`` may cache the slow steps, and the whole build under a hash of everything it reads
    (the spec, the templates, the generator's own code and the tools' versions); it never
    changes the result. ``running``: the tools' processes (``start_tools``) to run the slow
    steps in; else the build starts its own before it reads anything, so that they import
    their tools while it reads the spec and looks in the cache. A build the cache has stops
    them unused (it imports neither jinja2 nor black itself).
    """
    with contextlib.ExitStack() as stack:
        running = running or stack.enter_context(start_tools())
        sources = specfiles.read(spec_dir)  # the one reading of the spec, for key and build
        if memo.root is None:
            return _generate(sources, memo, running)
        key = fingerprint(sources)
        try:
            made = memo.get("build", key, lambda: json.dumps(_generate(sources, memo, running)))
        finally:
            memo.flush()  # what the build made, even when the spec turned out invalid
    files_: dict[str, str] = json.loads(made)
    return files_


def start_tools() -> Workers:
    """The processes that run the slow steps, started: each imports its tool at once."""
    from .formatting import datamodels, plan, workers

    tools: dict[Callable[[], None], list[Callable[[str], str]]] = {
        plan.warm: [plan.black],
        datamodels.warm: [datamodels.made, datamodels.made_units],
    }
    return workers.Workers(tools)


def _generate(sources: specfiles.SpecFiles, memo: Memo, running: Workers) -> dict[str, str]:
    from . import output, resolve, spec  # on a cache miss only
    from .formatting import plan

    # An invalid spec is reported without waiting for the tools, or importing jinja2.
    api = resolve.resolve(spec.load_files(sources, memo))
    from . import render

    compiled = memo.root / "templates" if memo.root else None
    made = plan.formatted(render.render(api, compiled), memo, running.run)
    return output.with_marker({**made, **render.runtime()})


def fingerprint(sources: specfiles.SpecFiles) -> str:
    """A hash of every input of a build: the spec as read (with what could not be read), the
    generator's code, templates and schemas, and the tools' versions."""
    digest = hashlib.sha256()
    spec = [(f"spec/{name}", data) for name, data in sources.texts.items()]
    spec += [("spec problem", _bytes(str(problem))) for problem in sources.problems]
    spec.append(("spec root", _bytes(str(sources.display_root))))
    trees = [
        spec,
        _tree(files("onebot_gen")),
        _tree(files("onebot_gen.templates")),
        _tree(files("onebot_gen.bundled_spec") / "schema", "schema/"),
    ]
    for name, data in (entry for tree in trees for entry in tree):
        digest.update(_bytes(f"{name}\0{len(data)}\0"))
        digest.update(data)
    for tool in TOOLS:
        digest.update(f"{tool} {version(tool)}\0".encode())
    return digest.hexdigest()


def _tree(root: Path | Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    """``(relative name, content)`` of every file below ``root``, in name order (no caches)."""
    out = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                out += _tree(entry, name + "/")
        else:
            out.append((name, entry.read_bytes()))
    return out


def _bytes(text: str) -> bytes:
    # File names may hold surrogates (bytes that are not UTF-8); they still hash.
    return text.encode("utf-8", "surrogatepass")
