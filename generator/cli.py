"""The ``onebot-gen`` command: parses arguments and calls the stages."""

from __future__ import annotations

import sys
import time
from importlib.resources import as_file, files
from pathlib import Path

import click

from . import output
from .build import generate
from .problems import SpecInvalid


def _default_spec() -> Path:
    local = Path("spec")
    if (local / "actions").is_dir():
        return local
    with as_file(files("onebot_gen.bundled_spec")) as bundled:
        return Path(bundled)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="onebot-gen")
def main() -> None:
    """Generate a typed OneBot 11 / NapCat client and its docs from a YAML spec."""


@main.command()
@click.option(
    "--spec",
    "spec_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Spec directory. Default: ./spec if present, else the spec bundled with onebot-gen.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("generated"),
    show_default=True,
    help="Output directory; replaced as a whole (stale files removed).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 listing the files that differ from what the spec produces.",
)
def build(spec_dir: Path | None, out_dir: Path, check: bool) -> None:
    """Render the spec into the client package and docs in OUT.

    The output is written to a temporary directory and swapped into place, so a failure
    at any stage leaves OUT exactly as it was. Exit status: 0 done (or up to date with
    --check), 1 out of date (--check), 2 invalid spec.
    """
    spec_dir = spec_dir or _default_spec()
    if not spec_dir.is_dir():
        raise click.UsageError(f"spec directory not found: {spec_dir}")
    started = time.perf_counter()
    try:
        files = generate(spec_dir)
    except SpecInvalid as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {spec_dir}; nothing was written.", err=True)
        sys.exit(2)
    if check:
        diffs = output.differences(files, out_dir)
        if diffs:
            click.echo("\n".join(diffs))
            click.echo(
                f"{out_dir} is out of date ({len(diffs)} file(s)); run `onebot-gen build`.",
                err=True,
            )
            sys.exit(1)
        click.echo(f"{out_dir} is up to date ({len(files)} files).")
        return
    output.write(files, out_dir)
    click.echo(f"wrote {len(files)} files to {out_dir} in {time.perf_counter() - started:.2f}s")


if __name__ == "__main__":
    main()
