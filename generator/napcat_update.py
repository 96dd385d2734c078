"""What NapCat's document adds to actions the spec already has, written into the spec's files:
new optional params and new result fields, each with a ``review`` mark on the entry it changed
(``build`` lists them until a person removes the mark). Nothing else is changed: a breaking
difference is a person's decision, and the compatible ones left are settled (see
``napcat_import.SETTLED``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import spec_writer
from . import types as t
from .napcat_import import Disagreement, import_actions, method_names, spec_field
from .openapi import OpenApi
from .spec import Action, InlineResult, Spec


@dataclass
class Updates:
    """The new texts of the spec files an import changes, and what it changed."""

    texts: dict[Path, str] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)  # new shared objects the fields need
    done: list[Disagreement] = field(default_factory=list)


def updates(
    spec_dir: Path, current: Spec, openapi: OpenApi, found: dict[str, list[Disagreement]]
) -> Updates:
    """The texts of the spec's files with the applicable differences of ``found`` (by action)
    written in; raises ValueError when a file cannot take them (nothing is written then)."""
    todo = {wire: [row for row in rows if row.applied] for wire, rows in found.items()}
    todo = {wire: rows for wire, rows in todo.items() if rows}
    out = Updates()
    if not todo:
        return out
    # Read as NapCat names things, so that an object of theirs is never taken for one of ours.
    entries, models = import_actions(openapi, only=todo, known_methods=method_names(current))
    theirs = {e["action"]: e for e in entries}
    ours = {a.wire: a for area in current.areas for a in area.actions}
    fields = {m.name: m.fields for m in current.models}
    edits: dict[Path, spec_writer.Edit] = {}

    def edit(path: Path) -> spec_writer.Edit:
        if path not in edits:
            edits[path] = spec_writer.Edit(path, path.read_text(encoding="utf-8"))
        return edits[path]

    version = openapi.version or "?"
    for wire, rows in sorted(todo.items()):
        action = ours[wire]
        area_file = spec_dir / "actions" / f"{action.area}.yaml"
        entry: list[str | int] = ["actions", _index(edit(area_file).text, wire)]
        for row in rows:
            *parents, name = row.path.split(".")
            new = _their_field(theirs[wire], models, row.path)
            for model in sorted(t.refs(t.parse(new["type"])) & models.keys()):
                _with_needed(model, models, out.models)
            if clash := out.models.keys() & fields.keys():
                raise ValueError(
                    f"{wire}.{row.path}: NapCat's object {min(clash)} has the name of one of the "
                    "spec's; add the field by hand"
                )
            owner = _owner(action, parents, fields)
            what = f"added from the OpenAPI of NapCat {version} ({row.change.rule}): check it"
            if owner is None:  # a param, or a field of the inline result
                key = "params" if not parents else "fields"
                place = entry if not parents else [*entry, "result"]
                edit(area_file).add_field(place, key, name, new)
            else:
                models_file = spec_dir / "models.yaml"
                edit(models_file).add_field(["models", owner], "fields", name, new)
                edit(models_file).add_review(["models", owner], f"{name} (of {wire}): {what}")
            edit(area_file).add_review(entry, f"{row.path}: {what}")
            out.done.append(row)
    out.texts = {path: e.text for path, e in edits.items()}
    return out


def _index(area_text: str, wire: str) -> int:
    data = yaml.safe_load(area_text)
    return next(i for i, a in enumerate(data["actions"]) if a.get("action") == wire)


def _owner(action: Action, parents: list[str], fields: dict[str, Any]) -> str | None:
    """The shared object holding the fields at ``parents`` (``[]``: the params; ``["result"]``:
    the result), or None when the action's entry holds them."""
    if not parents:
        return None
    if parents == ["result"]:
        result = action.result
        if isinstance(result, InlineResult):
            return None
        refs = t.refs(result) if result is not None else set()
    else:
        holder = spec_field(action, ".".join(parents), fields)
        refs = t.refs(holder.type) if holder is not None else set()
    if len(refs) != 1:
        raise ValueError(f"{action.wire}: no one object holds {'.'.join(parents)}")
    return next(iter(refs))


def _their_field(entry: dict[str, Any], models: dict[str, Any], path: str) -> dict[str, Any]:
    """The imported field at ``path`` of an imported action entry (through its new models)."""
    head, *rest = path.split(".")
    if head != "result":
        return dict(entry["params"][head])
    holder: dict[str, Any] = {"type": entry["result"]} if isinstance(entry["result"], str) else {}
    for name in rest:
        refs = t.refs(t.parse(holder["type"])) & models.keys()
        holder = dict(models[next(iter(refs))]["fields"][name])
    return holder


def _with_needed(name: str, models: dict[str, Any], into: dict[str, Any]) -> None:
    """Model ``name`` and every new model its fields name, into ``into``."""
    if name in into:
        return
    into[name] = models[name]
    for f in models[name]["fields"].values():
        for ref in sorted(t.refs(t.parse(f["type"])) & models.keys()):
            _with_needed(ref, models, into)
