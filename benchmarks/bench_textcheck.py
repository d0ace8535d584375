"""Benchmark the text checker and the term look-up against naive baselines in the same run.

Generates deterministic English news-style text (>= 10 MB, or a tiny amount with ``--quick``)
that mixes every English label of the shipped vocabulary into ordinary sentences, then measures:

- the checker (``textcheck.check_text``, whole vocabulary, every language) in MB/s;
- a naive baseline: one compiled regular expression per label, each run over the whole text;
- term look-up (``Vocabulary.lookup``) per term, against a linear scan over every label.

Goals (issue 3): checker >= 30 MB/s and >= 25x the naive baseline; look-up < 1 ms per term.

    python benchmarks/bench_textcheck.py            # full run (about 10 MB)
    python benchmarks/bench_textcheck.py --quick    # tiny run, used by the test suite
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable
from typing import TypeVar

from mnr_graph.terminology import Vocabulary, load_vocabulary, lookup_key
from mnr_graph.textcheck import check_text

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


def naive_patterns(vocabulary: Vocabulary) -> list[re.Pattern[str]]:
    """One regular expression per label: case-insensitive, hyphen/space/line break, plural -s."""
    out = []
    for label in vocabulary.labels:
        words = [re.escape(w) for w in re.split(r"[\s\-]+", label.text) if w]
        body = r"[\s\-]+".join(words)
        out.append(re.compile(rf"(?<!\w){body}(?:s|es)?(?!\w)", re.IGNORECASE))
    return out


def naive_check(patterns: list[re.Pattern[str]], text: str) -> int:
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


if __name__ == "__main__":
    raise SystemExit(main())
