"""The whole pipeline, spec directory → formatted files in memory."""

from __future__ import annotations

from pathlib import Path

from . import output, render, resolve, spec
from .memo import NO_CACHE, Memo


def generate(spec_dir: Path, memo: Memo = NO_CACHE) -> dict[str, str]:
    """Load, resolve, render and format; raises SpecInvalid with every problem of the spec.
    ``memo`` may cache the slow steps; it never changes the result."""
    api = resolve.resolve(spec.load(spec_dir))
    return output.formatted(render.render(api, memo), memo)
