r"""The commands of the README and of every docs page work as written.

The pages are ``README.md`` and every ``docs/**/*.md``, found by glob. Each page's commands run,
in page order, in a temporary working directory of that page's own, which holds the checkout's
files (symlinked, so commands that write create new files there and the checkout stays clean),
with the installed ``mnr-graph`` on ``PATH``. Which lines are commands, and which are not run,
follows rules, not a list of lines:

- ``sh`` / ``bash`` / ``shell`` blocks: every line that is not blank or a comment is a command (a
  trailing ``\`` continues it); ``console`` / ``text`` blocks: lines starting with ``$`` are
  commands and the lines after one, up to the next, are the output it shows.
- A command's expected exit code is the ``exit N`` of its trailing comment, else 0. Shown output
  must appear in order in what the command prints; a shown line ending in ``...`` is a prefix.
- Servers (``mnr-graph serve``, anything sent to the background with ``&``) start on a free port
  (the page's ``host:port`` in later commands becomes that port) and must answer. The ``curl``
  commands talk to the page's first ``mnr-graph serve`` on the embedded store
  (``localhost:8000``) and get ``--fail-with-body``, so an HTTP error fails them.
- Not run, by the command's name: the set-up scripts ``bash scripts/...`` (they install;
  ``tests/test_scripts.py`` runs them with stand-in tools), ``pytest`` (the tests themselves),
  ``uvicorn`` (the same server started another way) and ``docker``, ``systemctl``, ``sudo`` (they
  act on the machine: ``tests/test_deploy.py`` checks the files they use).
- ``python`` blocks run in a fresh interpreter; an expression followed by a comment line
  ``# <repr>`` must evaluate to that repr.
- The CLI table (``docs/cli.md``): every command it names exists, every option it shows is in the
  command's ``--help``, and every command has a row.

The README itself stays short (a newcomer reads it in two minutes) and its links lead somewhere.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
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
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.rglob("*.md"))]
BIN = Path(sys.executable).parent
SHELL_BLOCKS = {"sh", "bash", "shell"}
TRANSCRIPT_BLOCKS = {"console", "text"}
FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
EXIT = re.compile(r"\bexit (\d+)\b")
ADDRESS = re.compile(r"\b(localhost|127\.0\.0\.1):(\d+)\b")
CURL_TIMEOUT = 60
MACHINE_COMMANDS = {"docker", "systemctl", "sudo"}


def page_name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


@dataclass(frozen=True)
class Block:
    page: Path
    lang: str
    line: int  # the page's line of the first line inside the fence
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Command:
    page: Path
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
            return "a set-up script that installs (tests/test_scripts.py runs it with stand-ins)"
        if "pytest" in (self.name, *self.words[1:3]):
            return "runs the tests themselves (scripts/check runs them)"
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
        return f"{page_name(self.page)}:L{self.line}:{self.text[:60]}"

    @property
    def where(self) -> str:
        return f"{page_name(self.page)} line {self.line}"


def page_blocks(page: Path) -> list[Block]:
    blocks: list[Block] = []
    lang: str | None = None
    start = 0
    body: list[str] = []
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if lang is None and fence:
            lang, start, body = fence.group(1).lower(), number + 1, []
        elif lang is not None and line.strip() == "```":
            blocks.append(Block(page, lang, start, tuple(body)))
            lang = None
        elif lang is not None:
            body.append(line)
    assert lang is None, f"{page_name(page)}: a code block is not closed"
    return blocks


def page_commands(page: Path) -> list[Command]:
    commands: list[Command] = []
    for block in page_blocks(page):
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
                commands.append(Command(page, first, pending + line))
                pending = ""
        elif block.lang in TRANSCRIPT_BLOCKS:
            current: tuple[int, str] | None = None
            shown: list[str] = []
            for offset, raw in enumerate(block.lines):
                if raw.startswith("$ "):
                    if current:
                        commands.append(Command(page, *current, tuple(shown)))
                    current, shown = (block.line + offset, raw[2:].strip()), []
                elif current:
                    shown.append(raw)
            if current:
                commands.append(Command(page, *current, tuple(shown)))
    return commands


COMMANDS = {page: page_commands(page) for page in PAGES}
ALL_COMMANDS = [c for commands in COMMANDS.values() for c in commands]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _checkout_entries() -> list[str]:
    """The checkout's top-level names a fresh clone has (tracked by git when there is a .git)."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(  # tracked, and new files not ignored
            ["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            text=True,
            check=True,
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
    """One page's working directory and environment, the servers started, the results so far."""

    page: Path
    workdir: Path
    env: dict[str, str]
    servers: list[Server] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)  # the page's host:port -> the real one
    api: Command | None = None  # the `mnr-graph serve` the curl commands talk to
    results: dict[int, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    def result_of(self, command: Command) -> subprocess.CompletedProcess[str]:
        """Run every runnable command of the page up to this one (in page order, each once)."""
        for earlier in COMMANDS[self.page]:
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
        """Start a server of the page on a free port: 0 once it answers, else its code and log."""
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
            assert found, f"{command.where}: a server without host:port"
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
            assert self.api is not None, f"{command.where}: curl before mnr-graph serve"
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


def _new_session(page: Path, workdir: Path) -> Session:
    for name in _checkout_entries():
        (workdir / name).symlink_to(ROOT / name)
    (workdir / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNR_GRAPH_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["MNR_GRAPH_WRITE_TOKEN"] = secrets.token_hex(16)
    env.pop("PYTHONPATH", None)
    return Session(page, workdir, env)


@dataclass
class Sessions:
    """A session per page, made when its first command runs.

    The tests run page by page, so the servers of the page before are stopped when the next page
    starts (a page asked for again starts afresh).
    """

    factory: pytest.TempPathFactory
    open: dict[Path, Session] = field(default_factory=dict)

    def __call__(self, page: Path) -> Session:
        if page not in self.open:
            self.close()
            slug = re.sub(r"\W+", "-", page_name(page)).strip("-")
            self.open[page] = _new_session(page, self.factory.mktemp(slug))
        return self.open[page]

    def close(self) -> None:
        for session in self.open.values():
            session.close()
        self.open.clear()


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sessions]:
    state = Sessions(tmp_path_factory)
    try:
        yield state
    finally:
        state.close()


def test_the_pages_are_found_by_glob() -> None:
    names = {page_name(p) for p in PAGES}
    assert {"README.md", "docs/index.md", "docs/cookbook.md", "docs/cli.md"} <= names


def test_the_pages_have_commands_and_examples() -> None:
    blocks = [b for page in PAGES for b in page_blocks(page)]
    assert {"sh", "python", "console"} <= {b.lang for b in blocks}
    runnable = [c for c in ALL_COMMANDS if c.not_run_because() is None]
    assert any(c.name == "mnr-graph" for c in runnable)
    assert any(c.name == "curl" for c in runnable)
    assert any(c.shown for c in runnable), "no transcript with shown output"
    assert any(c.expected_exit for c in runnable), "no command states its exit code"
    pages_with_commands = {c.page for c in runnable}
    assert README in pages_with_commands
    assert len(pages_with_commands) >= 8


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


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(c, marks=pytest.mark.skip(reason=reason) if reason else ())
        for c in ALL_COMMANDS
        for reason in [c.not_run_because()]
    ],
    ids=lambda c: c.id,
)
def test_command_works_as_written(sessions: Sessions, command: Command) -> None:
    done = sessions(command.page).result_of(command)
    where = f"{command.where}: `{command.text}`"
    printed = done.stdout + done.stderr
    assert done.returncode == command.expected_exit, (
        f"{where} exited {done.returncode}, the page says {command.expected_exit}\n{printed}"
    )
    assert "Traceback (most recent call last)" not in printed, f"{where}\n{printed}"
    missing = _shown_output_is_printed(command.shown, printed)
    assert missing is None, f"{where}: the page shows {missing!r}; it printed:\n{printed}"


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


