"""The matcher: one Aho-Corasick automaton over every label of a vocabulary and language.

The automaton (:mod:`mnr_graph.terminology.automaton`) holds every label and its singular/plural
forms, folded (:mod:`mnr_graph.terminology.folding`), and finds the leftmost-longest matches at
word boundaries, so "child sexual abuse material" is one match and never reported for a shorter
term inside it. Labels of the "use" band take part in matching (only those that can overlap a
reported term, which gives the same result faster) but are not reported.

>>> from mnr_graph.terminology.vocabulary import load_vocabulary
>>> matcher = matcher_for(load_vocabulary(), "en")
>>> [(start, end, label.text) for start, end, label in matcher.scan("a child sex tourist")]
[(2, 19, 'child sex tourist')]
"""

from __future__ import annotations

from functools import cache

from mnr_graph.terminology import findings, folding
from mnr_graph.terminology.automaton import Automaton
from mnr_graph.terminology.inflection import label_variants
from mnr_graph.terminology.keys import soft_key
from mnr_graph.terminology.legal import LegalContext
from mnr_graph.terminology.model import BAND_AVOID, BAND_CAUTION, BAND_USE, TermLabel
from mnr_graph.terminology.senses import SenseRules
from mnr_graph.terminology.vocabulary import Vocabulary

__all__ = ["Matcher", "matcher_for"]


def _severity(band: str) -> int:
    return {BAND_USE: 0, BAND_CAUTION: 1, BAND_AVOID: 2}.get(band, 1)


def _pick(labels: list[TermLabel], lang: str | None) -> TermLabel:
    """Of labels sharing one form, the one in the asked language and, on a tie, the mildest."""

    def key(label: TermLabel) -> tuple[bool, int]:
        other_lang = lang is not None and label.lang.split("-")[0] != lang.split("-")[0]
        return (other_lang, _severity(label.band))

    return min(labels, key=key)


