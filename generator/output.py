"""Stage 5: write the files atomically, or compare them with what is on disk."""

from __future__ import annotations

import errno
import re
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path, PurePosixPath


def differences(files: dict[str, str], out_dir: Path) -> list[str]:
    """Paths that are missing, extra or different on disk, each with what is wrong."""
    on_disk = _tree(out_dir)
    problems = []
    for path in sorted(files.keys() | on_disk.keys()):
        if path not in on_disk:
            problems.append(f"missing: {path}")
        elif path not in files:
            problems.append(f"extra:   {path}")
        elif on_disk[path].read_bytes() != files[path].encode("utf-8"):
            problems.append(f"differs: {path}")
    return problems


#: The file that marks a directory as made by ``onebot-gen build`` and lists what it made: a
#: build replaces only a directory that is missing, empty, or holds just the files listed there
#: (and the tools' own directories, see _FOREIGN).
MARKER = ".onebot-gen"


class OutputRefused(Exception):
    """The output directory cannot be replaced safely; nothing was changed."""


def with_marker(files: dict[str, str]) -> dict[str, str]:
    """``files`` and the marker listing them."""
    listing = sorted({*files, MARKER})
    header = "# Made by `onebot-gen build`, which replaces these files and nothing else.\n"
    return dict(sorted({**files, MARKER: header + "".join(f"{p}\n" for p in listing)}.items()))


def write(files: dict[str, str], out_dir: Path) -> None:
    """Replace ``out_dir`` with exactly ``files``; on any failure it is left as it was.

    The new tree is written beside it and swapped in with one atomic exchange where the system
    has one (Linux), else with two renames; a build killed in between leaves what the next build
    puts back (see recover). Raises OutputRefused when ``out_dir`` holds files a build did not
    make, or cannot be written.
    """
    out_dir = out_dir.resolve()
    _make_parents(out_dir.parent)
    recover(out_dir)
    _check_replaceable(out_dir)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.new-{os.getpid()}-", dir=out_dir.parent)
    )
    old: Path | None = None
    try:
        for path, text in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        if out_dir.is_dir():
            _keep_foreign(out_dir, staging)
            os.chmod(staging, stat.S_IMODE(out_dir.stat().st_mode))
        old = _swap(staging, out_dir)
    finally:
        # The tree that lost: the new one after a failure, or the old one after the swap.
        shutil.rmtree(old or staging, ignore_errors=True)


def _make_parents(directory: Path) -> None:
    """Create the missing directories, each with mode 0700."""
    missing = [p for p in (directory, *directory.parents) if not p.exists()]
    if missing:  # the nearest directory that exists must take a new one, as an existing one must
        _check_writable(missing[-1].parent)
    for parent in reversed(missing):
        try:
            parent.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise OutputRefused(f"cannot create {parent}: {exc.strerror}") from None


def _swap(staging: Path, out_dir: Path) -> Path | None:
    """Put ``staging`` at ``out_dir``; returns where the old tree went (None: there was none)."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return None
    if _exchange(staging, out_dir):
        return staging
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(old, out_dir)
        raise
    return old


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE); False where the
    system or file system has no such call."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def recover(out_dir: Path) -> None:
    """Undo what a build killed mid-way left: put the old tree back if the output directory is
    missing, and delete the other leftovers of builds that are no longer running."""
    if not out_dir.parent.is_dir():
        return
    pattern = re.compile(rf"\.{re.escape(out_dir.name)}\.(new|old)-(\d+)(-.*)?")
    leftovers = [
        (match[1], entry)
        for entry in out_dir.parent.iterdir()
        if (match := pattern.fullmatch(entry.name)) and not _running(int(match[2]))
    ]
    olds = sorted((e for kind, e in leftovers if kind == "old"), key=lambda e: e.lstat().st_mtime)
    if olds and not out_dir.exists():
        os.rename(olds[-1], out_dir)
    for _, entry in leftovers:
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's
    return True


def _check_replaceable(out_dir: Path) -> None:
    _check_writable(out_dir.parent)
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputRefused(f"{out_dir} is not a directory; give a directory for --out")
    owned = _listed(out_dir / MARKER)
    # the directories a build made: those its files are in (an empty one is somebody's)
    owned_dirs = {p.as_posix() for f in owned for p in PurePosixPath(f).parents}
    unowned: list[str] = []
    empty: list[str] = []
    for root, dirs, names in os.walk(out_dir):
        here = Path(root)
        _check_writable(here)
        relative = here.relative_to(out_dir)
        dirs[:] = [d for d in dirs if not _is_foreign(relative / d)]
        links = [d for d in dirs if (here / d).is_symlink()]  # not walked into; not ours either
        unowned += [
            (relative / n).as_posix()
            for n in names + links
            if (relative / n).as_posix() not in owned
        ]
        empty += [
            f"{(relative / d).as_posix()}/"
            for d in dirs
            if d not in links and (relative / d).as_posix() not in owned_dirs
        ]
    # a directory of somebody's is named when nothing named already is in it
    unowned += [d for d in empty if not any(u.startswith(d) for u in unowned + empty if u != d)]
    if unowned:
        shown = ", ".join(sorted(unowned)[:3]) + (", ..." if len(unowned) > 3 else "")
        raise OutputRefused(
            f"{out_dir} holds {len(unowned)} file(s) or folder(s) that onebot-gen did not make "
            f"({shown}); "
            "give a new or empty --out directory, or move them away"
        )


def _listed(marker: Path) -> set[str]:
    """The files a previous build made, from its marker (none without one)."""
    try:
        lines = marker.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    return {line for line in lines if line and not line.startswith("#")}


def _check_writable(directory: Path) -> None:
    # The mode bits too: the superuser may write anywhere, but a directory made read-only says
    # that it is not to be changed.
    if not os.access(directory, os.W_OK | os.X_OK) or not directory.stat().st_mode & 0o222:
        raise OutputRefused(f"{directory} is read-only; nothing was written")


def _tree(root: Path) -> dict[str, Path]:
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p
        for p in root.rglob("*")
        if p.is_file() and not _is_foreign(p.relative_to(root))
    }


#: Things in the output directory that tools make and the generator does not own.
_FOREIGN = {"__pycache__", ".mypy_cache", ".pytest_cache", "build", "dist"}


def _is_foreign(relative: Path) -> bool:
    return any(part in _FOREIGN or part.endswith(".egg-info") for part in relative.parts)


def _keep_foreign(out_dir: Path, staging: Path) -> None:
    """Carry over tool-made directories (an editable install's egg-info, caches) so that
    rebuilding does not break an installed client."""
    if not out_dir.is_dir():
        return
    for entry in out_dir.rglob("*"):
        relative = entry.relative_to(out_dir)
        if entry.is_dir() and _is_foreign(relative) and not _is_foreign(relative.parent):
            shutil.copytree(entry, staging / relative, symlinks=True)
