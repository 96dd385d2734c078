"""Stage 4: make and format the files (black, a piece at a time, cached; the slow steps in
worker processes)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from importlib.metadata import version

from ..memo import NO_CACHE, Memo, code_version
from . import chunks, displays, layout
from .source import LINE_LENGTH
from .steps import Batch, Step

#: The formatting step (the tool's version and settings are part of every cache key, and so is
#: the code that lays lines out before it).
FORMAT = f"black {version('black')} py311 {LINE_LENGTH} (layout {code_version(layout.__file__)})"
#: A whole module formatted a piece at a time: the code that cuts and joins it is part of the key.
MODULE = f"{FORMAT}, a module (chunks {code_version(chunks.__file__, displays.__file__)})"


def formatted(
    files: Mapping[str, str | Step | Batch],
    memo: Memo = NO_CACHE,
    run: Callable[[list[Step]], list[str]] | None = None,
) -> dict[str, str]:
    """Every file made: the steps run, Python files (rendered or made by steps) through black
    (in-process, pinned), the others as they are.

    A module is formatted a piece at a time (see ``chunks``), each piece cached on its own.
    What the cache does not have goes to ``run`` (default: ``workers.run_all``): black and
    datamodel-code-generator are nearly all of a cold build's time. The steps and black's work
    on the rendered modules go in one run, so that they overlap; black's work on what the
    steps made goes in a second.
    """
    from .workers import run_all  # on a build the cache does not have only

    results = _Results(memo, run or run_all)
    plans = {}  # path → its cut into black pieces
    for path, item in files.items():
        if isinstance(item, Step):
            results.want(item)
        elif isinstance(item, Batch):
            results.want_all(item)
        elif path.endswith(".py"):
            plans[path] = _want_black(item, memo, results)
    results.run()
    made = {
        path: (
            results.get(item.name, item.text)
            if isinstance(item, Step)
            else item.join([results.get(item.name, text) for text in item.texts])
        )
        for path, item in files.items()
        if not isinstance(item, str)
    }
    plans.update(
        (path, _want_black(text, memo, results))
        for path, text in made.items()
        if path.endswith(".py")
    )
    results.run()
    out = {}
    for path, item in files.items():
        text = made.get(path, str(item))
        out[path] = _black_result(text, plans[path], memo, results) if path in plans else text
    return out


class _Results:
    """The results of steps: from the cache, or made by one ``run`` of all it lacks."""

    def __init__(self, memo: Memo, run: Callable[[list[Step]], list[str]]) -> None:
        self._memo = memo
        self._run = run
        self._jobs: list[tuple[Step, list[str] | None]] = []  # and a batch's texts
        self._wanted: set[tuple[str, str]] = set()
        self._made: dict[tuple[str, str], str] = {}

    def _new(self, name: str, text: str) -> bool:
        key = (name, text)
        if key in self._wanted or self._memo.has(name, text):
            return False
        self._wanted.add(key)
        return True

    def want(self, step: Step) -> None:
        if self._new(step.name, step.text):
            self._jobs.append((step, None))

    def want_all(self, batch: Batch) -> None:
        missing = [text for text in batch.texts if self._new(batch.name, text)]
        if missing:
            self._jobs.append((Step(batch.name, json.dumps(missing), batch.make), missing))

    def run(self) -> None:
        jobs, self._jobs = self._jobs, []
        for (step, texts), result in zip(jobs, self._run([step for step, _ in jobs])):
            if texts is None:
                self._made[step.name, step.text] = result
            else:
                self._made.update(((step.name, t), r) for t, r in zip(texts, json.loads(result)))

    def get(self, name: str, text: str) -> str:
        return self._memo.get(name, text, lambda: self._made[name, text])


def _want_black(text: str, memo: Memo, results: _Results) -> chunks.Cut | None:
    """The module cut into pieces to format (see ``chunks``; a module that cannot be cut is
    a skeleton alone), each wanted from ``results``; None when the cache has the whole module."""
    if memo.has(MODULE, text):
        return None
    cut = chunks.cut(text) or chunks.Cut(text, (), ())
    for piece in (cut.skeleton, *cut.pieces):
        results.want(Step(FORMAT, piece, black))
    return cut


def _black_result(text: str, cut: chunks.Cut | None, memo: Memo, results: _Results) -> str:
    if cut is None:
        return memo.get(MODULE, text, lambda: black(text))
    skeleton, *pieces = [results.get(FORMAT, piece) for piece in (cut.skeleton, *cut.pieces)]
    whole = cut.join(skeleton, pieces)
    return memo.get(MODULE, text, lambda: whole)  # the whole module too, for next time


def warm() -> None:
    """Import black."""
    black("")


def black(text: str) -> str:
    """``text`` formatted by black, as the package's files are (laid out first where black's
    layout is known, which spares black a second pass: see ``layout``)."""
    return black_alone(layout.laid_out(text))


def black_alone(text: str) -> str:
    """``text`` formatted by black with the package's settings, and nothing before it."""
    import black  # imported on a cache miss only: it is slow to import
    from black.mode import Mode, TargetVersion

    mode = Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)
    return black.format_str(text, mode=mode)
