"""Print the SHA-256 of everything an install of this checkout is made from.

``scripts/install`` keeps it in ``.venv`` after installing, and installs again only when it differs:
the interpreter's version, ``pyproject.toml``, the lock ``requirements/constraints.txt``,
``scripts/install`` itself, and the wheel's sources as ``pyproject.toml`` names them (its packages
and force-included data folders), ``__pycache__`` left out. Run with the venv's Python
(``.venv/bin/python -I scripts/source_digest.py``); it reads the checkout this file is in.
"""

from __future__ import annotations

import hashlib
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXED = ("pyproject.toml", "requirements/constraints.txt", "scripts/install")


def sources(root: Path) -> list[str]:
    """The files and folders an install is made from, relative to the checkout."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    return [*FIXED, *wheel.get("packages", []), *wheel.get("force-include", {})]


def digest(root: Path) -> str:
    """The SHA-256 (hex) of the interpreter's version and each source file's path and content."""
    hashed = hashlib.sha256(sys.version.encode())
    for name in sources(root):
        top = root / name
        if top.is_dir():
            files = sorted(
                (p for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts),
                key=lambda p: p.relative_to(root).as_posix(),
            )
        else:
            files = [top]
        for path in files:
            content = path.read_bytes() if path.is_file() else b""
            label = path.relative_to(root).as_posix() if path.is_file() else f"{name} (missing)"
            hashed.update(f"\0{label}\0{len(content)}\0".encode())
            hashed.update(content)
    return hashed.hexdigest()


if __name__ == "__main__":
    print(digest(ROOT))
