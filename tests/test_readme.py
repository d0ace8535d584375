"""The README's commands work as written.

Every shell command of the README's fenced blocks runs, in README order, in one temporary working
directory that holds the checkout's files (symlinked, so commands that write create new files there
and the checkout stays clean), with the installed ``mnr-graph`` on ``PATH``. Which lines are
commands, and which are not run, follows rules, not a list of lines:

- ``sh`` / ``bash`` / ``shell`` blocks: every line that is not blank or a comment is a command (a
  trailing ``\\`` continues it); ``console`` / ``text`` blocks: lines starting with ``$`` are
  commands and the lines after one, up to the next, are the output it shows.
- A command's expected exit code is the ``exit N`` of its trailing comment, else 0. Shown output
  must appear in order in what the command prints; a shown line ending in ``...`` is a prefix.
- Servers (``mnr-graph serve``, anything sent to the background with ``&``) start on a free port
  (the README's ``host:port`` in later commands becomes that port) and must answer. The ``curl``
  commands talk to the first ``mnr-graph serve`` on the embedded store (``localhost:8000``) and
  get ``--fail-with-body``, so an HTTP error fails them.
- Not run, by the command's name: the set-up scripts ``bash scripts/...`` (they install; the tests
  at the end run them with stand-in tools), ``uvicorn`` (the same server started another way) and
  ``docker``, ``systemctl``, ``sudo`` (they act on the machine: ``tests/test_deploy.py`` checks
  the files they use).
- ``python`` blocks run in a fresh interpreter; an expression followed by a comment line
  ``# <repr>`` must evaluate to that repr.
- The CLI table: every command it names exists and every option it shows is in the command's
  ``--help``.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import runpy
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from mnr_graph.cli import cli

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
SHELL_BLOCKS = {"sh", "bash", "shell"}
TRANSCRIPT_BLOCKS = {"console", "text"}
FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
EXIT = re.compile(r"\bexit (\d+)\b")
ADDRESS = re.compile(r"\b(localhost|127\.0\.0\.1):(\d+)\b")
CURL_TIMEOUT = 60
MACHINE_COMMANDS = {"docker", "systemctl", "sudo"}


@dataclass(frozen=True)
class Block:
    lang: str
    line: int  # README line of the first line inside the fence
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    shown: tuple[str, ...] = field(default=())

    @property
    def words(self) -> list[str]:
        return shlex.split(self.text, comments=True)

    @property
    def comment(self) -> str:
        """The trailing ``# ...`` comment (outside quotes), or ``""``."""
        quote = ""
        for i, char in enumerate(self.text):
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "#" and (i == 0 or self.text[i - 1].isspace()):
                return self.text[i + 1 :].strip()
        return ""

    @property
    def code(self) -> str:
        """The command without its trailing comment."""
        comment = self.comment
        return self.text[: self.text.rindex("#")].rstrip() if comment else self.text

    @property
    def is_server(self) -> bool:
        return self.code.endswith("&") or self.subcommand == "serve"

    @property
    def expected_exit(self) -> int:
        found = EXIT.search(self.comment)
        return int(found.group(1)) if found else 0

    @property
    def name(self) -> str:
        return Path(self.words[0]).name

    @property
    def subcommand(self) -> str:
        words = self.words
        return words[1] if self.name == "mnr-graph" and len(words) > 1 else ""

    def not_run_because(self) -> str | None:
        if self.name == "bash" and any(w.startswith("scripts/") for w in self.words[1:]):
            return "a set-up script that installs (tested below with stand-in tools)"
        if self.name == "uvicorn":
            return "another way to start the server that `mnr-graph serve` starts"
        if self.name in MACHINE_COMMANDS:
            return (
                "acts on the machine (containers, services): tests/test_deploy.py checks its files"
            )
        installed = shutil.which(self.name, path=str(BIN)) or shutil.which(self.name)
        if self.is_server and installed is None:
            return f"{self.name} is not installed"
        return None

    @property
    def id(self) -> str:
        return f"L{self.line}:{self.text[:60]}"


def readme_blocks() -> list[Block]:
    blocks: list[Block] = []
    lang: str | None = None
    start = 0
    body: list[str] = []
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if lang is None and fence:
            lang, start, body = fence.group(1).lower(), number + 1, []
        elif lang is not None and line.strip() == "```":
            blocks.append(Block(lang, start, tuple(body)))
            lang = None
        elif lang is not None:
            body.append(line)
    assert lang is None, "README.md: a code block is not closed"
    return blocks


