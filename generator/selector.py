"""The event selector: the table the runtime tells an event's kind by, compiled from the
events' discriminators (a resolve product), with every pair of kinds it cannot tell apart
reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .problems import Problems

if TYPE_CHECKING:
    from .spec import Event

#: The key every event carries that says which group of events it belongs to: the table's root.
POST_TYPE = "post_type"

#: The table that tells an event's kind from its discriminators, as plain data for the runtime.
#: A node is a kind's class name; ``(key, {value: node})``, chosen by the value of ``key``; or
#: ``(field, kind if the field is present, node otherwise or None)``.
Selector = Any


def compiled(kinds: tuple[Event, ...], problems: Problems) -> Selector:
    """Build the table, reporting events that no value combination tells apart (a kind without
    discriminators is left out: the loader reports it)."""
    root: dict[str, Any] = {"key": POST_TYPE, "choices": {}}
    for event in (kind for kind in kinds if kind.discriminators):
        for combination in _combinations(event):
            _insert(root, event, combination, problems)
    return _frozen(root)


def _insert(
    node: dict[str, Any],
    event: Event,
    combination: tuple[tuple[str, str], ...],
    problems: Problems,
) -> None:
    for depth, (key, value) in enumerate(combination):
        if node.get("key") != key:
            where = ", ".join(f"{k}={v}" for k, v in combination[:depth])
            if "of" in node:
                other = next(iter(node["of"].values()))
                what = f"{event.name} is told apart further, by {key!r}, where {other} stops"
            else:
                what = f"{event.name} is told apart by {key!r} where others use {node['key']!r}"
            problems.add(
                event.loc,
                f"{what} (at {where})",
                "use the same discriminator keys as the other events of that value",
            )
            return
        last = depth == len(combination) - 1
        child = node["choices"].setdefault(
            value, {"of": {}} if last else {"key": None, "choices": {}}
        )
        if not last and child.get("key") is None and "choices" in child:
            child["key"] = combination[depth + 1][0]
        node = child
    if "of" not in node:
        problems.add(
            event.loc,
            f"{event.name} stops at "
            + ", ".join(f"{k}={v}" for k, v in combination)
            + " where other events are told apart further",
            "give it the same discriminator keys as the others",
        )
        return
    slot = event.present or ""
    other = node["of"].setdefault(slot, event.name)
    if other != event.name:
        problems.add(
            event.loc,
            f"events {other} and {event.name} have the same discriminators "
            + ", ".join(f"{k}={v}" for k, v in combination),
            "give one of them another value, or tell them apart with 'present'",
        )
    elif len(node["of"]) > 2 or (len(node["of"]) == 2 and "" not in node["of"]):
        problems.add(
            event.loc,
            f"{event.name}: at most one 'present' kind may share its discriminators with one other",
            "tell them apart by another discriminator",
        )


def _frozen(node: dict[str, Any]) -> Selector:
    if "of" in node:
        plain = node["of"].get("")
        present = [(field, name) for field, name in node["of"].items() if field]
        if not present:
            return plain
        field, name = present[0]
        return (field, name, plain)
    return (node["key"], {value: _frozen(child) for value, child in node["choices"].items()})


def _combinations(event: Event) -> list[tuple[tuple[str, str], ...]]:
    """Every assignment of discriminator values that selects the event."""
    out: list[tuple[tuple[str, str], ...]] = [()]
    for key, values in event.discriminators:
        out = [(*prefix, (key, value)) for prefix in out for value in values]
    return out
