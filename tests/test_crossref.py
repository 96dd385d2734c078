"""The spec against its sources: every seed action is covered, every action of NapCat's latest
release is in it, and it agrees with NapCat's OpenAPI of each kept release wherever its
`napcat_differs` does not say why it does not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from onebot_gen import spec as s
from onebot_gen.inputs import load_spec
from onebot_gen.napcat_import import Disagreement, disagreements

from .goldens import SPEC

DATA = Path(__file__).resolve().parent / "data"
SEEDS = yaml.safe_load((DATA / "seed_actions.yaml").read_text(encoding="utf-8"))
VERSIONS = ("4.17.0", "4.18.0", "4.18.13", "4.18.37")
NAPCAT = {v: load_spec(str(DATA / f"openapi-{v}.json")) for v in VERSIONS}
LOADED = s.load(SPEC)
ACTIONS = {a.wire: a for area in LOADED.areas for a in area.actions}
EXCLUDED = {e.wire for e in LOADED.excluded}
FOUND = {v: disagreements(LOADED, NAPCAT[v]) for v in VERSIONS}
#: NapCat 4.18.19's registered actions, less its test actions (no OpenAPI kept for it).
LATEST = [
    line
    for line in (DATA / "napcat-4.18.19-actions.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]


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


def test_the_spec_covers_napcat_4_18_19() -> None:
    assert len(LATEST) == 174
    assert sorted(set(LATEST) - ACTIONS.keys()) == []


@pytest.mark.parametrize(
    ("version", "name"),
    [(v, a.wire) for v in VERSIONS for area in NAPCAT[v].areas for a in area.actions],
)
def test_every_napcat_action_is_in_the_spec(version: str, name: str) -> None:
    assert name in ACTIONS


def _open(version: str, name: str) -> list[Disagreement]:
    return [d for d in FOUND[version].get(name, []) if d.needs_reason and d.accepted is None]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_the_spec_agrees_with_napcat_or_says_why(version: str, name: str) -> None:
    found = [str(d) for d in _open(version, name)]
    assert not found, "say why in the action's napcat_differs (naming the NapCat version)"


def test_every_recorded_difference_is_real() -> None:
    """A napcat_differs key names a place where some kept NapCat release differs (or an action
    newer than the kept OpenAPI documents, recorded from NapCat's source)."""
    seen = {
        (wire, d.path) for found in FOUND.values() for wire, rows in found.items() for d in rows
    }
    stale = [
        f"{action.wire}.{key}"
        for action in ACTIONS.values()
        for key, _ in action.napcat_differs
        if not any(w == action.wire and (p == key or p.startswith(key + ".")) for w, p in seen)
    ]
    assert stale == []
