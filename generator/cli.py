"""The ``onebot-gen`` command: parses arguments and calls the stages."""

from __future__ import annotations

import os
import stat
import sys
import time
import traceback
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
    from .napcat_import import Disagreement
    from .openapi import OpenApi
    from .spec import Spec
    from .formatting.workers import Workers


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
            try:
                build()
            except Exception:  # a bug the spec ran into: say it, and watch on for the fix
                traceback.print_exc()
                click.echo(
                    "error: the build crashed (a bug in onebot-gen: please report the traceback "
                    "above); nothing was written. Watching on.",
                    err=True,
                )
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
        changed = output.differences(files, out_dir)
        if not changed:
            click.echo(f"{out_dir} is up to date ({len(files)} files, {elapsed}); nothing written")
            return 0
        output.write(files, out_dir)
    except output.OutputRefused as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(
            f"cannot write {out_dir}: {exc.strerror or exc} ({exc.filename}); nothing was changed"
        )
    same = len(files) - sum(not c.startswith("extra") for c in changed)
    kept = [f"{same} as they were"] if same else []
    click.echo(
        f"wrote {len(files)} files to {out_dir} in {elapsed} "
        f"({', '.join(_counted(changed) + kept)})"
    )
    return 0


def _counted(differences: list[str]) -> list[str]:
    """``["2 added", "3 changed"]`` from ``output.differences``' lines."""
    kinds = {"missing": "added", "differs": "changed", "extra": "removed"}
    counts = [(kinds[k], sum(d.startswith(k) for d in differences)) for k in kinds]
    return [f"{n} {what}" for what, n in counts if n]


