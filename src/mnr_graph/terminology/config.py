r"""The checker's project configuration, ``.mnr-graph.toml``, and checking a document with it.

A project puts ``.mnr-graph.toml`` at its root (the checker looks in the file's directory and
then each parent, up to the repository's root)::

    [check]
    languages = ["en", "fr"]      # report terms of these languages only (default: all)
    allow = ["child prostitute"]  # labels or concept ids never reported in this project

    [check.avoid]                 # the project's own terms to avoid, with what to use instead
    "sex worker" = "person exploited in prostitution"
    "abuse video" = ""            # no alternative: the finding says only to avoid it

A key the checker does not know is an error (a misspelt ``alow`` must not silently do nothing).

:func:`check_document` is :func:`~mnr_graph.terminology.checker.check_text` plus the
suppression comments (:mod:`mnr_graph.terminology.suppression`) and a configuration: the one
function the CLI, the language server and the pre-commit hook call.

>>> config = parse_config('[check]\nallow = ["child-sex tourism"]', where="x.toml")
>>> check_document("Reports of child-sex tourism rose.", config=config)
[]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnr_graph.core.errors import InputError
from mnr_graph.core.language import primary
from mnr_graph.core.text import fold
from mnr_graph.terminology.checker import check_text
from mnr_graph.terminology.findings import Finding
from mnr_graph.terminology.markup import blank_markup
from mnr_graph.terminology.model import BAND_AVOID
from mnr_graph.terminology.suppression import apply_suppressions
from mnr_graph.terminology.vocabulary import Vocabulary

__all__ = [
    "CONFIG_NAME",
    "CheckConfig",
    "check_document",
    "find_config",
    "load_config",
    "parse_config",
]

CONFIG_NAME = ".mnr-graph.toml"

_KEYS = {"languages", "allow", "avoid"}


@dataclass(frozen=True)
class CheckConfig:
    """What a project sets for the checker (see the module's documentation)."""

    languages: tuple[str, ...] = ()
    allow: frozenset[str] = frozenset()
    #: The project's own terms to avoid: term -> what to use instead ("" for nothing).
    avoid: dict[str, str] = field(default_factory=dict)
    #: The file it was read from, named in the messages of the project's own terms.
    source: str = CONFIG_NAME


def _strings(value: Any, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"[check] {key} must be a list of strings", where=where)
    return [v for v in value if v.strip()]


def parse_config(text: str, *, where: str) -> CheckConfig:
    """The configuration in the TOML ``text`` (``where``: its file, named in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not TOML: {exc}", where=where) from None
    unknown_tables = set(data) - {"check"}
    if unknown_tables:
        raise InputError(f"unknown table(s): {', '.join(sorted(unknown_tables))}", where=where)
    check = data.get("check", {})
    unknown = set(check) - _KEYS
    if unknown:
        raise InputError(
            f"unknown key(s) in [check]: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(_KEYS))})",
            where=where,
        )
    avoid = check.get("avoid", {})
    if isinstance(avoid, list):
        avoid = dict.fromkeys(_strings(avoid, "avoid", where), "")
    if not isinstance(avoid, dict) or not all(isinstance(v, str) for v in avoid.values()):
        raise InputError("[check.avoid] must map terms to what to use instead", where=where)
    return CheckConfig(
        languages=tuple(
            primary(t.strip()) for t in _strings(check.get("languages", []), "languages", where)
        ),
        allow=frozenset(fold(t).strip() for t in _strings(check.get("allow", []), "allow", where)),
        avoid={k.strip(): v.strip() for k, v in avoid.items() if k.strip()},
        source=where,
    )


def load_config(path: Path) -> CheckConfig:
    """The configuration in the file ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the configuration: {exc}", where=str(path)) from None
    return parse_config(text, where=str(path))


def find_config(start: Path) -> Path | None:
    """The nearest ``.mnr-graph.toml`` in ``start`` (a file's directory) or its parents.

    The search stops at the root of the repository (a directory holding ``.git``).
    """
    directory = start if start.is_dir() else start.parent
    for candidate in [directory.resolve(), *directory.resolve().parents]:
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
        if (candidate / ".git").exists():
            break
    return None


def _pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in re.split(r"[\s\u00a0-]+", term) if word]
    return re.compile(r"(?<!\w)" + r"[\s\u00a0-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def _own_findings(text: str, config: CheckConfig) -> list[Finding]:
    plain = blank_markup(text)
    found: list[Finding] = []
    for term, instead in config.avoid.items():
        for match in _pattern(term).finditer(plain):
            start, end = match.span()
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            written = text[start:end]
            message = f'"{written}" is a term to avoid in this project' + (
                f'; use "{instead}" instead' if instead else ""
            )
            found.append(
                Finding(
                    start, end, line, column, written, BAND_AVOID, False, False,
                    ({"label": instead, "concept": ""},) if instead else (),
                    "", term, config.languages[0] if config.languages else "",
                    f"{message} (set in {Path(config.source).name}).",
                )
            )  # fmt: skip
    return found


def check_document(
    text: str,
    *,
    config: CheckConfig | None = None,
    lang: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[Finding]:
    """Every finding in ``text`` a writer should see.

    The checker's, the project's own avoided terms, less what ``config`` allows and what
    suppression comments silence; by position.
    """
    findings = check_text(text, lang=lang, vocabulary=vocabulary)
    if config is not None:
        if config.languages:
            findings = [f for f in findings if primary(f.lang) in config.languages]
        if config.allow:
            findings = [
                f
                for f in findings
                if not {fold(f.label), fold(f.text), f.concept.rsplit("/", 1)[-1]} & config.allow
            ]
        if config.avoid:
            taken = [(f.start, f.end) for f in findings]
            own = [
                f
                for f in _own_findings(text, config)
                if not any(s < f.end and f.start < e for s, e in taken)
            ]
            findings = sorted(findings + own, key=lambda f: (f.start, f.end))
    return apply_suppressions(text, findings)
