"""The changes ``diff`` found, said for a person (text), a pull request (markdown) or a
program (JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict

from .diff import Change


def summary(changes: list[Change]) -> str:
    breaking = sum(c.breaking for c in changes)
    return f"{len(changes)} change(s), {breaking} breaking, {len(changes) - breaking} compatible"


def as_text(changes: list[Change], old: str, new: str) -> str:
    if not changes:
        return "no changes\n"
    lines = [f"from {old} to {new}:"]
    for section in ("actions", "models", "segments", "senders", "events"):
        rows = [c for c in changes if c.section == section]
        if rows:
            lines.append(f"{section}:")
            for c in rows:
                verdict = "BREAKING  " if c.breaking else "compatible"
                detail = f" ({c.detail})" if c.detail else ""
                lines.append(f"  {verdict}  {c.subject}: {c.rule}{detail}")
                lines.append(f"              rule: {c.why}")
    lines.append(summary(changes))
    return "\n".join(lines) + "\n"


def as_markdown(changes: list[Change], old: str, new: str) -> str:
    """A table headed by what was compared (``## Changes from `a.json` to `spec```)."""
    out = [f"## Changes from `{old}` to `{new}`", ""]
    out += [summary(changes) + ".", ""]
    if changes:
        out += ["| | where | change | detail | rule |", "| --- | --- | --- | --- | --- |"]
        for c in changes:
            mark = "**breaking**" if c.breaking else "compatible"
            cells = [mark, f"`{c.subject}`", c.rule, c.detail.replace("|", "\\|"), c.why]
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def as_json(changes: list[Change], old: str, new: str) -> str:
    rows = [{**asdict(c), "breaking": c.breaking, "why": c.why} for c in changes]
    report = {"old": old, "new": new, "changes": rows, "summary": summary(changes)}
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
