"""A content-addressed cache for the slow, pure steps (datamodel-code-generator, black).

Each entry is keyed by a hash of the step's name and version and of its whole input, so a hit
returns exactly what the step would make: the cache can speed a build up, never change it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "onebot-gen"


class Memo:
    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.misses = 0

    def _entry(self, step: str, text: str) -> Path | None:
        if self.root is None:
            return None
        digest = hashlib.sha256(f"{step}\0{text}".encode()).hexdigest()
        return self.root / digest[:2] / digest

    def has(self, step: str, text: str) -> bool:
        entry = self._entry(step, text)
        return entry is not None and entry.is_file()

    def get(self, step: str, text: str, make: Callable[[], str]) -> str:
        """``make()``, or what it returned before for the same ``step`` and ``text``."""
        found = self.peek(step, text)
        if found is not None:
            return found
        self.misses += 1
        result = make()
        self.put(step, text, result)
        return result

    def peek(self, step: str, text: str) -> str | None:
        """What was kept for ``step`` and ``text``, if anything."""
        entry = self._entry(step, text)
        if entry is None:
            return None
        try:
            return entry.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, step: str, text: str, result: str) -> None:
        """Keep ``result`` for ``step`` and ``text``."""
        entry = self._entry(step, text)
        if entry is None:
            return
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(result)
            os.replace(tmp, entry)
        except OSError:
            pass  # an unwritable cache only costs speed


def code_version(*sources: str) -> str:
    """A short hash of source files (modules' ``__file__``), for the name of a step whose results
    that code shapes: changed code then makes new entries instead of finding old ones."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


NO_CACHE = Memo(None)
