"""The spec against its sources: every seed action is covered, and it agrees with NapCat's OpenAPI
wherever no note says why it does not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from onebot_gen import spec as s
from onebot_gen import types as t
from onebot_gen.openapi import JSON_TYPES, OpenApi

from .goldens import SPEC

DATA = Path(__file__).resolve().parent / "data"
SEEDS = yaml.safe_load((DATA / "seed_actions.yaml").read_text(encoding="utf-8"))
NAPCAT = OpenApi.read(DATA / "openapi-4.18.0.json")
LOADED = s.load(SPEC)
ACTIONS = {a.wire: a for area in LOADED.areas for a in area.actions}
EXCLUDED = {e.wire for e in LOADED.excluded}


def seed_names() -> list[tuple[str, str]]:
    names = {(doc, n) for doc in ("napcat", "naplink", "go-cqhttp") for n in SEEDS[doc]}
    names |= {("ncatbot", wire) for wire in SEEDS["ncatbot"].values()}
    return sorted(names)


def test_seed_lists_are_complete() -> None:
    counts = {doc: len(SEEDS[doc]) for doc in ("napcat", "ncatbot", "go-cqhttp")}
    assert counts == {"napcat": 125, "ncatbot": 101, "go-cqhttp": 63}


@pytest.mark.parametrize(("doc", "name"), seed_names())
def test_every_seed_action_is_in_the_spec_or_excluded(doc: str, name: str) -> None:
    assert (
        name in ACTIONS or name in EXCLUDED
    ), f"{doc} names {name!r}: add it to spec/ or spec/excluded.yaml"


@pytest.mark.parametrize("name", sorted(NAPCAT.actions))
def test_every_napcat_action_is_in_the_spec(name: str) -> None:
    assert name in ACTIONS


def accepted_json_types(type_: t.TypeExpr) -> frozenset[str]:
    """The JSON types a param of this spec type may be sent as."""
    if isinstance(type_, t.Union):
        return frozenset().union(*(accepted_json_types(o) for o in type_.options))
    if isinstance(type_, t.ListOf):
        return frozenset({"array"})
    if isinstance(type_, (t.DictOf, t.Ref)):
        return frozenset({"object"})
    return {
        "int": frozenset({"integer", "number"}),
        "float": frozenset({"integer", "number"}),
        "str": frozenset({"string"}),
        "bool": frozenset({"boolean"}),
        "id": frozenset({"integer", "number", "string"}),
        "message": frozenset({"string", "object", "array"}),
        "Segment": frozenset({"object"}),
        "null": frozenset({"null"}),
        "any": JSON_TYPES,
    }[type_.name]


def disagreements(name: str) -> list[str]:
    """How the spec's action differs from NapCat's, where its notes do not mention the param."""
    action, theirs = ACTIONS[name], NAPCAT.actions[name]
    noted = "\n".join(action.notes)
    ours = {p.name: p for p in action.params}
    found = []
    for param in theirs.params:
        mine = ours.get(param.name)
        if param.name in noted:
            continue
        if mine is None:
            found.append(f"{param.name}: in NapCat's OpenAPI, not in the spec")
            continue
        if mine.required != param.required and not (param.has_default and not mine.required):
            found.append(f"{param.name}: required={mine.required}, NapCat says {param.required}")
        if param.json_types != JSON_TYPES and not accepted_json_types(mine.type) & param.json_types:
            found.append(
                f"{param.name}: type {t.render(mine.type)}, NapCat says {sorted(param.json_types)}"
            )
    theirs_names = {p.name for p in theirs.params}
    found += [
        f"{n}: in the spec, not in NapCat's OpenAPI"
        for n in ours
        if n not in theirs_names and n not in noted
    ]
    return found


@pytest.mark.parametrize("name", sorted(NAPCAT.actions.keys() & ACTIONS.keys()))
def test_params_agree_with_napcat_or_say_why(name: str) -> None:
    assert not disagreements(name), "record the difference in the action's notes, naming the param"