def _warn_pending(spec_dir: Path) -> None:
    from .review import IMPORTED_AREA, marked, pending

    waiting = pending(spec_dir)
    if waiting:
        click.echo(
            f"warning: {len(waiting)} imported action(s) await review in "
            f"{spec_dir / 'actions' / IMPORTED_AREA}.yaml (check them, then move each into its "
            f"area): {', '.join(waiting)}",
            err=True,
        )
    changed = marked(spec_dir)
    if changed:
        click.echo(
            f"warning: {len(changed)} entr{'y' if len(changed) == 1 else 'ies'} changed by an "
            f"import await review (check each, then delete its `review:` list): "
            f"{', '.join(changed)}",
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


_FORMATS = ("text", "markdown", "json")  # diff_report.as_text, as_markdown, as_json


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
    from . import diff_report
    from .diff import compare

    new = new or "spec"
    changes = compare(_load(old), _load(new))
    render = getattr(diff_report, f"as_{fmt}")  # one function per format
    click.echo(render(changes, old, new), nl=False)
    if (fail_on == "any" and changes) or (
        fail_on == "breaking" and any(c.breaking for c in changes)
    ):
        sys.exit(1)


def _report(
    openapi: OpenApi, missing: list[str], found: dict[str, list[Disagreement]], every: bool
) -> None:
    """What a person must do first (the actions to import, the additions an import makes to
    actions the spec has, the differences to decide), then how many differences are settled and
    why (each one with ``every``)."""
    rows = [row for wire in sorted(found) for row in found[wire]]
    updates = [row for row in rows if row.applied]
    decide = [row for row in rows if row.to_decide]
    settled: dict[str, list[Disagreement]] = {}
    for row in rows:
        if row.accepted is None and row.settled is not None:
            settled.setdefault(f"{row.change.rule}: {row.settled}", []).append(row)
    accepted = [row for row in rows if row.accepted is not None]
    click.echo(
        f"NapCat {openapi.version}: {len(openapi.actions)} actions. For a person: "
        f"{len(missing)} to import, {len(updates)} to add to actions the spec has, "
        f"{len(decide)} to decide; {len(rows) - len(updates) - len(decide)} difference(s) "
        f"settled ({len(accepted)} recorded in napcat_differs)."
    )
    if missing or updates:
        click.echo("import-napcat does these, each marked for review:")
    for name in missing:
        click.echo(f"  import: {name}")
    for row in updates:
        click.echo(f"  add:    {row}")
    if decide:
        click.echo("To decide (fix the spec, or record why in the action's napcat_differs):")
    for row in decide:
        click.echo(f"  decide: {row}")
        click.echo(f"          rule: {row.change.why}")
    if settled or accepted:
        click.echo("Settled, by why" + (":" if every else " (--all lists each):"))
    for why, group in sorted(settled.items(), key=lambda item: -len(item[1])):
        click.echo(f"  {len(group):3} {why}")
        for row in group if every else ():
            click.echo(f"        {row}")
    if accepted:
        click.echo(f"  {len(accepted):3} recorded in napcat_differs")
    for row in accepted if every else ():
        click.echo(f"        {row}: {row.accepted}")


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
    "--report",
    is_flag=True,
    help="Write nothing; say what an import would do and what a person must decide, first.",
)
@click.option(
    "--all", "every", is_flag=True, help="With --report: list each settled difference too."
)
def import_napcat(
    openapi_file: Path, spec_dir: Path, out: Path | None, report: bool, every: bool
) -> None:
    """Bring a NapCat release into the spec, for review.

    \b
    - Actions the spec lacks are added to SPEC/actions/imported.yaml (move each into its area
      once checked).
    - Optional params and result fields NapCat added to actions the spec has are written into
      their entries, each entry marked with a `review:` list (delete it once checked).
    - Shared objects either needs are appended to SPEC/models.yaml.
    - Breaking differences are listed, not applied: a person decides each.

    `onebot-gen build` lists what awaits review. Nothing is written when any file cannot take
    its change.
    """
    from . import napcat_import, napcat_update, spec_writer
    from .openapi import OpenApi
    from .review import IMPORTED_AREA

    try:
        openapi = OpenApi.read(openapi_file)
    except (ValueError, OSError) as exc:
        _fail(f"{openapi_file}: not a readable OpenAPI document: {exc}")
    current = _load(str(spec_dir))
    have = {a.wire: a for area in current.areas for a in area.actions}
    missing = sorted(set(openapi.actions) - have.keys() - {e.wire for e in current.excluded})
    found = napcat_import.disagreements(current, _load(str(openapi_file)))
    if report:
        _report(openapi, missing, found, every)
        return
    actions, models = napcat_import.import_actions(
        openapi,
        only=missing,
        known_models={m.name for m in current.models},
        known_methods=napcat_import.method_names(current),
    )
    target = out or spec_dir / "actions" / f"{IMPORTED_AREA}.yaml"
    models_file = spec_dir / "models.yaml"
    title = f"从 NapCat {openapi.version} 导入（待审阅）"
    try:  # every text first, so that a failure writes none
        changed = napcat_update.updates(spec_dir, current, openapi, found)
        texts = dict(changed.texts)
        if actions:
            texts[target] = spec_writer.with_actions(target, title, actions)
        clash = changed.models.keys() & models.keys()
        if clash:
            raise ValueError(f"two new objects are named {min(clash)}; import the actions first")
        new_models = {**models, **changed.models}
        if new_models:
            models_text = texts.get(models_file)
            texts[models_file] = spec_writer.with_models(models_file, new_models, models_text)
    except ValueError as exc:
        _fail(str(exc))
    if not texts:
        click.echo(
            f"nothing to import: the spec has every action and field of NapCat {openapi.version}"
        )
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if actions:
        click.echo(f"imported {len(actions)} action(s) into {target}")
    for row in changed.done:
        click.echo(f"added {row.change.subject} ({row.change.rule}), marked for review")
    if new_models:
        click.echo(f"appended {len(new_models)} shared object(s) to {models_file}")
    decide = [row for rows in found.values() for row in rows if row.to_decide]
    if decide:
        click.echo(f"{len(decide)} difference(s) for a person to decide (see --report):")
        for row in decide:
            click.echo(f"  {row}")
    if texts:
        click.echo("review, then `onebot-gen build`")


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
