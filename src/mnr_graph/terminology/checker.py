"""The text checker: find avoided and cautioned terms in plain text, Markdown or HTML.

How it works, so that offsets stay exact and it stays fast:

1. Markup is blanked out with spaces of the same length (:mod:`mnr_graph.terminology.markup`), so
every
   position still points into the input.
2. A folded copy is made with ``str.translate`` and a 1:1 character table (lower case, no
   accents; hyphens, line breaks and Markdown marks ``*_~`#>`` become spaces): same length, same
   offsets. A hyphen at a line end is skipped where the word's halves make a word of a term
   ("pornog-\\nraphy").
3. Runs of spaces a term could span (not those after a sentence's end) become one space for
   matching; a short list of those runs maps positions back.
4. One Aho-Corasick automaton (:mod:`mnr_graph.terminology.automaton`) holds every label and its
   singular/plural forms and finds the leftmost-longest matches at word boundaries, so "child
   sexual abuse material" is one match and never reported for a shorter term inside it. Labels of
   the "use" band take part in matching (only those that can overlap a reported term, which gives
   the same result faster) but are not reported.
5. A term that is also an everyday word is reported only in its sense ("a minor who", not "minor
   changes": :mod:`mnr_graph.terminology.senses`).

A term marked "legal context only" is a caution where its sentence names a law, an article or
section, a convention or a formal charge (:mod:`mnr_graph.terminology.legal`); elsewhere it keeps
its
own band (usually avoid). A message names the basis of the band unless that is the guidelines'
own text.

>>> findings = check_text("Reports of child-sex tourism rose.")
>>> [(f.text, f.band, f.line, f.column) for f in findings]
[('child-sex tourism', 'avoid', 1, 12)]
>>> check_text("Reports of sexual exploitation of children in travel rose.")
[]
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from typing import Any

from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import MNRID
from mnr_graph.core.text import strip_accents
from mnr_graph.terminology.automaton import Automaton
from mnr_graph.terminology.legal import LegalContext
from mnr_graph.terminology.markup import SKIP as _SKIP
from mnr_graph.terminology.markup import SKIPPED as _SKIPPED
from mnr_graph.terminology.markup import blank_markup
from mnr_graph.terminology.senses import SenseRules
from mnr_graph.terminology.vocabulary import (
    BAND_AVOID as _AVOID,
)
from mnr_graph.terminology.vocabulary import (
    BAND_CAUTION as _CAUTION,
)
from mnr_graph.terminology.vocabulary import (
    BAND_USE as _USE,
)
from mnr_graph.terminology.vocabulary import (
    TermLabel,
    Vocabulary,
    label_variants,
    load_vocabulary,
    soft_key,
)

__all__ = [
    "PRIMARY_TEXT",
    "Finding",
    "Matcher",
    "avoided_terms_in",
    "blank_markup",
    "check_text",
    "decode_text",
    "fold",
    "matcher_for",
]


# --- 2. folding ----------------------------------------------------------------------------------


# Markdown emphasis, code, heading and quote marks are spaces to the matcher.
_MARKDOWN_MARKS = "*_~`#>"


def _fold_char(ch: str) -> str:
    if ch in _SKIPPED:
        return _SKIP
    if ch.isspace() or unicodedata.category(ch) == "Pd" or ch in _MARKDOWN_MARKS or ch == "\u200b":
        return " "
    if ch in "\u2018\u2019\u02bc\u2032":
        return "'"
    base = strip_accents(ch)
    lowered = base.lower() if len(base) == 1 else ch.lower()
    return lowered if len(lowered) == 1 else ch


def _fold_table() -> dict[int, str]:
    ranges = [(0x00, 0x250), (0x1E00, 0x1F00), (0x2000, 0x2070), (0x3000, 0x3001)]
    ranges += [(0x180E, 0x180F), (0xFEFF, 0xFF00)]
    table: dict[int, str] = {}
    for low, high in ranges:
        for code in range(low, high):
            ch = chr(code)
            folded = _fold_char(ch)
            if folded != ch:
                table[code] = folded
    return table


_FOLD = _fold_table()
_RUN = re.compile(r"  +")


def fold(text: str) -> str:
    """A same-length copy for matching: lower case, no accents, hyphens and breaks as spaces.

    Soft hyphens and zero-width joiners all become a soft hyphen, which matching skips.

    >>> fold("Child-Sex\\nTourism, PÉDO")
    'child sex tourism, pedo'
    """
    return text.translate(_FOLD)


def _pattern(text: str) -> str:
    return _RUN.sub(" ", fold(text)).strip()


# --- 3. the matcher ------------------------------------------------------------------------------


@dataclass(slots=True)
class Finding:
    """An avoided or cautioned term found in a text."""

    start: int
    end: int
    line: int
    column: int
    text: str
    band: str
    legal_context_only: bool
    in_legal_context: bool
    use_instead: tuple[dict[str, str], ...]
    concept: str
    label: str
    lang: str
    message: str

    def to_text(self, filename: str = "-") -> str:
        """The finding as a linter line: ``file:line:column: band: message``."""
        return f"{filename}:{self.line}:{self.column}: {self.band}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """The finding as JSON: character offsets into the input, 1-based line and column."""
        return {
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "text": self.text,
            "band": self.band,
            "legal_context_only": self.legal_context_only,
            "in_legal_context": self.in_legal_context,
            "use_instead": [dict(u) for u in self.use_instead],
            "concept": self.concept,
            "label": self.label,
            "lang": self.lang,
            "message": self.message,
        }


def _severity(band: str) -> int:
    return {_USE: 0, _CAUTION: 1, _AVOID: 2}.get(band, 1)


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
                pattern = _pattern(variant)
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
        kept = {p for p, label in chosen.items() if label.band != _USE}
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
        #: a hyphen is joined again where that gives one of them (see :func:`_join_broken_words`).
        self.words = frozenset(word for pattern in self.patterns for word in pattern.split(" "))
        self.word_starts = frozenset(w[:i] for w in self.words for i in range(2, len(w)))
        self.legal = LegalContext.for_vocabulary(vocabulary, fold)
        self.senses = SenseRules.load(fold)
        #: The reported labels that are also everyday words in another sense, by identity, with
        #: their folded text (see :mod:`mnr_graph.terminology.senses`).
        self.sense_labels = {
            id(label): _pattern(label.text)
            for label in chosen.values()
            if self.senses.covers(label.lang, _pattern(label.text))
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
            basis = _basis(self.vocabulary, label)
            message = _message(shown, label, band, legal, [u["label"] for u in alts], basis)
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


# --- 4. checking ---------------------------------------------------------------------------------


def _quoted(items: list[str]) -> str:
    return " or ".join(f'"{item}"' for item in items)


def _message(
    written: str, label: TermLabel, band: str, legal: bool, alts: list[str], basis: str
) -> str:
    recommended = _quoted(alts)
    if label.legal_context_only and legal:
        text = (
            f'"{written}" is for legal contexts only, and this sentence names a law or a formal '
            "charge: quote the charge or the law as written, and describe the material or the "
            "acts themselves in the recommended words" + (f", {recommended}." if alts else ".")
        )
    elif label.legal_context_only:
        text = (
            f'"{written}" is for legal contexts only (naming a law, an article or a formal charge)'
            + (f"; use {recommended} instead." if alts else ".")
        )
    elif band == _AVOID:
        text = f'"{written}" is a term to avoid' + (
            f"; use {recommended} instead." if alts else "."
        )
    else:
        text = f'"{written}" needs care in how it is used' + (
            f"; consider {recommended}." if alts else "."
        )
    return f"{text} {basis[:1].upper()}{basis[1:]}." if basis else text


#: The review status of a band read in the guidelines' own text, edition and page cited: a
#: finding's message names the basis of its band whenever the status is another.
PRIMARY_TEXT = str(MNRID["review-confirmed"])


def _basis(vocabulary: Vocabulary, label: TermLabel) -> str:
    """What the band of ``label`` rests on, when that is not the guidelines' own text.

    A vocabulary with issue 9's review statuses and sources phrases it itself
    (``basis_text``: the status and the sources named); this branch's reads the status alone.
    The look-up by name keeps this module working with both until they meet.
    """
    notation = getattr(vocabulary, "review_notation", None)
    phrase = getattr(vocabulary, "basis_text", None)
    if notation is not None and phrase is not None:
        return "" if notation(label) == "primary-text" else str(phrase(label))
    concept = vocabulary.concepts.get(label.concept)
    status = label.review_status or (concept.review_status if concept else None)
    if status == PRIMARY_TEXT:
        return ""
    if status is None:
        return "basis: not yet checked"
    return f"basis: {vocabulary.name_of(status)}"


#: A hyphen (or soft hyphen) at the end of a line, with the spaces around the line break: the
#: ASCII hyphen pattern starts with a literal, which the regular expression engine finds fast.
_LINE_END_HYPHENS = (
    re.compile(r"-[ \t]*(?:\r\n?|\n)[ \t]*"),
    re.compile(f"{_SKIP}[ \t]*(?:\r\n?|\n)[ \t]*"),
)
_LETTERS = re.compile(r"[^\W\d_]+")


def _join_broken_words(plain: str, folded: str, matcher: Matcher) -> str:
    """``folded`` with each hyphen at a line end (and the line break and spaces around it) made
    skipped characters where the word's two halves make a word of a term, or the start of one
    broken again ("pornog-\\nraphy", "pédo-\\nporno-\\ngraphie"); a hyphen elsewhere stays a
    space, so "child-\\nsex tourism" is still "child sex tourism". Same length, same offsets.

    >>> m = matcher_for(load_vocabulary(), "en")
    >>> text = "child pornog-\\n  raphy, child-\\nsex tourism"
    >>> _join_broken_words(text, fold(text), m).replace(_SKIP, "_")
    'child pornog____raphy, child sex tourism'
    """
    joins: list[tuple[int, int]] = []
    for pattern in _LINE_END_HYPHENS:
        if pattern is not _LINE_END_HYPHENS[0] and _SKIP not in plain:
            continue
        carried, carried_at = "", -1  # a word joined so far, and where its last half starts
        for m in pattern.finditer(plain):
            start, end = m.span()
            right = _LETTERS.match(folded, end)
            if right is None:
                continue
            left_start = start
            while left_start and folded[left_start - 1].isalpha():
                left_start -= 1
            if left_start == start:
                continue
            left = folded[left_start:start]
            if left_start == carried_at:
                left = carried + left
            word = left + right.group()
            if word in matcher.words or (
                word in matcher.word_starts and pattern.match(plain, right.end())
            ):
                joins.append((start, end))
                carried, carried_at = left, end
    if not joins:
        return folded
    pieces, last = [], 0
    for start, end in sorted(joins):
        pieces += [folded[last:start], _SKIP * (end - start)]
        last = end
    pieces.append(folded[last:])
    return "".join(pieces)


_AFTER_SENTENCE = frozenset(".!?:;")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")


def _collapse(folded: str) -> tuple[str, list[int], list[int]]:
    """Runs of spaces made single where a term could span them, and how to map positions back.

    Returns the collapsed text, the position of each collapsed run's single space in it, and the
    number of characters removed before each run (``removed[k]`` before run ``k``). Runs after the
    end of a sentence stay as they are: no term spans them, and most runs are there.
    """
    if _SKIP in folded:
        return _squeeze(folded)
    find, run_end = folded.find, _RUN.match
    pieces: list[str] = []
    marks: list[int] = []
    removed = [0]
    total = last = 0
    pos = find("  ")
    while pos != -1:
        run = run_end(folded, pos)
        end = run.end() if run else pos + 2
        if pos and folded[pos - 1] not in _AFTER_SENTENCE:
            pieces.append(folded[last : pos + 1])
            marks.append(pos - total)
            total += end - pos - 1
            removed.append(total)
            last = end
        pos = find("  ", end)
    if not marks:
        return folded, marks, removed
    pieces.append(folded[last:])
    return "".join(pieces), marks, removed


_SQUEEZE = re.compile(f"[ {_SKIP}]*{_SKIP}[ {_SKIP}]*|  +")


def _squeeze(folded: str) -> tuple[str, list[int], list[int]]:
    """:func:`_collapse` for a text with skipped characters: those are removed (a run of them
    with spaces becomes one space), so "por\u00adnography" matches as one word.

    >>> _squeeze("por\u00adno  x")
    ('porno x', [2, 5], [0, 1, 2])
    """
    pieces: list[str] = []
    marks: list[int] = []
    removed = [0]
    total = last = 0
    for m in _SQUEEZE.finditer(folded):
        pos, end = m.span()
        if " " not in m.group():  # only skipped characters: drop them
            pieces.append(folded[last:pos])
            marks.append(pos - total - 1)  # counts for positions from the next character on
            total += end - pos
        elif pos and folded[pos - 1] in _AFTER_SENTENCE:  # no term spans it: keep its length
            pieces.append(folded[last:pos] + " " * (end - pos))
            last = end
            continue
        else:  # one space stays
            pieces.append(folded[last:pos] + " ")
            marks.append(pos - total)
            total += end - pos - 1
        removed.append(total)
        last = end
    pieces.append(folded[last:])
    return "".join(pieces), marks, removed


# What a message shows of a term: no Markdown marks, skipped characters or runs of white space.
_TIDY = {ord(c): " " for c in _MARKDOWN_MARKS + "\u200b"} | {ord(c): None for c in _SKIPPED}
_UNTIDY = re.compile(f"[{re.escape(_MARKDOWN_MARKS)}]")


_LONE_CR = re.compile(r"\r(?!\n)")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _recount_lines(text: str, findings: list[Finding]) -> None:
    """Line and column for a text whose lines may end with a lone CR (old Mac files)."""
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    for finding in findings:
        index = bisect_right(starts, finding.start) - 1
        finding.line, finding.column = index + 1, finding.start - starts[index] + 1


def check_text(
    text: str, *, lang: str | None = None, vocabulary: Vocabulary | None = None
) -> list[Finding]:
    """Every avoided or cautioned term in ``text`` (plain text, Markdown or HTML), in order.

    >>> [f.band for f in check_text("The law calls it child pornography.")]
    ['caution']
    >>> [f.band for f in check_text("Police found child pornography.")]
    ['avoid']
    """
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    matcher = matcher_for(vocab, vocab.check_lang(lang))
    plain = blank_markup(text)
    folded = _join_broken_words(plain, fold(plain), matcher)
    collapsed, marks, removed = _collapse(folded)
    size = len(text)

    findings: list[Finding] = []
    line, line_start, cursor = 1, 0, 0
    details, cache = matcher.details, matcher.details_cache
    ambiguous = matcher.ambiguous_ids
    sense_labels = matcher.sense_labels
    for cstart, cend, label in matcher.scan(collapsed):
        if marks:
            start = cstart + removed[bisect_left(marks, cstart)]
            end = cend + removed[bisect_left(marks, cend - 1)]
        else:
            start, end = cstart, cend
        if end < size and plain[end] == _SKIP and text[end] != _SKIP:
            # the term ends with an entity (prostitu&eacute;): the finding covers all of it
            while end < size and plain[end] == _SKIP and text[end] != _SKIP:
                end += 1
        shown = plain[start:end]
        if "\n" in shown and _PARAGRAPH_BREAK.search(shown):
            continue  # a blank line between the words: two paragraphs, not one term
        if sense_labels and id(label) in sense_labels:
            lang, key = label.lang, sense_labels[id(label)]
            if not matcher.senses.in_term_sense(lang, key, folded, start, end):
                continue  # "minor changes": the word in its everyday sense
        newlines = text.count("\n", cursor, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", cursor, start) + 1
        cursor = start
        band = label.band
        legal = False
        if label.legal_context_only:
            legal = matcher.legal.in_legal_context(plain, folded, start, end, label.lang)
            band = _CAUTION if legal else label.band
        written = text[start:end]
        if marks and not shown.isprintable() and _SKIP in folded[start:end]:
            # a word joined across a line end: "pornog-\nraphy" is shown as "pornography"
            shown = "".join(c for c, f in zip(shown, folded[start:end], strict=True) if f != _SKIP)
        if not shown.isprintable() or "  " in shown or _UNTIDY.search(shown):
            shown = " ".join(shown.translate(_TIDY).split())
        if ambiguous and id(label) in ambiguous:
            label = matcher.disambiguate(label, shown)
        cached = cache.get((id(label), shown, band, legal))
        use_instead, message = cached if cached else details(label, shown, band, legal)
        # positional arguments: this loop runs once per finding
        findings.append(
            Finding(
                start,
                end,
                line,
                start - line_start + 1,
                written,
                band,
                label.legal_context_only,
                legal,
                use_instead,
                label.concept,
                label.text,
                label.lang,
                message,
            )
        )
    if findings and "\r" in text and _LONE_CR.search(text):
        _recount_lines(text, findings)
    return findings


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, *, where: str | None = None) -> str:
    r"""The text of a file to check: UTF-8 (a BOM is dropped), or UTF-16 with a BOM.

    Anything else is an :class:`InputError` naming the line and column of the first bad byte.

    >>> decode_text(b"ok\r\nr\xc3\xa9sum\xc3\xa9")
    'ok\r\nrésumé'
    >>> decode_text(b"ok\nr\xe9sum\xe9", where="notes.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: notes.txt: not UTF-8 text: line 2, column 2 (byte 4: ...
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode(encoding, errors="replace")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        name = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise InputError(
            f"not {name} text: line {line}, column {column} "
            f"(byte {exc.start}: 0x{data[exc.start]:02x}); save the file as UTF-8",
            where=where,
        ) from None


def avoided_terms_in(text: str, *, lang: str | None) -> list[Finding]:
    """Only the findings to avoid (for the free-text warning of submission validation).

    >>> [f.label for f in avoided_terms_in("A report on child sex tourism.", lang="en")]
    ['child sex tourism']
    """
    return [f for f in check_text(text, lang=lang) if f.band == _AVOID]
