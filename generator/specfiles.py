"""The files a spec is made of, read once: the loader builds from them and the cache hashes them,
so the two can never see different inputs."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .problems import Loc, Problem

#: The files besides ``actions/*.yaml`` (each optional).
SHARED = ("models.yaml", "segments.yaml", "excluded.yaml", "senders.yaml", "events.yaml")

#: The largest spec file read (the real spec's largest is under 70 KB).
MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class SpecFiles:
    """``texts``: the content of every file, by its path relative to the spec directory
    (``actions/group.yaml``), in name order; ``problems``: what could not be read, and why."""

    display_root: Path
    texts: dict[str, bytes]
    problems: tuple[Problem, ...]

    def display(self, relative: str) -> str:
        """How messages name a file: relative to the spec directory's parent (``spec/models.yaml``)."""
        return (self.display_root / relative).as_posix()


def read(spec_dir: Path) -> SpecFiles:
    display_root = Path(spec_dir.name)
    texts: dict[str, bytes] = {}
    problems: list[Problem] = []
    try:
        areas = sorted(e.name for e in os.scandir(spec_dir / "actions") if e.name.endswith(".yaml"))
    except OSError:
        areas = []  # the loader says that there are no action files
    for relative in [f"actions/{name}" for name in areas] + list(SHARED):
        where = Loc((display_root / relative).as_posix(), 0, 0, "")
        try:
            texts[relative] = _read(spec_dir / relative, optional=relative in SHARED)
        except FileNotFoundError:
            continue
        except _Unreadable as exc:
            problems.append(Problem(where, str(exc), exc.fix))
        except OSError as exc:
            problems.append(Problem(where, f"cannot read: {exc.strerror or exc}", "check the file"))
    return SpecFiles(display_root, texts, tuple(problems))


class _Unreadable(Exception):
    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.fix = fix


def _read(path: Path, optional: bool) -> bytes:
    """The bytes of a regular file (through symlinks); FileNotFoundError when an optional file
    is simply not there."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        if optional:
            raise
        raise _Unreadable("the file is gone", "check the directory") from None
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _Unreadable(
            f"a symlink that leads nowhere ({exc.strerror})", "fix or remove the link"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise _Unreadable(
            "not a regular file", "a spec file must be a plain YAML file; remove or rename it"
        )
    if info.st_size > MAX_BYTES:
        raise _Unreadable(
            f"the file has {info.st_size} bytes, more than {MAX_BYTES}",
            "split it into smaller files",
        )
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _Unreadable(
            f"the file has more than {MAX_BYTES} bytes", "split it into smaller files"
        )
    return data
