"""Stage 4: format the files, then write them atomically or compare them with what is on disk."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from importlib.metadata import version

from .memo import NO_CACHE, Memo

LINE_LENGTH = 100


def formatted(files: dict[str, str], memo: Memo = NO_CACHE) -> dict[str, str]:
    """Python files through black (in-process, pinned); the others as they are.

    Files the cache does not have are formatted in parallel, one process per core: black is by
    far the slowest step of a cold build.
    """
    step = f"black {version('black')} py311 {LINE_LENGTH}"
    python = [path for path in files if path.endswith(".py")]
    missing = [path for path in python if not memo.has(step, files[path])]
    done = dict(zip(missing, _black_all([files[path] for path in missing])))
    return {
        path: memo.get(step, text, lambda: done[path]) if path in python else text
        for path, text in files.items()
    }


def _black_all(texts: list[str]) -> list[str]:
    workers = min(len(texts), os.cpu_count() or 1)
    if workers < 2:
        return [_black(text) for text in texts]
    import concurrent.futures  # not needed by a build the cache has
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        # Largest first, so that the big modules do not wait behind the small ones.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        results = dict(zip(order, pool.map(_black, [texts[i] for i in order])))
    return [results[i] for i in range(len(texts))]


def _black(text: str) -> str:
    import black  # imported on a cache miss only: it is slow to import
    from black.mode import Mode, TargetVersion

    mode = Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)
    return black.format_str(text, mode=mode)


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


def write(files: dict[str, str], out_dir: Path) -> None:
    """Replace ``out_dir`` with exactly ``files``; on any failure it is left as it was."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for path, text in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        _keep_foreign(out_dir, staging)
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        if out_dir.exists():
            out_dir.rename(old)
        try:
            staging.rename(out_dir)
        except BaseException:
            if old.exists():
                old.rename(out_dir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
