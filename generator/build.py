"""The whole pipeline, spec directory → formatted files in memory."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from .memo import NO_CACHE, Memo

#: The tools whose versions shape the output (they are pinned; a different pin is another build).
TOOLS = ("black", "datamodel-code-generator", "jinja2", "pyyaml")


def generate(spec_dir: Path, memo: Memo = NO_CACHE) -> dict[str, str]:
    """Load, resolve, render and format; raises SpecInvalid with every problem of the spec.

    ``memo`` may cache the slow steps, and the whole build under a hash of everything it reads
    (the spec, the templates, the generator's own code and the tools' versions); it never
    changes the result. A build the cache has imports neither jinja2 nor black.
    """
    if memo.root is None:
        return _generate(spec_dir, memo)
    made = memo.get("build", fingerprint(spec_dir), lambda: json.dumps(_generate(spec_dir, memo)))
    files_: dict[str, str] = json.loads(made)
    return files_


def _generate(spec_dir: Path, memo: Memo) -> dict[str, str]:
    from . import output, render, resolve, spec  # the slow imports, on a cache miss only

    api = resolve.resolve(spec.load(spec_dir))
    files = {**output.formatted(render.render(api, memo), memo), **render.runtime()}
    return dict(sorted(files.items()))


def fingerprint(spec_dir: Path) -> str:
    """A hash of every input of a build."""
    digest = hashlib.sha256()
    trees = [_tree(spec_dir), _tree(files("onebot_gen")), _tree(files("onebot_gen.templates"))]
    for name, data in (entry for tree in trees for entry in tree):
        digest.update(f"{name}\0{len(data)}\0".encode())
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
