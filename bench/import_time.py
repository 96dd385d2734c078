"""Import time: `import onebot_client` against `import httpx` and the bare interpreter.

Run: .venv/bin/python bench/import_time.py  (make bench). The client is installed into a fresh
virtual environment (bytecode compiled, as pip installs it, and no editable hooks), so the
numbers are what a user sees. Prints the min and median wall time of fresh processes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from common import command, summary, table, timed_runs

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 30

CASES = [
    ("python -c pass", "pass"),
    ("import onebot_client", "import onebot_client"),
    ("import httpx", "import httpx"),
    ("import onebot_client + OneBot(url)", "import onebot_client; onebot_client.OneBot()"),
]


def fresh_environment(where: Path) -> Path:
    """A virtual environment holding the generated client and httpx (for comparison)."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    python = where / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, str(ROOT / "generated"), "httpx"], check=True)
    return python


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        python = str(fresh_environment(Path(tmp) / "venv"))
        rows = []
        results = {}
        for label, code in CASES:
            run = command(python, "-c", code)
            run()  # warm the file cache
            results[label] = summary(timed_runs(run, REPEAT))
        bare = results["python -c pass"][0]
        for label, (low, median) in results.items():
            rows.append(
                [label, f"{low * 1000:.1f}", f"{median * 1000:.1f}", f"{(low - bare) * 1000:.1f}"]
            )
    header = ["process", "min ms", "median ms", "min ms over bare"]
    print(table(f"Import time, {REPEAT} fresh processes each", header, rows))


if __name__ == "__main__":
    main()
