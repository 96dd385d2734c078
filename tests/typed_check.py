"""The strict validator of plain data against the generated TypedDicts: the package's own
(``onebot_client._check``), which ``onebot_client.testing`` checks calls with."""

from __future__ import annotations

from onebot_client._check import problems, type_name

__all__ = ["problems", "type_name"]
