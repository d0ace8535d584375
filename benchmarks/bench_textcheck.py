"""Benchmark the text checker and the term look-up against naive baselines in the same run.

Generates deterministic English news-style text (>= 10 MB, or a tiny amount with ``--quick``)
and measures:

- mixed text: every English label of the shipped vocabulary mixed into ordinary sentences; the
  checker (``textcheck.check_text``, whole vocabulary, every language) in MB/s against a naive
  baseline, one compiled regular expression per label, each run over the whole text;
- dense court reporting: a finding every ~4 KB (half of them "legal context only" terms, in
  sentences that name a law or a charge or only talk about a court), court and police words in
  every sentence around; the checker against the naive scan over the avoid and caution labels,
  and ``mnr-graph check`` on that text in a file, start-up (the same command on a one-line
  file) subtracted; and the cost per finding at two lengths of text (it must not grow);
- term look-up (``Vocabulary.lookup``) per term, against a linear scan over every label.

Goals: issue 3, checker >= 30 MB/s and >= 25x the naive baseline, look-up < 1 ms per term;
issue 12, on dense court reporting >= 40 MB/s (start-up subtracted) and >= 25x the naive scan.

    python benchmarks/bench_textcheck.py            # full run (about 10 MB each)
    python benchmarks/bench_textcheck.py --quick    # tiny run, used by the test suite
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TypeVar

from mnr_graph.terminology.checker import check_text
from mnr_graph.terminology.folding import fold
from mnr_graph.terminology.keys import lookup_key
from mnr_graph.terminology.markup import blank_markup
from mnr_graph.terminology.matcher import matcher_for
from mnr_graph.terminology.model import TermLabel
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

T = TypeVar("T")

OPENERS = [
    "The ministry said on Tuesday that",
    "According to the annual report,",
    "Editors at the regional paper agreed that",
    "A spokesperson for the helpline explained that",
    "In a statement, the agency noted that",
    "Trainers told the newsroom workshop that",
    "The committee's findings show that",
    "Local officials confirmed that",
]
MIDDLES = [
    "coverage of {term} needs careful wording",
    "the term {term} appears in older policy documents",
    "the style guide now has an entry on {term}",
    "reporters should check how {term} is described",
    "the glossary explains {term} in plain language",
    "funding for work on {term} will rise next year",
]
FILLERS = [
    "The budget for the coming year was approved after a long debate.",
    "Schools in the district will reopen on Monday after the holiday.",
    "The report was published in three languages and is free to download.",
    "Volunteers staffed the phone lines through the weekend.",
    "The new guidance takes effect at the start of next month.",
    "Researchers interviewed more than two hundred professionals for the study.",
]
CLOSERS = [".", ", officials said.", ", the report added.", " in recent months."]


def variants(text: str, rng: random.Random) -> str:
    """The label as a writer might type it: capitalised, hyphenated or broken across lines."""
    choice = rng.randrange(6)
    if choice == 0:
        return text.title()
    if choice == 1:
        return text.replace(" ", "-", 1)
    if choice == 2:
        return text.replace(" ", "\n", 1)
    if choice == 3:
        return text.upper()
    return text


def generate_text(vocabulary: Vocabulary, *, size: int, seed: int = 2025) -> str:
    """Deterministic news-style English text of at least ``size`` characters."""
    rng = random.Random(seed)
    terms = sorted({label.text for label in vocabulary.labels if label.lang == "en"})
    parts: list[str] = []
    total = 0
    while total < size:
        if rng.random() < 0.5:
            sentence = rng.choice(FILLERS)
        else:
            term = variants(rng.choice(terms), rng)
            middle = rng.choice(MIDDLES).format(term=term)
            sentence = f"{rng.choice(OPENERS)} {middle}{rng.choice(CLOSERS)}"
        parts.append(sentence)
        total += len(sentence) + 1
        if rng.random() < 0.15:
            parts.append("\n\n")
    return " ".join(parts)


#: Court reporting around the findings: every sentence has court, police or sentencing words.
COURT = [
    "The court heard that the defendant had been arrested at his home in March.",
    "Prosecutors told the jury that the trial would last about three weeks.",
    "The judge adjourned the hearing until Monday after a request from the defence.",
    "Police officers gave evidence on the second day of the trial.",
    "He was sentenced to four years in prison and placed on the register.",
    "The jury retired to consider its verdict on Thursday afternoon.",
    "Detectives said the investigation had taken more than a year.",
    "A spokesperson for the prosecution service declined to comment on the appeal.",
    "The defence lawyer said her client would appeal against the conviction.",
    "The magistrates sent the case to the crown court for sentencing.",
    "Officers seized two laptops and a phone during the search, the court was told.",
    "The trial was told that the man had worked as a volunteer coach.",
]
#: Sentences with a finding: a legal-context-only term in a legal or a descriptive sentence, or
#: any other flagged term.
LEGAL_FRAMES = [
    "He was charged with possession of {term} under section 160 of the Criminal Code.",
    "The judge said {term} fuels demand for abuse.",
    "He was sentenced after police found {term} on his phone.",
    "Article 2(c) of the Optional Protocol defines {term} for the States parties.",
    "Prosecutors said the files held {term} and other images.",
    "He pleaded guilty to two counts of distributing {term} last year.",
]
OTHER_FRAMES = [
    "A witness told the court that the word {term} had appeared in messages.",
    "The newspaper apologised for using the phrase {term} in its report of the trial.",
]


def generate_dense_text(vocabulary: Vocabulary, *, size: int, every: int = 4000) -> str:
    """Deterministic court reporting of at least ``size`` characters.

    A finding every ``every`` characters: half of them a legal-context-only term.
    """
    rng = random.Random(12)
    flagged = [lab for lab in vocabulary.labels if lab.lang == "en" and lab.band != "use"]
    legal = sorted({lab.text for lab in flagged if lab.legal_context_only})
    other = sorted({lab.text for lab in flagged if not lab.legal_context_only})
    parts: list[str] = []
    total = next_finding = 0
    while total < size:
        if total >= next_finding:
            if legal and rng.random() < 0.5:
                sentence = rng.choice(LEGAL_FRAMES).format(term=rng.choice(legal))
            else:
                sentence = rng.choice(OTHER_FRAMES).format(term=rng.choice(other))
            next_finding += every
        else:
            sentence = rng.choice(COURT)
        parts.append(sentence)
        total += len(sentence) + 1
        if rng.random() < 0.12:
            parts.append("\n\n")
    return " ".join(parts)


def naive_patterns(
    vocabulary: Vocabulary, labels: list[TermLabel] | None = None
) -> list[re.Pattern[str]]:
    """One regular expression per label: case-insensitive, hyphen/space/line break, plural -s."""
    out = []
    for label in vocabulary.labels if labels is None else labels:
        words = [re.escape(w) for w in re.split(r"[\s\-]+", label.text) if w]
        body = r"[\s\-]+".join(words)
        out.append(re.compile(rf"(?<!\w){body}(?:s|es)?(?!\w)", re.IGNORECASE))
    return out


def naive_check(patterns: list[re.Pattern[str]], text: str) -> int:
    """Count the matches of all ``patterns`` in ``text`` (the baseline: one regex per label)."""
    return sum(1 for pattern in patterns for _ in pattern.finditer(text))


def best_of(repeat: int, func: Callable[[], T]) -> tuple[float, float, T]:
    """Run ``func`` ``repeat`` times; the best wall-clock and CPU seconds, and its result.

    The CPU time (of this process) is printed too: on a shared machine other processes inflate
    the wall-clock time of both the checker and the baseline.
    """
    best_wall, best_cpu = float("inf"), float("inf")
    result: T | None = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    assert result is not None
    return best_wall, best_cpu, result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the throughput and look-up times; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny run (for the test suite)")
    parser.add_argument("--mb", type=float, default=10.0, help="size of the generated text in MB")
    args = parser.parse_args(argv)
    size = 50_000 if args.quick else int(args.mb * 1_000_000)
    repeat = 1 if args.quick else 3

    t0 = time.perf_counter()
    vocabulary = load_vocabulary()
    check_text("warm up the matcher", vocabulary=vocabulary)
    print(
        f"vocabulary: {len(vocabulary.labels)} labels, loaded in {time.perf_counter() - t0:.2f} s"
    )

    text = generate_text(vocabulary, size=size)
    megabytes = len(text.encode("utf-8")) / 1_000_000
    print(f"text: {megabytes:.2f} MB ({len(text):,} characters)")

    fast, fast_cpu, findings = best_of(repeat, lambda: check_text(text, vocabulary=vocabulary))
    patterns = naive_patterns(vocabulary)
    naive, naive_cpu, naive_hits = best_of(1, lambda: naive_check(patterns, text))
    print(
        f"checker: {megabytes / fast:8.1f} MB/s wall, {megabytes / fast_cpu:8.1f} MB/s CPU "
        f"({fast:.3f} s, {len(findings):,} findings)"
    )
    print(
        f"naive:   {megabytes / naive:8.1f} MB/s wall, {megabytes / naive_cpu:8.1f} MB/s CPU "
        f"({naive:.3f} s, {naive_hits:,} raw matches, {len(patterns)} expressions)"
    )
    print(f"ratio:   {naive / fast:8.1f}x wall, {naive_cpu / fast_cpu:.1f}x CPU faster than naive")

    dense(vocabulary, size, repeat)

    queries = [label.text for label in vocabulary.labels]
    queries += [label.text.upper().replace(" ", "-") for label in vocabulary.labels]
    rounds = 1 if args.quick else 20
    t_lookup, _, _ = best_of(
        1, lambda: [vocabulary.lookup(q) for _ in range(rounds) for q in queries]
    )
    per_lookup = t_lookup / (rounds * len(queries))

    def linear(q: str) -> list[str]:
        key = lookup_key(q)
        return [label.text for label in vocabulary.labels if lookup_key(label.text) == key]

    t_linear, _, _ = best_of(1, lambda: [linear(q) for q in queries])
    per_linear = t_linear / len(queries)
    print(
        f"look-up: {per_lookup * 1e6:8.1f} µs per term (linear scan over labels: "
        f"{per_linear * 1e6:.1f} µs, {per_linear / per_lookup:.0f}x)"
    )
    return 0


def cli_seconds(path: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``mnr-graph check`` on a file, exit 0 or 1.

    The CPU seconds are user and system, the child's.
    """
    command = [sys.executable, "-m", "mnr_graph", "check", path]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr.decode())
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli_check_seconds(big: str, small: str, rounds: int) -> tuple[float, float, float]:
    """The time ``mnr-graph check`` spends on ``big`` beyond its start-up.

    In each round the command runs on ``small`` (one line) and then on ``big``; the median of
    the differences, wall-clock and CPU (start-up alone varies by a tenth of a second between
    runs on a shared machine: a median of paired runs is steadier than the best of each), and
    the median start-up.
    """
    walls, cpus, startups = [], [], []
    for _ in range(rounds):
        small_wall, small_cpu = cli_seconds(small)
        big_wall, big_cpu = cli_seconds(big)
        walls.append(big_wall - small_wall)
        cpus.append(big_cpu - small_cpu)
        startups.append(small_wall)
    return statistics.median(walls), statistics.median(cpus), statistics.median(startups)


