"""Regenerate the fixture specs' expected output: ``python -m tests.regenerate`` (``make golden``)."""

from __future__ import annotations

from onebot_gen import output
from onebot_gen.build import generate

from .goldens import FIXTURES, fixture_names, fixture_output


def main() -> None:
    for name in fixture_names():
        files = generate(FIXTURES / name / "spec")
        output.write(fixture_output(files), FIXTURES / name / "expected")
        print(f"regenerated tests/fixtures/{name}/expected")


if __name__ == "__main__":
    main()
