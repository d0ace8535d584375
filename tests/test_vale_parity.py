"""The Vale export and the checker report the same spans on the evaluation corpus.

Vale is not installed here, so its rules run in Python: each rule's pattern (RE2 syntax that
Python's ``re`` reads the same way: classes, alternation, no look-around) with Vale's
``ignorecase`` and word bounds, on the text with its markup blanked as Vale skips markup. Where
the two differ, the difference must be one a pattern cannot express, each named:

- a word that is also an everyday word ("minor changes"): the checker reads its sense, a
  pattern reports every occurrence;
- a word broken at a line end with a hyphen, or an HTML entity between words
  (``child&nbsp;pornography``): the checker joins them, a pattern cannot;
- a reported label inside a longer label to use ("child sex" in "child sex abuse inquiry"): the
  checker takes the longest, a pattern sees only its own label.

Anything else (a plural the export misses, an accent, a typographic apostrophe) fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mnr_graph.terminology import folding
from mnr_graph.terminology.checker import check_text
from mnr_graph.terminology.inflection import label_variants
from mnr_graph.terminology.markup import blank_markup
from mnr_graph.terminology.matcher import matcher_for
from mnr_graph.terminology.publish import vale_rules
from mnr_graph.terminology.vocabulary import load_vocabulary

CORPUS = Path(__file__).parent / "data" / "checker-corpus"
ITEMS = [
    json.loads(line)
    for path in sorted(CORPUS.glob("*.jsonl"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def _vale_pattern() -> re.Pattern[str]:
    patterns: list[str] = []
    for rule in vale_rules().values():
        patterns.extend(rule["swap"] if rule["extends"] == "substitution" else rule["tokens"])
    patterns.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)


VALE = _vale_pattern()
VOCABULARY = load_vocabulary()
MATCHER = matcher_for(VOCABULARY, None)
#: Every written form (plurals too) of the labels that are also everyday words.
SENSE_FORMS = {
    folding.pattern(form)
    for label in VOCABULARY.labels
    if MATCHER.senses.covers(label.lang, folding.pattern(label.text))
    for form in label_variants(label.text, label.lang, is_acronym=label.is_acronym)
}
USE_LABELS = [folding.pattern(label.text) for label in VOCABULARY.labels if label.band == "use"]


def _explained_vale_only(text: str, start: int, end: int) -> bool:
    key = folding.pattern(text[start:end])
    if key in SENSE_FORMS:
        return True
    folded = folding.pattern(text)
    return any(
        key in use and use in folded and folded.find(use) <= folded.find(key)
        for use in USE_LABELS
        if len(use) > len(key)
    )


def _explained_checker_only(text: str, start: int, end: int) -> bool:
    written = text[start:end]
    return bool(re.search(r"-\r?\n|&[#\w]+;", written))


@pytest.mark.parametrize("item", ITEMS, ids=[item["id"] for item in ITEMS])
def test_vale_and_checker_report_the_same_spans(item: dict[str, str]) -> None:
    text = item["text"]
    vale = {m.span() for m in VALE.finditer(blank_markup(text))}
    checker = {(f.start, f.end) for f in check_text(text)}
    unexplained = [
        ("vale only", text[s:e])
        for s, e in sorted(vale - checker)
        if not _explained_vale_only(text, s, e)
    ] + [
        ("checker only", text[s:e])
        for s, e in sorted(checker - vale)
        if not _explained_checker_only(text, s, e)
    ]
    assert unexplained == []
