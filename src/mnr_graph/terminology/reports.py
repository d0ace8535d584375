"""The checker's findings for code-scanning views and CI: SARIF 2.1.0 and GitHub annotations.

``sarif_log(checked)`` is one SARIF run of the ``mnr-graph`` tool: a rule per concept whose term
was found (its id the concept's id, its help the preferred term), a result per finding with its
region (1-based lines and columns counted in Unicode code points, as ``columnKind`` says) and a
fix replacing the term with the first recommended one. Terms to avoid are ``error``, terms
needing care ``warning``. ``github_annotations(checked)`` gives GitHub Actions workflow commands
(``::error file=...,line=...::message``), which show on the lines of a pull request.

>>> from mnr_graph.terminology.checker import check_text
>>> text = "Reports of child-sex tourism rose."
>>> log = sarif_log([("notes.md", text, check_text(text))])
>>> log["version"], log["runs"][0]["results"][0]["level"]
('2.1.0', 'error')
>>> print(github_annotations([("notes.md", text, check_text(text))])[0][:58])
::error file=notes.md,line=1,col=12,endLine=1,endColumn=29
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mnr_graph.terminology.findings import Finding
from mnr_graph.terminology.model import BAND_AVOID

__all__ = ["SARIF_SCHEMA", "end_position", "github_annotations", "rule_id", "sarif_log"]

#: The SARIF 2.1.0 schema (OASIS, errata 01) a log names.
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_INFORMATION_URI = "https://w3id.org/mnr-graph"

#: One checked file: its name (a path relative to the repository root, as CI tools want it),
#: its text and its findings.
Checked = tuple[str, str, list[Finding]]


def end_position(text: str, finding: Finding) -> tuple[int, int]:
    """The 1-based line and column just after ``finding`` (a term may span a line break)."""
    breaks = text.count("\n", finding.start, finding.end)
    if not breaks:
        return finding.line, finding.column + (finding.end - finding.start)
    last = text.rfind("\n", finding.start, finding.end)
    return finding.line + breaks, finding.end - last


def rule_id(finding: Finding) -> str:
    """The rule of a finding: its concept's id, or ``project-term`` for a configured term."""
    return finding.concept.rsplit("/", 1)[-1] if finding.concept else "project-term"


def _level(finding: Finding) -> str:
    return "error" if finding.band == BAND_AVOID else "warning"


def _rule(finding: Finding) -> dict[str, Any]:
    alternatives = [u["label"] for u in finding.use_instead if u.get("label")]
    rule: dict[str, Any] = {
        "id": rule_id(finding),
        "shortDescription": {"text": f'"{finding.label}" and its recommended alternatives'},
        "defaultConfiguration": {"level": _level(finding)},
    }
    if finding.concept:
        rule["helpUri"] = finding.concept
    if alternatives:
        rule["help"] = {"text": "Use " + " or ".join(f'"{a}"' for a in alternatives) + "."}
    return rule


def _result(name: str, text: str, finding: Finding, rule_index: int) -> dict[str, Any]:
    end_line, end_column = end_position(text, finding)
    region = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": end_line,
        "endColumn": end_column,
        "charOffset": finding.start,
        "charLength": finding.end - finding.start,
        "snippet": {"text": finding.text},
    }
    location = {"uri": name.replace("\\", "/")}
    result: dict[str, Any] = {
        "ruleId": rule_id(finding),
        "ruleIndex": rule_index,
        "level": _level(finding),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
        "properties": {
            "band": finding.band,
            "label": finding.label,
            "lang": finding.lang,
            "inLegalContext": finding.in_legal_context,
        },
    }
    alternatives = [u["label"] for u in finding.use_instead if u.get("label")]
    if alternatives:
        result["fixes"] = [
            {
                "description": {"text": f'Replace with "{alternatives[0]}"'},
                "artifactChanges": [
                    {
                        "artifactLocation": location,
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "charOffset": finding.start,
                                    "charLength": finding.end - finding.start,
                                },
                                "insertedContent": {"text": alternatives[0]},
                            }
                        ],
                    }
                ],
            }
        ]
    return result


def sarif_log(checked: Iterable[Checked], *, version: str | None = None) -> dict[str, Any]:
    """One SARIF 2.1.0 log (a JSON object) of the findings in the checked files."""
    if version is None:
        from mnr_graph import __version__ as version
    rules: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for name, text, findings in checked:
        for finding in findings:
            key = rule_id(finding)
            if key not in rules:
                rules[key] = len(descriptors)
                descriptors.append(_rule(finding))
            results.append(_result(name, text, finding, rules[key]))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mnr-graph",
                        "version": version,
                        "informationUri": _INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(checked: Iterable[Checked]) -> list[str]:
    """One GitHub Actions workflow command per finding (``error`` or ``warning``)."""
    lines: list[str] = []
    for name, text, findings in checked:
        for finding in findings:
            end_line, end_column = end_position(text, finding)
            props = (
                f"file={_escape_property(name)},line={finding.line},col={finding.column},"
                f"endLine={end_line},endColumn={end_column},"
                f"title={_escape_property(f'mnr-graph: {finding.band} ({rule_id(finding)})')}"
            )
            lines.append(f"::{_level(finding)} {props}::{_escape_data(finding.message)}")
    return lines
