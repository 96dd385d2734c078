"""Where the golden files are and how they are made; shared by the tests and ``python -m tests.regenerate``."""

from __future__ import annotations

from pathlib import Path

from onebot_gen import render

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
GENERATED = ROOT / "generated"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "spec").is_dir())


def fixture_output(files: dict[str, str]) -> dict[str, str]:
    """What of a fixture spec's build is in its golden files: all but the runtime files (they
    are the same for every spec)."""
    runtime = render.runtime()
    return {path: text for path, text in files.items() if path not in runtime}
