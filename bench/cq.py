"""``cq.parse`` on hostile strings against a linear baseline measured in the same run: one
``re.findall`` of ``[CQ:`` over the same string (a scan that cannot be quadratic). A ratio that
stays flat from 100 KB to 1 MB says ``parse`` is linear too."""

from __future__ import annotations

import re
import sys

from common import summary, table, timed_runs

from onebot_client import cq

HOSTILE = {
    "[CQ:a … ]": lambda n: ("[CQ:a" * (n // 5))[: n - 1] + "]",  # one ] at the very end
    "[CQ: …": lambda n: ("[CQ:" * (n // 4))[:n],
    "real codes": lambda n: ("[CQ:at,qq=123] hi " * (n // 18 + 1))[:n],
}


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rows = []
    for name, make in HOSTILE.items():
        for size in (100_000, 1_000_000):
            text = make(size)
            parse = summary(timed_runs(lambda: cq.parse(text), repeat))[1]
            scan = summary(timed_runs(lambda: re.findall(r"\[CQ:", text), repeat))[1]
            rows.append(
                [name, f"{size // 1000} KB", f"{parse * 1000:.1f} ms", f"{parse / scan:.2f}x"]
            )
    print(table("cq.parse, median of runs", ["string", "size", "parse", "vs scan"], rows))


if __name__ == "__main__":
    main()
