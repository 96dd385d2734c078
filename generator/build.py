"""The whole pipeline, spec directory → formatted files in memory."""

from __future__ import annotations

from pathlib import Path

from . import output, render, resolve, spec


def generate(spec_dir: Path) -> dict[str, str]:
    """Load, resolve, render and format; raises SpecInvalid with every problem of the spec."""
    api = resolve.resolve(spec.load(spec_dir))
    return output.formatted(render.render(api))
