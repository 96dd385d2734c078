"""The example payload of every event kind, as NapCat sends it (tests/data/events/KIND.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent / "data" / "events"


def example(kind: str, **fields: Any) -> dict[str, Any]:
    """The example payload of ``kind``, with ``fields`` changed."""
    payload: dict[str, Any] = json.loads((EXAMPLES / f"{kind}.json").read_text("utf-8"))
    return {**payload, **fields}
