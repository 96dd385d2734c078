"""Where the golden files are and how they are made; shared by the tests and ``python -m tests.regenerate``."""

from __future__ import annotations

from pathlib import Path

from onebot_gen import render
from onebot_gen.build import generate

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
GENERATED = ROOT / "generated"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "spec").is_dir())


def fixture_output(name: str) -> dict[str, str]:
    """What a fixture spec generates, less the runtime files (they are the same for every spec)."""
    runtime = render.runtime()
    return {
        path: text
        for path, text in generate(FIXTURES / name / "spec").items()
        if path not in runtime
    }
