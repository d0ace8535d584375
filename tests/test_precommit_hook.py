"""The pre-commit hook, driven by pre-commit's own ``try-repo`` in a throwaway repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / ".pre-commit-hooks.yaml"

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )


def test_hook_manifest_names_the_check_command() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "mnr-graph-check"
    assert hook["entry"] == "mnr-graph check"
    assert set(hook["types_or"]) == {"markdown", "html", "plain-text"}


def test_try_repo_fails_on_a_term_to_avoid_and_passes_once_fixed(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and the project's git checkout")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    # try-repo reads committed and staged files only: commit the working tree (as it is, new files
    # included) to a copy, so the test checks what is being changed.
    listed = _run([git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT, env)
    hook_repo = tmp_path / "hook-repo"
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():
            (hook_repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, hook_repo / name)
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        _run([git, *step], hook_repo, env)
    work = tmp_path / "writing"
    work.mkdir()
    _run([git, "init", "-q"], work, env)
    article = work / "article.md"
    article.write_text("# Review\n\nThe story used child prostitute in a headline.\n")
    (work / "script.py").write_text("# child prostitute, in code: not a file the hook reads\n")
    _run([git, "add", "."], work, env)
    try_repo = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "mnr-graph-check"]
    failed = _run([*try_repo, "--all-files"], work, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "article.md:3:16: avoid:" in failed.stdout
    assert "script.py" not in failed.stdout
    article.write_text("# Review\n\nThe story used child exploited in prostitution.\n")
    _run([git, "add", "."], work, env)
    passed = _run([*try_repo, "--all-files"], work, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