PYTHON_BLOCKS = [b for page in PAGES for b in page_blocks(page) if b.lang == "python"]


def test_checked_source_asserts_the_shown_repr() -> None:
    checked = _checked_source("x = 'a'\nx + 'b'\n# 'ab'\nx\n")
    exec(compile(checked, "<page>", "exec"), {})
    wrong = _checked_source("1 + 1\n# 3\n")
    with pytest.raises(AssertionError):
        exec(compile(wrong, "<page>", "exec"), {})


@pytest.mark.slow
@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: f"{page_name(b.page)}:L{b.line}")
def test_python_example_runs(sessions: Sessions, block: Block) -> None:
    session = sessions(block.page)
    script = session.workdir / f"example_{block.line}.py"
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
    where = f"{page_name(block.page)} line {block.line}"
    assert done.returncode == 0, f"{where}: python example\n{done.stderr}"


def _table_usages() -> list[tuple[str, str]]:
    """(subcommand, usage) for each `mnr-graph ...` in a CLI table of a page (docs/cli.md)."""
    usages = []
    for page in PAGES:
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("| `mnr-graph "):
                cell = line[1:].split(" | ")[0]  # the first cell (may hold an escaped \\|)
                for usage in re.findall(r"`mnr-graph ([^`]+)`", cell):
                    usages.append((usage.split()[0], usage))
                for usage in re.findall(r"/ `([a-z][a-z-]+ [^`]*)`", cell):
                    usages.append((usage.split()[0], usage))
    return usages