def readme_commands() -> list[Command]:
    commands: list[Command] = []
    for block in readme_blocks():
        if block.lang in SHELL_BLOCKS:
            pending = ""
            first = 0
            for offset, raw in enumerate(block.lines):
                line = raw.strip()
                if not pending and (not line or line.startswith("#")):
                    continue
                if not pending:
                    first = block.line + offset
                line = line.removeprefix("$ ")
                if line.endswith("\\"):
                    pending += line[:-1] + " "
                    continue
                commands.append(Command(first, pending + line))
                pending = ""
        elif block.lang in TRANSCRIPT_BLOCKS:
            current: tuple[int, str] | None = None
            shown: list[str] = []
            for offset, raw in enumerate(block.lines):
                if raw.startswith("$ "):
                    if current:
                        commands.append(Command(*current, tuple(shown)))
                    current, shown = (block.line + offset, raw[2:].strip()), []
                elif current:
                    shown.append(raw)
            if current:
                commands.append(Command(*current, tuple(shown)))
    return commands


COMMANDS = readme_commands()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _checkout_entries() -> list[str]:
    """The checkout's top-level names a fresh clone has (tracked by git when there is a .git)."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True
        ).stdout.split()
        return sorted({name.split("/", 1)[0] for name in listed if (ROOT / name).exists()})
    return sorted(p.name for p in ROOT.iterdir() if not p.name.startswith("."))


@dataclass
class Server:
    command: Command
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Session:
    """The shared working directory and environment, the servers started, the results so far."""

    workdir: Path
    env: dict[str, str]
    servers: list[Server] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)  # README host:port -> the real one
    api: Command | None = None  # the `mnr-graph serve` the curl commands talk to
    results: dict[int, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    def result_of(self, command: Command) -> subprocess.CompletedProcess[str]:
        """Run every runnable README command up to this one (in README order, each once)."""
        for earlier in COMMANDS:
            if earlier.line not in self.results and earlier.not_run_because() is None:
                self.results[earlier.line] = self._run(earlier)
            if earlier == command:
                break
        return self.results[command.line]

    def _readdress(self, text: str) -> str:
        for old, new in self.addresses.items():
            text = text.replace(old, new)
        return text

    def _start(self, command: Command) -> subprocess.CompletedProcess[str]:
        """Start a README server on a free port; 0 once it answers, else its exit code and log."""
        text = command.code.removesuffix("&").strip()
        port = _free_port()
        if command.subcommand == "serve":
            text = f"{self._readdress(text)} --port {port}"
            if self.api is None and "--sparql-endpoint" not in text:
                self.api = command
            if self.api == command:
                for host in ("localhost", "127.0.0.1"):
                    self.addresses[f"{host}:8000"] = f"127.0.0.1:{port}"
        else:
            found = ADDRESS.search(text)
            assert found, f"README line {command.line}: a server without host:port"
            for host in ("localhost", "127.0.0.1"):
                self.addresses[f"{host}:{found.group(2)}"] = f"127.0.0.1:{port}"
            text = self._readdress(text)
        log = self.workdir / f"server-{command.line}.log"
        with log.open("wb") as out:
            # Its own process group: stopping it also ends its workers, even if it crashed.
            process = subprocess.Popen(
                ["bash", "-c", f"exec {text}"],
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.servers.append(Server(command, process, log))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(port, health=command.subcommand == "serve"):
                return subprocess.CompletedProcess(text, 0, "", "")
            time.sleep(0.2)
        printed = log.read_text(errors="replace")
        code = process.poll()
        return subprocess.CompletedProcess(text, 1 if code is None else code, printed, "")

    def _run(self, command: Command) -> subprocess.CompletedProcess[str]:
        if command.is_server:
            return self._start(command)
        text = self._readdress(command.text)
        server = None
        if command.name == "curl":
            if shutil.which("curl") is None:
                pytest.skip("curl is not installed")
            assert self.api is not None, f"README line {command.line}: curl before mnr-graph serve"
            server = next(s for s in self.servers if s.command == self.api)
            if server.process.poll() is not None:  # it crashed: start it again
                self._start(self.api)
                server = self.servers[-1]
            text = re.sub(r"^curl\b", "curl --fail-with-body", self._readdress(command.text))
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", text],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=CURL_TIMEOUT if command.name == "curl" else 300,
            check=False,
        )
        if server is not None and done.returncode:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.process.wait(timeout=0.5)  # a crash shows up as the server's end
            if server.process.poll() is not None:
                log = server.log.read_text(errors="replace")[-3000:]
                done.stderr += f"\nthe server stopped ({server.process.returncode}):\n{log}"
        return done

    def close(self) -> None:
        for server in self.servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGTERM)
        for server in self.servers:
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait()


def _answers(port: int, *, health: bool) -> bool:
    try:
        if health:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return True
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    workdir = tmp_path_factory.mktemp("readme")
    for name in _checkout_entries():
        (workdir / name).symlink_to(ROOT / name)
    (workdir / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNR_GRAPH_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["MNR_GRAPH_WRITE_TOKEN"] = secrets.token_hex(16)
    env.pop("PYTHONPATH", None)
    state = Session(workdir, env)
    try:
        yield state
    finally:
        state.close()


def test_the_readme_has_commands_and_examples() -> None:
    langs = {b.lang for b in readme_blocks()}
    assert {"sh", "python"} <= langs
    runnable = [c for c in COMMANDS if c.not_run_because() is None]
    assert any(c.name == "mnr-graph" for c in runnable)
    assert any(c.shown for c in runnable), "no transcript with shown output"
    assert any(c.expected_exit for c in runnable), "no command states its exit code"


def _shown_output_is_printed(shown: tuple[str, ...], printed: str) -> str | None:
    """None if every shown line is printed, in order; else the first line that is not."""
    lines = [line.rstrip() for line in printed.splitlines()]
    at = 0
    for want in (s.rstrip() for s in shown):
        if not want.strip() or want.strip() == "...":
            continue
        prefix = want.endswith("...")
        want_text = want.removesuffix("...").rstrip(", ") if prefix else want
        for i in range(at, len(lines)):
            if lines[i].startswith(want_text) if prefix else lines[i] == want_text:
                at = i + 1
                break
        else:
            return want
    return None


@pytest.mark.server
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(c, marks=pytest.mark.skip(reason=reason) if reason else ())
        for c in COMMANDS
        for reason in [c.not_run_because()]
    ],
    ids=lambda c: c.id,
)
def test_readme_command_works_as_written(session: Session, command: Command) -> None:
    done = session.result_of(command)
    where = f"README.md line {command.line}: `{command.text}`"
    printed = done.stdout + done.stderr
    assert done.returncode == command.expected_exit, (
        f"{where} exited {done.returncode}, the README says {command.expected_exit}\n{printed}"
    )
    assert "Traceback (most recent call last)" not in printed, f"{where}\n{printed}"
    missing = _shown_output_is_printed(command.shown, printed)
    assert missing is None, f"{where}: the README shows {missing!r}; it printed:\n{printed}"


def _checked_source(source: str) -> str:
    """The block with each ``expression`` + ``# <repr>`` line pair turned into an assertion."""
    lines = source.splitlines()
    tree = ast.parse(source)
    for stmt in reversed(tree.body):
        end = stmt.end_lineno or stmt.lineno
        if not isinstance(stmt, ast.Expr) or end >= len(lines):
            continue
        after = lines[end].strip()
        if not after.startswith("# "):
            continue
        expected = after[2:].strip()
        expression = ast.get_source_segment(source, stmt.value)
        assert expression is not None
        lines[stmt.lineno - 1 : end] = [
            f"assert repr({expression}) == {expected!r}, repr({expression})"
        ]
    return "\n".join(lines) + "\n"


