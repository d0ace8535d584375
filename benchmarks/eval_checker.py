"""Evaluate the text checker on the labelled corpus of tests/data/checker-corpus/.

Each line of ``{en,fr,es}.jsonl`` is one news-style text with the findings a newsroom expects
(see tests/data/checker-corpus/README.md). The checker runs on every text as ``mnr-graph check``
does (every language's terms); a finding counts as found when the checker reports the same span
(start and end) with the same concept. Printed per language and overall:

- precision: found / reported;
- recall: found / expected;
- band accuracy: of the found, those reported with the expected band (use, caution or avoid:
  "child pornography" is a caution where the sentence names a law or a charge, else avoid).

Goals (issue 9): precision and recall >= 0.98, band accuracy >= 0.97.

    python benchmarks/eval_checker.py                 # the shipped vocabulary
    python benchmarks/eval_checker.py --errors        # and every miss, extra or wrong band
    python benchmarks/eval_checker.py --vocabulary DIR_OR_TTL ...   # another vocabulary's files
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnr_graph.terminology.checker import check_text
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "checker-corpus"
LANGUAGES = ("en", "fr", "es")


@dataclass(frozen=True)
class Expected:
    """One expected finding, located in its text."""

    start: int
    end: int
    text: str
    band: str
    concept: str
    label: str
    legal: bool


@dataclass
class Record:
    """One labelled text of the corpus."""

    id: str
    lang: str
    kind: str
    text: str
    expected: list[Expected]
    requires: dict[str, str] = field(default_factory=dict)


def locate(text: str, findings: list[dict[str, Any]], where: str) -> list[Expected]:
    """The expected findings with their offsets.

    Each span is the first occurrence of its text after the previous one's end.
    """
    out, cursor = [], 0
    for finding in findings:
        start = text.find(finding["text"], cursor)
        if start < 0:
            raise ValueError(f"{where}: {finding['text']!r} not found in the text after {cursor}")
        end = start + len(finding["text"])
        out.append(
            Expected(
                start,
                end,
                finding["text"],
                finding["band"],
                finding["concept"],
                finding["label"],
                finding["legal"],
            )
        )
        cursor = end
    return out


def load_corpus(folder: Path = CORPUS) -> list[Record]:
    """Every record of ``folder/{en,fr,es}.jsonl``, in file order."""
    records = []
    for lang in LANGUAGES:
        path = folder / f"{lang}.jsonl"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            data = json.loads(line)
            where = f"{path.name}:{number} ({data['id']})"
            records.append(
                Record(
                    data["id"],
                    data["lang"],
                    data["kind"],
                    data["text"],
                    locate(data["text"], data["findings"], where),
                    data.get("requires", {}),
                )
            )
    return records


def concept_slug(iri: str) -> str:
    """Return the last path segment of a concept IRI."""
    return iri.rsplit("/", 1)[-1]


@dataclass
class Score:
    """Counts for one language (or all)."""

    expected: int = 0
    reported: int = 0
    found: int = 0
    right_band: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        """Add ``other``'s counts and errors to these."""
        self.expected += other.expected
        self.reported += other.reported
        self.found += other.found
        self.right_band += other.right_band
        self.errors += other.errors

    @property
    def precision(self) -> float:
        """Found / reported; 1.0 if nothing was reported."""
        return self.found / self.reported if self.reported else 1.0

    @property
    def recall(self) -> float:
        """Found / expected; 1.0 if nothing was expected."""
        return self.found / self.expected if self.expected else 1.0

    @property
    def band_accuracy(self) -> float:
        """Findings with the expected band / found; 1.0 if nothing was found."""
        return self.right_band / self.found if self.found else 1.0


def score(record: Record, vocabulary: Vocabulary) -> Score:
    """The checker's findings on one text against its labels."""
    findings = check_text(record.text, vocabulary=vocabulary)
    reported = {(f.start, f.end, concept_slug(f.concept)): f for f in findings}
    result = Score(expected=len(record.expected), reported=len(findings))
    for want in record.expected:
        got = reported.pop((want.start, want.end, want.concept), None)
        if got is None:
            result.errors.append(f"{record.id}: missed {want.text!r} ({want.band}, {want.concept})")
            continue
        result.found += 1
        if got.band == want.band:
            result.right_band += 1
        else:
            result.errors.append(
                f"{record.id}: {want.text!r} reported {got.band}, expected {want.band}"
            )
    for f in reported.values():
        result.errors.append(f"{record.id}: extra {f.text!r} ({f.band}, {concept_slug(f.concept)})")
    return result


def evaluate(records: list[Record], vocabulary: Vocabulary) -> dict[str, Score]:
    """The scores per language and ``"all"``."""
    scores = {lang: Score() for lang in LANGUAGES}
    for record in records:
        scores[record.lang].add(score(record, vocabulary))
    total = Score()
    for lang in LANGUAGES:
        total.add(scores[lang])
    scores["all"] = total
    return scores


def vocabulary_from(paths: list[str]) -> Vocabulary:
    """Load a vocabulary from Turtle files and from the ``*.ttl`` files of folders."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files += sorted(path.glob("*.ttl")) if path.is_dir() else [path]
    return Vocabulary.from_files(files)


def main(argv: list[str] | None = None) -> int:
    """Score the checker on the corpus and print the table per language; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="print every error")
    parser.add_argument(
        "--vocabulary", nargs="+", metavar="PATH", help="Turtle files or folders (default: shipped)"
    )
    args = parser.parse_args(argv)
    vocabulary = vocabulary_from(args.vocabulary) if args.vocabulary else load_vocabulary()
    records = load_corpus()
    scores = evaluate(records, vocabulary)
    counts = {lang: sum(1 for r in records if r.lang == lang) for lang in LANGUAGES}
    counts["all"] = len(records)
    print(f"checker corpus: {len(records)} texts, {scores['all'].expected} expected findings")
    print(f"{'':5} {'texts':>5} {'expected':>8} {'precision':>9} {'recall':>7} {'band acc.':>9}")
    for lang, s in scores.items():
        print(
            f"{lang:5} {counts[lang]:5} {s.expected:8} {s.precision:9.3f} {s.recall:7.3f} "
            f"{s.band_accuracy:9.3f}"
        )
    if args.errors:
        for error in scores["all"].errors:
            print(error)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
