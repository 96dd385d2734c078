"""The spec against its sources: every seed action is covered, and it agrees with NapCat's OpenAPI
wherever no note says why it does not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from onebot_gen import spec as s
from onebot_gen.napcat_import import disagreements
from onebot_gen.openapi import OpenApi

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


@pytest.mark.parametrize("name", sorted(NAPCAT.actions.keys() & ACTIONS.keys()))
def test_params_agree_with_napcat_or_say_why(name: str) -> None:
    found = disagreements(ACTIONS[name], NAPCAT.actions[name])
    assert not found, "record the difference in the action's notes, naming the param"
