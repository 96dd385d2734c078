"""A content-addressed cache for the slow, pure steps (datamodel-code-generator, black, reading
the spec's YAML).

Each entry is keyed by a hash of the step's name and version and of its whole input, so a hit
returns exactly what the step would make: the cache can speed a build up, never change it. The
entries live in one SQLite file, written in one transaction per build (``flush``): a cold build
keeps some 1,500 entries, which as files of their own cost a second of syscalls.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

#: The file of the entries, in the cache directory.
DATABASE = "memo.sqlite3"


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "onebot-gen"


class Memo:
    """The cache in ``root`` (None: no cache). What is put is seen at once by this ``Memo`` and
    kept for other builds at ``flush``. An unreadable or unwritable cache only costs speed."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.misses = 0
        self._kept: dict[bytes, str] = {}  # read or made by this process
        self._unsaved: dict[bytes, str] = {}
        self._db: sqlite3.Connection | None = None

    def _key(self, step: str, text: str) -> bytes:
        return hashlib.sha256(f"{step}\0{text}".encode("utf-8", "surrogatepass")).digest()

    def _database(self) -> sqlite3.Connection | None:
        if self._db is None and self.root is not None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.root / DATABASE, timeout=10, isolation_level=None)
                db.execute("CREATE TABLE IF NOT EXISTS entry (key BLOB PRIMARY KEY, value TEXT)")
                self._db = db
            except (OSError, sqlite3.Error):
                self.root = None  # no cache for the rest of this build
        return self._db

    def has(self, step: str, text: str) -> bool:
        return self.peek(step, text) is not None

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
        if self.root is None:
            return None
        key = self._key(step, text)
        if key in self._kept:
            return self._kept[key]
        db = self._database()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value FROM entry WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is not None:
            self._kept[key] = row[0]
            return str(row[0])
        return None

    def put(self, step: str, text: str, result: str) -> None:
        """Keep ``result`` for ``step`` and ``text`` (for other builds from ``flush`` on)."""
        if self.root is not None:
            key = self._key(step, text)
            self._kept[key] = self._unsaved[key] = result

    def flush(self) -> None:
        """Save what was put since the last flush, in one transaction."""
        db = self._database()
        unsaved, self._unsaved = self._unsaved, {}
        if db is None or not unsaved:
            return
        try:
            with db:
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO entry VALUES (?, ?)", unsaved.items())
        except sqlite3.Error:
            pass  # another build holds the file too long, or it is damaged: only speed is lost


def code_version(*sources: str) -> str:
    """A short hash of source files (modules' ``__file__``), for the name of a step whose results
    that code shapes: changed code then makes new entries instead of finding old ones."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


NO_CACHE = Memo(None)
