"""The generator works installed from its wheel, not only from its checkout: a fresh virtual
environment with the wheel (and the generator's dependencies) builds the bundled spec into a tree
byte for byte the same as ``generated/``."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def files(tree: Path) -> list[str]:
    skip = {"__pycache__", ".mypy_cache"}
    return sorted(
        str(p.relative_to(tree))
        for p in tree.rglob("*")
        if p.is_file() and not skip & set(p.relative_to(tree).parts) and ".egg-info" not in str(p)
    )


def test_the_wheel_builds_what_the_checkout_builds(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(wheels), "-q"],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr.lower(), built.stderr  # setuptools has nothing to say
    (wheel,) = wheels.glob("onebot_gen-*.whl")

    # A fresh environment: the wheel installed in it; the dependencies taken from this one's
    # site-packages (listed after its own, so the checkout's editable install is not seen).
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(own, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr

    out = tmp_path / "out"
    where = subprocess.run(
        [str(python), "-c", "import onebot_gen; print(onebot_gen.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert where.startswith(own), where  # the wheel's, not the checkout's
    result = subprocess.run(
        [str(env_dir / "bin" / "onebot-gen"), "build", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # away from the checkout: the bundled spec and templates only
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    generated = ROOT / "generated"
    assert files(out) == files(generated)
    match, mismatch, errors = filecmp.cmpfiles(out, generated, files(generated), shallow=False)
    assert mismatch == [] and errors == []