def test_the_cli_table_lists_commands() -> None:
    assert len(_table_usages()) >= 10


@pytest.mark.parametrize("usage", _table_usages(), ids=lambda u: u[0])
def test_cli_table_names_real_commands_and_options(usage: tuple[str, str]) -> None:
    name, text = usage
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, f"CLI table: `mnr-graph {name}` is not a command"
    for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", text):
        assert re.search(rf"(?<![\w-]){re.escape(option)}\b", result.output), (
            f"CLI table: `mnr-graph {name}` has no option {option}\n{result.output}"
        )


def test_every_cli_command_is_in_the_table() -> None:
    documented = {name for name, _ in _table_usages()}
    missing = sorted(set(cli.commands) - documented)
    assert not missing, f"CLI table (docs/cli.md): no row for mnr-graph {missing}"


# --- the README: short, the two commands, links that lead somewhere -----------------------------

README_MAX_LINES = 200
README_MAX_BYTES = 15_000
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_readme_is_short() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MAX_LINES
    assert len(text.encode("utf-8")) <= README_MAX_BYTES


def test_the_readme_gives_the_two_set_up_commands_first() -> None:
    first = page_blocks(README)[0]
    assert first.lang == "sh"
    assert [line.split("#")[0].strip() for line in first.lines] == [
        "bash scripts/serve",
        "bash scripts/check",
    ]


def test_the_readme_has_an_example_for_each_kind_of_user() -> None:
    text = README.read_text(encoding="utf-8").lower()
    for who in ("policy researchers", "journalists", "data teams"):
        assert who in text, who
    python = [b for b in page_blocks(README) if b.lang == "python"]
    assert len(python) == 1
    assert len([line for line in python[0].lines if line.strip()]) <= 12


def _anchors(page: Path) -> set[str]:
    """The ids mkdocs gives the headings of a page (lower case, words joined by hyphens)."""
    ids = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower().replace("`", "")
            ids.add(re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", title)).strip("-"))
    return ids


def test_the_readme_links_lead_to_files_and_headings_that_exist() -> None:
    links = LINK.findall(README.read_text(encoding="utf-8"))
    local = [link for link in links if "://" not in link]
    assert any(link.startswith("docs/") for link in local)
    for link in local:
        path, _, anchor = link.partition("#")
        target = ROOT / path
        assert target.is_file(), f"README links to {link}: no such file"
        if anchor:
            assert anchor in _anchors(target), f"README links to {link}: no such heading"
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in local}
    pages = {p.resolve() for p in DOCS.glob("*.md")} - {(DOCS / "changelog.md").resolve()}
    assert not sorted(pages - linked), "pages of docs/ the README does not link to"