def _blocks(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """Whether a match of ``outer`` can hide a match of ``inner`` under leftmost-longest."""
    n, m = len(outer), len(inner)
    if n >= m and any(outer[i : i + m] == inner for i in range(n - m + 1)):
        return True
    # outer starts first and ends inside inner: a suffix of outer is a prefix of inner
    return any(outer[n - k :] == inner[:k] for k in range(1, min(n, m)))


class Matcher:
    """The automaton for one vocabulary and language (``None``: every language)."""

    def __init__(self, vocabulary: Vocabulary, lang: str | None) -> None:
        self.vocabulary = vocabulary
        self.lang = lang
        primary = lang.split("-")[0] if lang else None
        forms: dict[str, list[TermLabel]] = {}
        for label in vocabulary.labels:
            if primary is not None and label.lang.split("-")[0] != primary:
                continue
            for variant in label_variants(label.text, label.lang, is_acronym=label.is_acronym):
                pattern = folding.pattern(variant)
                if pattern:
                    forms.setdefault(pattern, []).append(label)
        chosen = {pattern: _pick(labels, lang) for pattern, labels in forms.items()}
        # one form, labels of several languages ("pedophiles": en "pedophile", fr "pédophile"):
        # the finding takes the label whose form has the accents as written
        self.ambiguous: dict[TermLabel, dict[str, TermLabel]] = {}
        for pattern, labels in forms.items():
            if len({label.lang for label in labels}) > 1:
                by_form = self.ambiguous.setdefault(chosen[pattern], {})
                for label in labels:
                    for variant in label_variants(
                        label.text, label.lang, is_acronym=label.is_acronym
                    ):
                        by_form.setdefault(soft_key(variant), label)
        # identities, not the labels: a dataclass hash per finding costs more than the lookup
        self.ambiguous_ids = frozenset(id(label) for label in self.ambiguous)
        words = {pattern: tuple(pattern.split(" ")) for pattern in chosen}
        kept = {p for p, label in chosen.items() if label.band != BAND_USE}
        reported = set(kept)
        # A "use" pattern is kept when it can hide a kept one, and then others may hide it: a
        # work list, each new kept pattern tried only against the patterns that share a word
        # with it (a pattern that hides another shares at least one word with it).
        unkept: dict[str, set[str]] = {}
        for pattern in chosen.keys() - kept:
            for word in words[pattern]:
                unkept.setdefault(word, set()).add(pattern)
        queue = sorted(kept)
        while queue:
            inner = queue.pop()
            for pattern in sorted({p for w in words[inner] for p in unkept.get(w, ())}):
                if pattern not in kept and _blocks(words[pattern], words[inner]):
                    kept.add(pattern)
                    queue.append(pattern)
        self.patterns = sorted(kept)
        self.entries: list[TermLabel | None] = [
            chosen[pattern] if pattern in reported else None for pattern in self.patterns
        ]
        self.automaton = Automaton(self.patterns)
        #: The words of the patterns, and their beginnings: a word broken across a line end with
        #: a hyphen is joined again where that gives one of them
        #: (:func:`~mnr_graph.terminology.folding.join_broken_words`).
        self.words = frozenset(word for pattern in self.patterns for word in pattern.split(" "))
        self.word_starts = frozenset(w[:i] for w in self.words for i in range(2, len(w)))
        self.legal = LegalContext.for_vocabulary(vocabulary, folding.fold)
        self.senses = SenseRules.load(folding.fold)
        #: The reported labels that are also everyday words in another sense, by identity, with
        #: their folded text (see :mod:`mnr_graph.terminology.senses`).
        self.sense_labels = {
            id(label): folding.pattern(label.text)
            for label in chosen.values()
            if self.senses.covers(label.lang, folding.pattern(label.text))
        }
        self.details_cache: dict[
            tuple[int, str, str, bool], tuple[tuple[dict[str, str], ...], str]
        ] = {}

    def disambiguate(self, label: TermLabel, shown: str) -> TermLabel:
        """Of the labels that share ``label``'s folded form, the one written as ``shown``."""
        return self.ambiguous[label].get(soft_key(shown), label)

    def details(
        self, label: TermLabel, shown: str, band: str, legal: bool
    ) -> tuple[tuple[dict[str, str], ...], str]:
        """The alternatives and the message of a finding (cached: texts repeat their terms)."""
        key = (id(label), shown, band, legal)  # labels live as long as the matcher
        found = self.details_cache.get(key)
        if found is None:
            alts = tuple(self.vocabulary.use_instead(label, lang=self.lang or label.lang))
            basis = findings.basis(self.vocabulary, label)
            message = findings.message(shown, label, band, legal, [u["label"] for u in alts], basis)
            found = (alts, message)
            if len(self.details_cache) < 100_000:
                self.details_cache[key] = found
        return found

    def scan(self, folded: str) -> list[tuple[int, int, TermLabel]]:
        """Leftmost-longest matches at word boundaries in a folded, collapsed text."""
        n = len(folded)
        candidates: list[tuple[int, int, int]] = []
        append = candidates.append
        # every match, overlapping ones too; keep those that are whole words
        for index, start, end in self.automaton.find(folded):
            if (start and folded[start - 1].isalnum()) or (end < n and folded[end].isalnum()):
                continue
            append((start, start - end, index))
        candidates.sort()
        out: list[tuple[int, int, TermLabel]] = []
        entries = self.entries
        last = 0
        for start, negative_length, index in candidates:
            if start >= last:  # leftmost, and the longest there (sorted by start, then length)
                last = start - negative_length
                label = entries[index]
                if label is not None:
                    out.append((start, last, label))
        return out


@cache
def matcher_for(vocabulary: Vocabulary, lang: str | None) -> Matcher:
    """The (cached) matcher of a vocabulary for a language."""
    return Matcher(vocabulary, lang)
