"""Suppression comments: a writer marks a quotation or a passage as deliberate.

In Markdown and HTML (and any text, since the checker reads HTML comments everywhere):

- ``<!-- mnr-graph: off -->`` ... ``<!-- mnr-graph: on -->``: no finding between the two
  comments (to the end of the text when ``on`` never comes);
- ``<!-- mnr-graph: off child pornography -->`` ... ``<!-- mnr-graph: on child pornography -->``:
  only that term is silenced between them. A term is named by a label in any language or by its
  concept id (``child-sexual-abuse-material`` silences every label of the concept), case and
  accents ignored; several terms are separated by commas;
- ``<!-- mnr-graph: ignore-next -->``: the next finding after the comment only.

The comments themselves are blanked out by the checker, so their words are never findings.

>>> text = 'A <!-- mnr-graph: off -->"child pornography"<!-- mnr-graph: on --> quote.'
>>> [s.terms for s in suppressions(text)]
[None]
>>> sorted(suppressions("<!-- mnr-graph: off Child Prostitute, kiddie porn -->")[0].terms)
['child prostitute', 'kiddie porn']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mnr_graph.core.text import fold
from mnr_graph.terminology.findings import Finding

__all__ = ["Suppression", "apply_suppressions", "suppressions"]

_COMMENT = re.compile(
    r"<!--\s*mnr-graph\s*:\s*(off|on|ignore-next)\b([^>]*?)\s*-->", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A span of the text (character offsets) where findings of ``terms`` are not reported.

    ``terms`` None: all; ``next_only``: only the first finding after ``start``.
    """

    start: int
    end: int
    terms: frozenset[str] | None
    next_only: bool = False


def _terms(text: str) -> frozenset[str] | None:
    names = frozenset(fold(name).strip() for name in text.split(",") if name.strip())
    return names or None


def suppressions(text: str) -> list[Suppression]:
    """The suppressed spans of ``text``, in the order of their opening comments."""
    if "mnr-graph" not in text:
        return []
    spans: list[Suppression] = []
    open_: dict[frozenset[str] | None, int] = {}
    for match in _COMMENT.finditer(text):
        kind, terms = match.group(1).lower(), _terms(match.group(2))
        if kind == "ignore-next":
            spans.append(Suppression(match.end(), len(text), terms, next_only=True))
        elif kind == "off":
            open_.setdefault(terms, match.end())
        elif terms in open_:
            spans.append(Suppression(open_.pop(terms), match.start(), terms))
    spans.extend(Suppression(start, len(text), terms) for terms, start in open_.items())
    spans.sort(key=lambda span: span.start)
    return spans


def _names(finding: Finding) -> set[str]:
    return {fold(finding.label), fold(finding.text), finding.concept.rsplit("/", 1)[-1]}


def apply_suppressions(text: str, findings: list[Finding]) -> list[Finding]:
    """``findings`` without those that suppression comments in ``text`` silence.

    >>> from mnr_graph.terminology.checker import check_text
    >>> text = "<!-- mnr-graph: ignore-next -->Child prostitute, child prostitute."
    >>> [f.column for f in apply_suppressions(text, check_text(text))]
    [50]
    """
    spans = suppressions(text)
    if not spans:
        return findings
    used: set[int] = set()
    kept: list[Finding] = []
    for finding in findings:
        silenced = False
        for index, span in enumerate(spans):
            if not span.start <= finding.start < span.end or index in used:
                continue
            if span.terms is not None and not span.terms & _names(finding):
                continue
            silenced = True
            if span.next_only:
                used.add(index)
            break
        if not silenced:
            kept.append(finding)
    return kept
