r"""The text checker: find avoided and cautioned terms in plain text, Markdown or HTML.

How it works, so that offsets stay exact and it stays fast:

1. Markup is blanked out with spaces of the same length (:mod:`mnr_graph.terminology.markup`), so
   every position still points into the input.
2. A folded copy is made with ``str.translate`` and a 1:1 character table (lower case, no
   accents; hyphens, line breaks and Markdown marks ``*_~`#>`` become spaces): same length, same
   offsets. A hyphen at a line end is skipped where the word's halves make a word of a term
   ("pornog-\nraphy").
3. Runs of spaces a term could span (not those after a sentence's end) become one space for
   matching; a short list of those runs maps positions back (2 and 3:
   :mod:`mnr_graph.terminology.folding`).
4. One Aho-Corasick automaton (:mod:`mnr_graph.terminology.automaton`) holds every label and its
   singular/plural forms and finds the leftmost-longest matches at word boundaries, so "child
   sexual abuse material" is one match and never reported for a shorter term inside it. Labels of
   the "use" band take part in matching (only those that can overlap a reported term, which gives
   the same result faster) but are not reported (:mod:`mnr_graph.terminology.matcher`).
5. A term that is also an everyday word is reported only in its sense ("a minor who", not "minor
   changes": :mod:`mnr_graph.terminology.senses`).

A term marked "legal context only" is a caution where its sentence names a law, an article or
section, a convention or a formal charge (:mod:`mnr_graph.terminology.legal`); elsewhere it keeps
its own band (usually avoid). A message names the basis of the band unless that is the
guidelines' own text (:mod:`mnr_graph.terminology.findings`).

>>> findings = check_text("Reports of child-sex tourism rose.")
>>> [(f.text, f.band, f.line, f.column) for f in findings]
[('child-sex tourism', 'avoid', 1, 12)]
>>> check_text("Reports of sexual exploitation of children in travel rose.")
[]
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left, bisect_right

from mnr_graph.core.errors import InputError
from mnr_graph.terminology.findings import Finding
from mnr_graph.terminology.folding import collapse, fold, join_broken_words, tidy
from mnr_graph.terminology.markup import SKIP, blank_markup
from mnr_graph.terminology.matcher import matcher_for
from mnr_graph.terminology.model import BAND_AVOID, BAND_CAUTION
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

__all__ = ["Finding", "avoided_terms_in", "check_text", "decode_text"]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")

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
    folded = join_broken_words(plain, fold(plain), matcher.words, matcher.word_starts)
    collapsed, marks, removed = collapse(folded)
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
        if end < size and plain[end] == SKIP and text[end] != SKIP:
            # the term ends with an entity (prostitu&eacute;): the finding covers all of it
            while end < size and plain[end] == SKIP and text[end] != SKIP:
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
            band = BAND_CAUTION if legal else label.band
        written = text[start:end]
        if marks and not shown.isprintable() and SKIP in folded[start:end]:
            # a word joined across a line end: "pornog-\nraphy" is shown as "pornography"
            shown = "".join(c for c, f in zip(shown, folded[start:end], strict=True) if f != SKIP)
        shown = tidy(shown)
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
    return [f for f in check_text(text, lang=lang) if f.band == BAND_AVOID]
