"""What in the spec awaits a person after an import: the actions of ``actions/imported.yaml``,
and the entries an import changed (their ``review`` lists). ``build`` says both; it reads the
files itself, cheaply, since a cached build loads no spec."""

from __future__ import annotations

import re
from pathlib import Path

#: The area file import-napcat writes into; its actions await review (moving into their areas).
IMPORTED_AREA = "imported"


def pending(spec_dir: Path) -> list[str]:
    """The actions of ``actions/imported.yaml`` still waiting to be reviewed and moved."""
    path = spec_dir / "actions" / f"{IMPORTED_AREA}.yaml"
    if not path.is_file():
        return []
    import yaml  # only when there is something to read: most builds read nothing here

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    actions = data.get("actions") if isinstance(data, dict) else None
    return [str(a["action"]) for a in actions or () if isinstance(a, dict) and "action" in a]


#: A line that may hold an entry's ``review:`` key (the file is then parsed to be sure).
_REVIEW = re.compile(rb"^[ \t]+review:", re.MULTILINE)


def marked(spec_dir: Path) -> list[str]:
    """The actions and shared objects whose ``review`` list awaits a person (read only from the
    files that have one: a build reads the rest of the spec from its cache)."""
    found = []
    for path in sorted((spec_dir / "actions").glob("*.yaml")) + [spec_dir / "models.yaml"]:
        try:
            text = path.read_bytes()
        except OSError:
            continue
        if not _REVIEW.search(text):
            continue
        import yaml

        data = yaml.safe_load(text)
        if isinstance(data, dict) and isinstance(data.get("actions"), list):
            entries = {str(a.get("action")): a for a in data["actions"] if isinstance(a, dict)}
        elif isinstance(data, dict) and isinstance(data.get("models"), dict):
            entries = {str(k): v for k, v in data["models"].items()}
        else:
            continue
        found += [name for name, e in entries.items() if isinstance(e, dict) and e.get("review")]
    return found
