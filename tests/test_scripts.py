"""The set-up scripts work as documented: scripts/serve, scripts/install, scripts/check, .ci/run.

Each runs in an empty checkout holding only ``scripts/`` and ``.ci/`` (and, for the install, the
files an install is made from), with stand-in tools on a bare ``PATH`` that log how they were
called: nothing is installed and no service is started.
"""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _stub(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


PYTHON_STUB = """case "$*" in
  *ensurepip*) exit {ensurepip};;
  *version_info*) exit {old};;
  -V) echo "Python {version}"; exit 0;;
  *"-m venv"*) echo "venv $*" >> "$LOG"; {make_venv}; exit 0;;
esac
exit 0"""
WORKING_VENV = """mkdir -p .venv/bin
printf '#!/bin/sh\\necho "venv-python $*" >> "$LOG"\\n' > .venv/bin/python
printf '#!/bin/sh\\necho "mnr-graph $*" >> "$LOG"\\n' > .venv/bin/mnr-graph
chmod +x .venv/bin/python .venv/bin/mnr-graph"""


@dataclass
class Tree:
    """scripts/ and .ci/ copied into an empty checkout; stand-in tools on a bare PATH."""

    root: Path
    bin: Path
    log: Path

    def python(self, *, ensurepip: bool = True, version: str = "3.11.2") -> Path:
        old = tuple(int(x) for x in version.split(".")) < (3, 11)
        body = PYTHON_STUB.format(
            ensurepip=0 if ensurepip else 1,
            old=1 if old else 0,
            version=version,
            make_venv=WORKING_VENV,
        )
        return _stub(self.bin / "python3", body)

    def run(self, *args: str, uid: int = 1000) -> subprocess.CompletedProcess[str]:
        _stub(self.bin / "id", f"echo {uid}")
        env = {"PATH": str(self.bin), "LOG": str(self.log), "HOME": str(self.root)}
        return subprocess.run(
            [str(self.bin / "bash"), *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    root = tmp_path / "checkout"
    shutil.copytree(ROOT / "scripts", root / "scripts")
    shutil.copytree(ROOT / ".ci", root / ".ci")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "env", "mkdir", "chmod", "printf", "cat", "rm"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    return Tree(root, bin_dir, tmp_path / "calls.log")


def test_serve_says_what_to_install_when_venv_lacks_ensurepip(tree: Tree) -> None:
    tree.python(ensurepip=False)
    done = tree.run("scripts/serve")
    assert done.returncode == 1
    assert "apt-get install python3-venv" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tree.root / ".venv").exists()
    assert "venv" not in tree.logged()  # nothing half-made


def test_check_refuses_a_python_older_than_3_11(tree: Tree) -> None:
    tree.python(version="3.9.2")
    done = tree.run("scripts/check")
    assert done.returncode == 1
    assert "needs Python >= 3.11" in done.stderr
    assert "3.9.2" in done.stderr


def test_check_installs_the_extras_then_runs_every_check_in_order(tree: Tree) -> None:
    tree.python()
    for tool in ("python", "ruff", "mypy", "lint-imports", "mkdocs"):
        _stub(tree.root / ".venv" / "bin" / tool, f'echo "{tool} $*" >> "$LOG"')
    done = tree.run("scripts/check", "-x", "-q")
    assert done.returncode == 0, done.stderr
    calls = tree.logged().splitlines()
    install = "python -m pip install -q -c requirements/constraints.txt -e .[test,docs,benchmarks]"
    checks = [
        "ruff format --check src tests benchmarks scripts docs/gen",
        "ruff check src tests benchmarks scripts docs/gen",
        "mypy ",
        "mypy docs/gen",
        "mypy tests",
        "lint-imports --no-cache",
        "mkdocs build --strict --quiet",
        "python -m pytest -x -q",
    ]
    assert calls[calls.index(install) + 1 :] == checks


def test_check_stops_at_the_first_check_that_fails(tree: Tree) -> None:
    tree.python()
    for tool in ("python", "ruff", "mypy", "lint-imports"):
        _stub(tree.root / ".venv" / "bin" / tool, f'echo "{tool} $*" >> "$LOG"')
    _stub(tree.root / ".venv" / "bin" / "mkdocs", 'echo "mkdocs $*" >> "$LOG"; exit 1')
    done = tree.run("scripts/check")
    assert done.returncode == 1
    calls = tree.logged().splitlines()
    assert calls[-1] == "mkdocs build --strict --quiet"
    assert not any("pytest" in call for call in calls)


def test_serve_makes_a_half_made_venv_again_then_installs_and_serves(tree: Tree) -> None:
    tree.python()
    _stub(tree.root / ".venv" / "bin" / "python", "exit 1")  # a venv without pip
    done = tree.run("scripts/serve", "--port", "8001")
    assert done.returncode == 0, done.stderr
    calls = tree.logged().splitlines()
    assert calls[0] == "venv -m venv --clear .venv"
    assert "venv-python -m pip install -q -c requirements/constraints.txt ." in calls
    assert calls[-1] == "mnr-graph serve --port 8001"


def test_serve_keeps_a_working_venv(tree: Tree) -> None:
    tree.python()
    _stub(tree.root / ".venv" / "bin" / "python", 'echo "venv-python $*" >> "$LOG"')
    _stub(tree.root / ".venv" / "bin" / "mnr-graph", 'echo "mnr-graph $*" >> "$LOG"')
    done = tree.run("scripts/serve")
    assert done.returncode == 0, done.stderr
    assert not any(c.startswith("venv ") for c in tree.logged().splitlines())


# scripts/install (run by scripts/serve and the Dockerfile) installs only when its sources change.
INSTALL_CALL = "venv-python -m pip install -q -c requirements/constraints.txt ."


def _install_sources() -> list[str]:
    """What an install is made from, as scripts/source_digest.py lists it for this checkout."""
    namespace = runpy.run_path(str(ROOT / "scripts" / "source_digest.py"))
    names: list[str] = namespace["sources"](ROOT)
    return names


def _venv_python(tree: Tree, *, pip_exit: int = 0) -> None:
    """A venv whose pip only logs (exiting ``pip_exit``); its Python runs the digest for real."""
    _stub(
        tree.root / ".venv" / "bin" / "python",
        f'case "$1" in -I) exec {sys.executable} "$@";; esac\n'
        f'echo "venv-python $*" >> "$LOG"\n'
        f'case "$*" in "-m pip install"*) exit {pip_exit};; esac',
    )


@pytest.fixture
def installable(tree: Tree) -> Tree:
    """The tree with every file an install is made from, and a venv with mnr-graph in it."""
    for name in _install_sources():
        source, target = ROOT / name, tree.root / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    tree.python()
    _venv_python(tree)
    _stub(tree.root / ".venv" / "bin" / "mnr-graph", 'echo "mnr-graph $*" >> "$LOG"')
    return tree


def _installs(tree: Tree) -> int:
    return tree.logged().splitlines().count(INSTALL_CALL)


def test_install_sources_are_the_wheels_and_the_lock() -> None:
    names = _install_sources()
    assert {"pyproject.toml", "requirements/constraints.txt", "src/mnr_graph", "ontology"} <= set(
        names
    )
    assert all((ROOT / name).exists() for name in names)


@pytest.mark.slow
def test_serve_installs_once_then_starts_without_installing(installable: Tree) -> None:
    for _ in range(2):
        done = installable.run("scripts/install")
        assert done.returncode == 0, done.stderr
    assert _installs(installable) == 1
    (installable.root / "src" / "mnr_graph" / "__pycache__").mkdir()
    (installable.root / "src" / "mnr_graph" / "__pycache__" / "cli.pyc").write_bytes(b"\0")
    done = installable.run("scripts/serve", "--port", "8001")
    assert done.returncode == 0, done.stderr
    calls = installable.logged().splitlines()
    assert _installs(installable) == 1  # a bytecode cache is not a source
    assert calls[-1] == "mnr-graph serve --port 8001"
    # The start with nothing changed does not even ask pip whether the venv works.
    assert calls.count("venv-python -m pip --version") == 1


def _first_file(tree: Tree, name: str) -> Path:
    path = tree.root / name
    return path if path.is_file() else min(p for p in path.rglob("*") if p.is_file())


@pytest.mark.slow
@pytest.mark.parametrize(
    "change",
    [*_install_sources(), "a new file in ontology", "mnr-graph uninstalled"],
)
def test_serve_installs_again_when_a_source_changes(installable: Tree, change: str) -> None:
    done = installable.run("scripts/install")
    assert done.returncode == 0, done.stderr
    if change == "a new file in ontology":
        (installable.root / "ontology" / "new.ttl").write_text("# new\n", encoding="utf-8")
    elif change == "mnr-graph uninstalled":
        (installable.root / ".venv" / "bin" / "mnr-graph").unlink()
    else:
        with _first_file(installable, change).open("a", encoding="utf-8") as file:
            file.write("\n# changed\n")
    # (the stand-in pip installs no mnr-graph: serve could not start one that was uninstalled)
    done = installable.run("scripts/install" if "uninstalled" in change else "scripts/serve")
    assert done.returncode == 0, done.stderr
    assert _installs(installable) == 2, change


@pytest.mark.slow
def test_a_failed_install_is_tried_again_at_the_next_start(installable: Tree) -> None:
    assert installable.run("scripts/install").returncode == 0
    (installable.root / "src" / "mnr_graph" / "__init__.py").write_text("# new\n", "utf-8")
    _venv_python(installable, pip_exit=1)
    failed = installable.run("scripts/serve")
    assert failed.returncode == 1
    assert not installable.logged().splitlines()[-1].startswith("mnr-graph serve")
    _venv_python(installable)
    assert installable.run("scripts/serve").returncode == 0
    assert _installs(installable) == 3


def test_ci_run_without_root_says_what_to_run(tree: Tree) -> None:
    tree.python(ensurepip=False)
    _stub(tree.bin / "apt-get", 'echo "apt-get $*" >> "$LOG"')
    done = tree.run(".ci/run", uid=1000)
    assert done.returncode == 1
    assert (
        "sudo apt-get update && sudo apt-get install -y -q --no-install-recommends "
        "default-jre-headless curl python3-venv systemd nginx openssl" in done.stderr
    )
    assert "apt-get" not in tree.logged()


def test_ci_run_as_root_installs_then_runs_the_check(tree: Tree) -> None:
    tree.python(ensurepip=False)
    installs = "\n".join(
        f"printf '#!/bin/sh\\necho {tool} $*\\n' > {tree.bin}/{tool}; chmod +x {tree.bin}/{tool}"
        for tool in ("java", "curl")
    )
    _stub(
        tree.bin / "apt-get",
        f'echo "apt-get $*" >> "$LOG"\ncase "$*" in install*) {installs};; esac',
    )
    _stub(tree.root / "scripts" / "check", 'echo "scripts/check $*" >> "$LOG"')
    done = tree.run(".ci/run", uid=0)
    assert done.returncode == 0, done.stderr
    calls = tree.logged().splitlines()
    assert calls[0] == "apt-get update -q"
    assert calls[1] == (
        "apt-get install -y -q --no-install-recommends "
        "default-jre-headless curl python3-venv systemd nginx openssl"
    )
    assert "apt-get install -y -q --no-install-recommends chromium" in calls
    assert "apt-get install -y -q --no-install-recommends virtuoso-opensource" in calls
    assert calls.count("apt-get update -q") == 1
    assert calls[-1] == "scripts/check "


@pytest.mark.slow
def test_ci_run_package_names_exist_in_apt() -> None:
    """The Debian package names .ci/run installs are known to this machine's apt (if it has one)."""
    apt_cache = shutil.which("apt-cache")
    if apt_cache is None:
        pytest.skip("no apt-cache on this machine")
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    names = set(re.findall(r"need\+=\(([^)]*)\)", text)) | set(
        re.findall(r"--no-install-recommends ([\w.-]+)", text)
    )
    packages = {p for group in names for p in group.split()}
    expected = {"default-jre-headless", "python3-venv", "chromium", "systemd", "nginx"}
    assert expected | {"virtuoso-opensource"} <= packages
    shown = subprocess.run(
        [apt_cache, "show", "--no-all-versions", *sorted(packages)],
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode and not any(Path("/var/lib/apt/lists").glob("*_Packages")):
        pytest.skip("apt has no package lists here")
    known = set(re.findall(r"^Package: (\S+)$", shown.stdout, flags=re.MULTILINE))
    assert known == packages, f"apt does not know {sorted(packages - known)}: {shown.stderr}"
