"""The ``onebot-gen`` command: parses arguments and calls the stages."""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import output
from .build import generate
from .memo import Memo, default_dir
from .problems import SpecInvalid

if TYPE_CHECKING:
    from .openapi import OpenApi
    from .spec import Spec
    from .workers import Workers


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
    help="Output directory; replaced as a whole (stale files removed). It must be new, empty, or"
    " made by onebot-gen (its .onebot-gen file lists what it made); anything else is refused.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 listing the files that differ from what the spec produces.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=default_dir,
    show_default="~/.cache/onebot-gen",
    help="Where to keep formatted output by content hash (it never changes the output).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--watch",
    is_flag=True,
    help="Keep running: build again each time a file of the spec changes, until Ctrl-C. The"
    " tools stay loaded between builds, so an edit of one action is built in under a second."
    " A change to onebot-gen itself needs a restart.",
)
def build(
    spec_dir: Path | None,
    out_dir: Path,
    check: bool,
    cache_dir: Path,
    no_cache: bool,
    watch: bool,
) -> None:
    """Render the spec into the client package and docs in OUT.

    The output is written to a temporary directory and swapped into place, so a failure
    at any stage leaves OUT exactly as it was. Exit status: 0 done (or up to date with
    --check), 1 out of date (--check), 2 invalid spec or an OUT that cannot be replaced.
    """
    spec_dir = spec_dir or _default_spec()
    if not spec_dir.is_dir():
        raise click.UsageError(f"spec directory not found: {spec_dir}")
    memo = Memo(None if no_cache else cache_dir)
    if not watch:
        status = _build(spec_dir, out_dir, check, memo)
        if status:
            sys.exit(status)
        return
    if check:
        raise click.UsageError("--watch builds; it does not go with --check")
    from .build import start_tools

    with start_tools() as running:
        try:
            _watch(spec_dir, lambda: _build(spec_dir, out_dir, False, memo, running))
        except KeyboardInterrupt:
            click.echo("stopped watching")


#: Seconds between two looks at the spec's files in ``build --watch``.
WATCH_INTERVAL = 0.1


def _watch(spec_dir: Path, build: Callable[[], int]) -> NoReturn:
    """Build now, then again each time a file below ``spec_dir`` is added, removed or
    changed (its size or modification time)."""
    click.echo(f"watching {spec_dir} (Ctrl-C to stop)")
    seen = None
    while True:
        now = _files(spec_dir)
        if now != seen:
            seen = now
            build()
        time.sleep(WATCH_INTERVAL)


def _files(root: Path) -> list[tuple[str, int, int]]:
    """Each file below ``root``, with its modification time and size."""
    found = []
    for path in root.rglob("*"):
        try:
            info = path.stat()
        except OSError:
            continue  # removed while listed: the next look sees it gone
        if stat.S_ISREG(info.st_mode):
            found.append((str(path), info.st_mtime_ns, info.st_size))
    return sorted(found)


def _build(
    spec_dir: Path, out_dir: Path, check: bool, memo: Memo, running: Workers | None = None
) -> int:
    """One build, said on the terminal; returns its exit status."""
    started = time.perf_counter()
    try:
        files = generate(spec_dir, memo, running)
    except SpecInvalid as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {spec_dir}; nothing was written.", err=True)
        return 2
    _warn_pending(spec_dir)
    if check:
        diffs = output.differences(files, out_dir)
        if diffs:
            click.echo("\n".join(diffs))
            click.echo(
                f"{out_dir} is out of date ({len(diffs)} file(s)); run `onebot-gen build`.",
                err=True,
            )
            return 1
        click.echo(f"{out_dir} is up to date ({len(files)} files).")
        return 0
    elapsed = f"{time.perf_counter() - started:.2f}s"
    try:
        output.recover(out_dir.resolve())
        if not output.differences(files, out_dir):
            click.echo(f"{out_dir} is up to date ({len(files)} files, {elapsed}); nothing written")
            return 0
        output.write(files, out_dir)
    except output.OutputRefused as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(
            f"cannot write {out_dir}: {exc.strerror or exc} ({exc.filename}); nothing was changed"
        )
    click.echo(f"wrote {len(files)} files to {out_dir} in {elapsed}")
    return 0


def _warn_pending(spec_dir: Path) -> None:
    if not (spec_dir / "actions" / "imported.yaml").is_file():
        return  # the usual case: no need to import the importer (and PyYAML)
    from .napcat_import import IMPORTED_AREA, pending

    waiting = pending(spec_dir)
    if waiting:
        click.echo(
            f"warning: {len(waiting)} imported action(s) await review in "
            f"{spec_dir / 'actions' / IMPORTED_AREA}.yaml (check them, then move each into its "
            f"area): {', '.join(waiting)}",
            err=True,
        )


def _error(message: str) -> int:
    """Say ``message`` as an error; returns the exit status that goes with it."""
    click.echo(f"error: {message}", err=True)
    return 2


def _fail(message: str, problems: list[str] = []) -> NoReturn:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(_error(message))


def _load(source: str) -> Spec:
    from .inputs import InputError, load_spec

    try:
        return load_spec(source)
    except InputError as exc:
        _fail(str(exc))
    except SpecInvalid as exc:
        _fail(
            f"{source}: {len(exc.problems)} problem(s) in this spec", [str(p) for p in exc.problems]
        )
    raise AssertionError("unreachable")


_FORMATS = ("text", "markdown", "json")  # diff.as_text, diff.as_markdown, diff.as_json


