"""The labelled evaluation corpus of the text checker (tests/data/checker-corpus/).

Every text is checked as ``mnr-graph check`` checks it (every language's terms) and must give
exactly its expected findings: span, concept, band and legal context. A text whose expectations
rest on vocabulary changes of issue 9 names them (``requires``: label and band); on a vocabulary
without them, the findings of those labels (and anything found inside their spans) are left out
on both sides and everything else is still checked. The figures of
``benchmarks/eval_checker.py`` use every expectation as labelled.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mnr_graph.terminology.checker import check_text
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

ROOT = Path(__file__).parents[1]


def _eval_module() -> ModuleType:
    path = ROOT / "benchmarks" / "eval_checker.py"
    spec = importlib.util.spec_from_file_location("eval_checker", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


EVAL = _eval_module()
RECORDS = EVAL.load_corpus()


def _band(vocabulary: Vocabulary, label: str) -> str | None:
    text, _, lang = label.rpartition("@")
    return next(
        (lab.band for lab in vocabulary.labels if (lab.text, lab.lang) == (text, lang)), None
    )


def _pending(record: object, vocabulary: Vocabulary) -> set[str]:
    """The labels a text requires with a band this vocabulary does not give them."""
    requires: dict[str, str] = record.requires  # type: ignore[attr-defined]
    return {label for label, band in requires.items() if _band(vocabulary, label) != band}


def test_the_corpus_covers_three_languages_and_every_kind_of_text() -> None:
    assert len(RECORDS) >= 200
    kinds = {"ordinary", "court", "charge", "citation", "quotation", "headline", "html"}
    kinds |= {"markdown", "trap", "hyphenation"}
    for lang in ("en", "fr", "es"):
        records = [r for r in RECORDS if r.lang == lang]
        assert len(records) >= 50, lang
        assert {r.kind for r in records} == kinds, lang
        assert sum(1 for r in records if not r.expected) >= 8, f"{lang}: too few traps"
        assert any(e.legal for r in records for e in r.expected), lang
    assert len({r.id for r in RECORDS}) == len(RECORDS)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.id)
def test_every_corpus_text_gives_its_expected_findings(record: object) -> None:
    vocabulary = load_vocabulary()
    pending = _pending(record, vocabulary)
    text: str = record.text  # type: ignore[attr-defined]
    expected = [e for e in record.expected if e.label not in pending]  # type: ignore[attr-defined]
    held = [
        (e.start, e.end)
        for e in record.expected  # type: ignore[attr-defined]
        if e.label in pending
    ]
    findings = [
        f
        for f in check_text(text)
        if f"{f.label}@{f.lang}" not in pending
        and not any(s < f.end and f.start < e for s, e in held)
    ]
    got = [
        (f.start, f.end, EVAL.concept_slug(f.concept), f.band, f.in_legal_context) for f in findings
    ]
    want = [(e.start, e.end, e.concept, e.band, e.legal) for e in expected]
    assert got == want, [f.text for f in findings]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.id)
def test_every_expected_finding_is_a_flagged_label_of_its_concept(record: object) -> None:
    """The labels agree with the vocabulary.

    The label exists on the concept, and the expected band is its band (caution where a
    legal-context-only term names a law or a charge).
    """
    vocabulary = load_vocabulary()
    pending = _pending(record, vocabulary)
    for e in record.expected:  # type: ignore[attr-defined]
        if e.label in pending:
            continue
        text, _, lang = e.label.rpartition("@")
        (label,) = [lab for lab in vocabulary.labels if (lab.text, lab.lang) == (text, lang)]
        assert EVAL.concept_slug(label.concept) == e.concept
        assert label.band != "use"
        assert e.band == ("caution" if e.legal else label.band)
        assert not e.legal or label.legal_context_only


def test_eval_checker_prints_precision_recall_and_band_accuracy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert EVAL.main([]) == 0
    out = capsys.readouterr().out
    assert "precision" in out
    assert "recall" in out
    assert "band acc." in out
    for lang in ("en", "fr", "es", "all"):
        assert any(line.startswith(lang) for line in out.splitlines()), lang
