"""Where a spec comes from: a directory, one YAML file, a git revision, or NapCat's OpenAPI."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from . import napcat_import, spec, spec_writer
from .openapi import OpenApi


class InputError(Exception):
    """The input cannot be read as a spec."""


def load_spec(source: str, repo: Path = Path(".")) -> spec.Spec:
    """``source`` is a spec directory, one spec YAML file, ``git:REV[:PATH]`` or an OpenAPI ``.json``."""
    with tempfile.TemporaryDirectory(prefix="onebot-gen-") as tmp:
        return spec.load(_materialize(source, repo, Path(tmp) / "spec"))


def _materialize(source: str, repo: Path, scratch: Path) -> Path:
    if source.startswith("git:"):
        revision, _, inside = source[4:].partition(":")
        return _from_git(repo, revision, inside or "spec", scratch)
    path = Path(source)
    if path.is_dir():
        return path
    if not path.is_file():
        raise InputError(f"{source}: no such file or directory")
    if path.suffix == ".json":
        return _from_openapi(path, scratch)
    if path.suffix in (".yaml", ".yml"):
        return _from_file(path, scratch)
    raise InputError(
        f"{source}: expected a spec directory, a .yaml file, an OpenAPI .json or git:REV"
    )


def _from_git(repo: Path, revision: str, path: str, scratch: Path) -> Path:
    result = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", revision, path], capture_output=True
    )
    if result.returncode != 0:
        raise InputError(f"git:{revision}:{path}: {result.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        archive.extractall(scratch.parent / "git", filter="data")
    return scratch.parent / "git" / path


def _from_openapi(path: Path, scratch: Path) -> Path:
    try:
        openapi = OpenApi.read(path)
    except (ValueError, OSError) as exc:
        raise InputError(f"{path}: not a readable OpenAPI document: {exc}") from exc
    if not openapi.actions:
        raise InputError(
            f"{path}: no actions (paths with a POST operation) in this OpenAPI document"
        )
    actions, models = napcat_import.import_actions(openapi)
    (scratch / "actions").mkdir(parents=True)
    (scratch / "actions" / "napcat.yaml").write_text(
        spec_writer.area_yaml(f"NapCat {openapi.version}", actions), encoding="utf-8"
    )
    (scratch / "models.yaml").write_text(spec_writer.models_yaml(models), encoding="utf-8")
    return scratch


def _from_file(path: Path, scratch: Path) -> Path:
    """One area file; the shared objects and segments of the spec it belongs to come along."""
    (scratch / "actions").mkdir(parents=True)
    shutil.copy(path, scratch / "actions" / path.name)
    home = path.resolve().parent.parent
    for shared in ("models.yaml", "segments.yaml"):
        if path.resolve().parent.name == "actions" and (home / shared).is_file():
            shutil.copy(home / shared, scratch / shared)
    return scratch
