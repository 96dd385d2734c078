"""What the build hands to formatting: a file still to be made by a pure, slow step (``Step``),
or put together from many results of one (``Batch``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """A file still to be made by a pure, slow step: ``make(text)``, cached under ``name`` and
    ``text``. ``make`` is a module-level function, so that a worker process can run it."""

    name: str
    text: str
    make: Callable[[str], str]


@dataclass(frozen=True)
class Batch:
    """A file put together from many results of one pure, slow step that is best run on many
    inputs at once (datamodel-code-generator costs 10 ms a call, however small the input).
    Each result is cached under ``name`` and its text; the texts the cache lacks are made by one
    ``make`` (a JSON list of texts to a JSON list of results, a module-level function), and
    ``join`` makes the file from all the results, in the order of ``texts``."""

    name: str
    texts: tuple[str, ...]
    make: Callable[[str], str]
    join: Callable[[list[str]], str]