@main.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option(
    "--old-rev", metavar="REV", help="Compare the spec at git revision REV (as OLD) with NEW."
)
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["none", "breaking", "any"]),
    default="none",
    show_default=True,
    help="Exit 1 when there is a breaking change (breaking) or any change (any).",
)
def diff(old: str | None, new: str | None, old_rev: str | None, fmt: str, fail_on: str) -> None:
    """Say what changed from OLD to NEW and which changes break users of the generated client.

    OLD and NEW are each a spec directory, one spec .yaml file, git:REV (the spec/ directory at
    that revision, or git:REV:PATH) or a NapCat OpenAPI .json. NEW defaults to ./spec.

    \b
    Examples:
      onebot-gen diff git:HEAD~1 spec/
      onebot-gen diff --old-rev main
      onebot-gen diff openapi-4.17.0.json openapi-4.18.0.json --format markdown
    """
    if old_rev:
        old, new = f"git:{old_rev}", old if new is None else new
    if old is None:
        raise click.UsageError("give OLD (or --old-rev REV)")
    from . import diff as spec_diff

    changes = spec_diff.compare(_load(old), _load(new or "spec"))
    render = getattr(spec_diff, f"as_{fmt}")  # one function per format
    click.echo(render(changes), nl=False)
    if (fail_on == "any" and changes) or (
        fail_on == "breaking" and any(c.breaking for c in changes)
    ):
        sys.exit(1)


def _report(openapi: OpenApi, current: Spec, missing: list[str], theirs: Spec) -> None:
    """What the spec lacks, and every way an action both describe differs, classified as
    ``onebot-gen diff`` would classify the spec changing to NapCat's description. ``differs``
    lines marked ``needs a reason`` want a fix or a napcat_differs entry; ``accepted`` lines are
    differences the spec records on purpose."""
    from .napcat_import import disagreements

    found = disagreements(current, theirs)
    rows = [row for wire in sorted(found) for row in found[wire]]
    open_rows = [row for row in rows if row.accepted is None]
    breaking = sum(row.change.breaking for row in open_rows)
    wanted = sum(row.needs_reason for row in open_rows)
    click.echo(
        f"NapCat {openapi.version}: {len(openapi.actions)} actions; the spec lacks {len(missing)}; "
        f"{len(open_rows)} difference(s) ({breaking} breaking, {wanted} need a reason), "
        f"{len(rows) - len(open_rows)} accepted in napcat_differs."
    )
    for name in missing:
        click.echo(f"  missing: {name}")
    for row in open_rows:
        mark = "  [needs a reason]" if row.needs_reason else ""
        click.echo(f"  differs: {row}{mark}")
        click.echo(f"           rule: {row.change.why}")
    for row in rows:
        if row.accepted is not None:
            click.echo(f"  accepted: {row}: {row.accepted}")


@main.command("import-napcat")
@click.argument(
    "openapi_file",
    metavar="OPENAPI.json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--spec",
    "spec_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("spec"),
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Area file to write. Default: SPEC/actions/imported.yaml (extended if it exists).",
)
@click.option(
    "--report", is_flag=True, help="Write nothing; list what the spec lacks or disagrees on."
)
def import_napcat(openapi_file: Path, spec_dir: Path, out: Path | None, report: bool) -> None:
    """Add the actions of NapCat's OpenAPI that the spec lacks, marked as imported for review.

    Existing spec entries are never changed. Shared objects the new actions need are added to
    SPEC/models.yaml. Run `onebot-gen build` afterwards.
    """
    from . import napcat_import
    from .openapi import OpenApi

    try:
        openapi = OpenApi.read(openapi_file)
    except (ValueError, OSError) as exc:
        _fail(f"{openapi_file}: not a readable OpenAPI document: {exc}")
    current = _load(str(spec_dir))
    have = {a.wire: a for area in current.areas for a in area.actions}
    missing = sorted(set(openapi.actions) - have.keys() - {e.wire for e in current.excluded})
    if report:
        _report(openapi, current, missing, _load(str(openapi_file)))
        return
    if not missing:
        click.echo(f"nothing to import: the spec has every action of NapCat {openapi.version}")
        return
    actions, models = napcat_import.import_actions(
        openapi,
        only=missing,
        known_models={m.name for m in current.models},
        known_methods=napcat_import.method_names(current),
    )
    target = out or spec_dir / "actions" / f"{napcat_import.IMPORTED_AREA}.yaml"
    models_file = spec_dir / "models.yaml"
    title = f"从 NapCat {openapi.version} 导入（待审阅）"
    try:  # both texts first, so that a failure writes neither
        area_text = napcat_import.with_actions(target, title, actions)
        models_text = napcat_import.with_models(models_file, models)
    except ValueError as exc:
        _fail(str(exc))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(area_text, encoding="utf-8")
    models_file.write_text(models_text, encoding="utf-8")
    click.echo(
        f"imported {len(actions)} action(s) and {len(models)} model(s) into {target}; review, then build"
    )


def run() -> NoReturn:
    """The ``onebot-gen`` command: ``main``, then an exit without the interpreter's teardown,
    which frees every object of the build one at a time (measured: 30-140 ms of a 1.1 s
    one-action build). Nothing is left to clean up by then: the files are written, the cache
    committed, the tools' processes stopped; what was printed is flushed here."""
    try:
        main()
        status: int | str | None = 0
    except SystemExit as exc:
        status = exc.code
    if isinstance(status, str):
        click.echo(status, err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status if isinstance(status, int) else 0 if status is None else 1)


if __name__ == "__main__":
    run()