PYTHON_BLOCKS = [b for b in readme_blocks() if b.lang == "python"]


def test_checked_source_asserts_the_shown_repr() -> None:
    checked = _checked_source("x = 'a'\nx + 'b'\n# 'ab'\nx\n")
    exec(compile(checked, "<readme>", "exec"), {})
    wrong = _checked_source("1 + 1\n# 3\n")
    with pytest.raises(AssertionError):
        exec(compile(wrong, "<readme>", "exec"), {})


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: f"L{b.line}")
def test_readme_python_example_runs(session: Session, block: Block) -> None:
    script = session.workdir / f"readme_example_{block.line}.py"
    script.write_text(_checked_source("\n".join(block.lines)), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, script.name],
        cwd=session.workdir,
        env=session.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"README.md line {block.line}: python example\n{done.stderr}"


def _table_usages() -> list[tuple[str, str]]:
    """(subcommand, usage) for each `mnr-graph ...` in the README's CLI table."""
    usages = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `mnr-graph "):
            cell = line[1:].split(" | ")[0]  # the first cell (may hold an escaped \\|)
            for usage in re.findall(r"`mnr-graph ([^`]+)`", cell):
                usages.append((usage.split()[0], usage))
            for usage in re.findall(r"/ `([a-z][a-z-]+ [^`]*)`", cell):
                usages.append((usage.split()[0], usage))
    return usages


def test_the_readme_table_lists_commands() -> None:
    assert len(_table_usages()) >= 10


@pytest.mark.parametrize("usage", _table_usages(), ids=lambda u: u[0])
def test_readme_cli_table_names_real_commands_and_options(usage: tuple[str, str]) -> None:
    name, text = usage
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, f"README CLI table: `mnr-graph {name}` is not a command"
    for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", text):
        assert re.search(rf"(?<![\w-]){re.escape(option)}\b", result.output), (
            f"README CLI table: `mnr-graph {name}` has no option {option}\n{result.output}"
        )


# --- the set-up scripts (scripts/serve, scripts/check, .ci/run) with stand-in tools -------------


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
    assert calls[-1] == "scripts/check "


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
    assert {"default-jre-headless", "python3-venv", "chromium", "systemd", "nginx"} <= packages
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


def test_every_cli_command_is_in_the_readme_table() -> None:
    documented = {name for name, _ in _table_usages()}
    missing = sorted(set(cli.commands) - documented)
    assert not missing, f"README CLI table: no row for mnr-graph {missing}"