def legal_test_seconds(text: str, vocabulary: Vocabulary, repeat: int) -> float:
    """Seconds per legal-context-only finding of the legal-context test alone.

    Best of ``repeat``, the text prepared as the checker prepares it.
    """
    findings = [f for f in check_text(text, vocabulary=vocabulary) if f.legal_context_only]
    matcher = matcher_for(vocabulary, None)
    plain = blank_markup(text)
    folded = fold(plain)
    judge = matcher.legal.in_legal_context
    best = float("inf")
    for _ in range(max(repeat, 3)):
        t0 = time.perf_counter()
        for f in findings:
            judge(plain, folded, f.start, f.end, f.lang)
        best = min(best, time.perf_counter() - t0)
    return best / max(1, len(findings))


def dense(vocabulary: Vocabulary, size: int, repeat: int) -> None:
    """The dense court-reporting case: checker, naive scan, CLI and cost per finding."""
    text = generate_dense_text(vocabulary, size=size)
    megabytes = len(text.encode("utf-8")) / 1_000_000
    flagged = [label for label in vocabulary.labels if label.band != "use"]
    print(f"dense court reporting: {megabytes:.2f} MB, a finding every ~4 KB")
    fast, fast_cpu, findings = best_of(repeat, lambda: check_text(text, vocabulary=vocabulary))
    patterns = naive_patterns(vocabulary, flagged)
    naive, naive_cpu, naive_hits = best_of(1, lambda: naive_check(patterns, text))
    legal = sum(1 for f in findings if f.legal_context_only)
    print(
        f"  checker: {megabytes / fast:8.1f} MB/s wall, {megabytes / fast_cpu:8.1f} MB/s CPU "
        f"({fast:.3f} s, {len(findings):,} findings, {legal:,} legal-context-only)"
    )
    print(
        f"  naive:   {megabytes / naive:8.1f} MB/s wall ({naive:.3f} s, {naive_hits:,} matches, "
        f"{len(patterns)} expressions over the avoid and caution labels)"
    )
    print(
        f"  ratio:   {naive / fast:8.1f}x wall, {naive_cpu / fast_cpu:.1f}x CPU faster than naive"
    )
    # the cost per finding must not grow with the text: the legal-context test of every
    # legal-context-only finding, timed alone, on the whole text and on a quarter of it
    per_full = legal_test_seconds(text, vocabulary, repeat) * 1e6
    per_quarter = legal_test_seconds(text[: len(text) // 4], vocabulary, repeat) * 1e6
    print(
        f"  legal-context test per finding: {per_full:.1f} µs on the whole text, "
        f"{per_quarter:.1f} µs on a quarter of it ({per_full / per_quarter:.2f}x)"
    )
    with tempfile.TemporaryDirectory() as folder:
        big, small = f"{folder}/dense.txt", f"{folder}/one-line.txt"
        with open(big, "w", encoding="utf-8") as f:
            f.write(text)
        with open(small, "w", encoding="utf-8") as f:
            f.write("One line of text.\n")
        rounds = 7 if repeat > 1 else 1
        wall, cpu, startup = cli_check_seconds(big, small, rounds)
    print(
        f"  mnr-graph check: {wall:.2f} s beyond a start-up of {startup:.2f} s (median of "
        f"{rounds} paired runs): {megabytes / max(1e-9, wall):8.1f} MB/s wall, "
        f"{megabytes / max(1e-9, cpu):.1f} MB/s CPU, start-up subtracted"
    )


if __name__ == "__main__":
    raise SystemExit(main())
