"""The wheel carries every data file, and an installed wheel finds them through ``resources``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mnr_graph.core import resources

ROOT = Path(__file__).parents[1]
PACKAGED = "mnr_graph/data"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this checkout (no build isolation: hatchling is a test dependency)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("mnr_graph-*.whl")
    return built


def _data_files() -> list[str]:
    root = ROOT
    return sorted(
        p.relative_to(root).as_posix()
        for folder in resources.FOLDERS
        for p in (root / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_the_checkout_has_data_files() -> None:
    files = _data_files()
    assert any(f.startswith("ontology/") and f.endswith(".ttl") for f in files)
    assert any(f.startswith("sparql/") and f.endswith(".rq") for f in files)
    assert any(f.startswith("shapes/") for f in files)


@pytest.mark.slow
def test_wheel_contains_every_data_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    missing = [f for f in _data_files() if f"{PACKAGED}/{f}" not in names]
    assert not missing, f"data files missing from the wheel: {missing}"
    assert "mnr_graph/py.typed" in names
    licences = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert licences, "the wheel carries LICENSE"
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read(licences[0]) == (ROOT / "LICENSE").read_bytes()


@pytest.mark.slow
def test_unpacked_wheel_finds_its_data_through_resources(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp_path)
    script = (
        "import json, mnr_graph\n"
        "from mnr_graph.core import resources\n"
        "root = resources.data_root()\n"
        "print(json.dumps({'module': mnr_graph.__file__, 'root': str(root),\n"
        "  'files': sorted(p.relative_to(root).as_posix() for p in resources.iter_all())}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env
    )
    found = json.loads(done.stdout)
    assert Path(found["module"]).is_relative_to(tmp_path), "the unpacked wheel was imported"
    assert Path(found["root"]) == tmp_path / PACKAGED
    missing = sorted(set(_data_files()) - set(found["files"]))
    assert not missing, f"resources does not find {missing} in the installed wheel"
