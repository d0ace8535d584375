r"""Folding a text for matching, with every offset kept.

1. A folded copy is made with ``str.translate`` and a 1:1 character table (lower case, no
   accents; hyphens, line breaks and Markdown marks ``*_~`#>`` become spaces): same length, same
   offsets. A hyphen at a line end is skipped where the word's halves make a word of a term
   ("pornog-\nraphy").
2. Runs of spaces a term could span (not those after a sentence's end) become one space for
   matching; a short list of those runs maps positions back.

Markup is blanked out before (:mod:`mnr_graph.terminology.markup`), with spaces of the same
length, and soft hyphens and zero-width joiners become the skipped character ``SKIP``.

>>> fold("Child-Sex\nTourism, PÉDO")
'child sex tourism, pedo'
>>> collapse("child  sex. Tourism")
('child sex. Tourism', [5], [0, 1])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from mnr_graph.core.text import strip_accents
from mnr_graph.terminology.markup import SKIP, SKIPPED

__all__ = [
    "MARKDOWN_MARKS",
    "collapse",
    "fold",
    "join_broken_words",
    "pattern",
    "tidy",
]

# Markdown emphasis, code, heading and quote marks are spaces to the matcher.
MARKDOWN_MARKS = "*_~`#>"


def _fold_char(ch: str) -> str:
    if ch in SKIPPED:
        return SKIP
    if ch.isspace() or unicodedata.category(ch) == "Pd" or ch in MARKDOWN_MARKS or ch == "\u200b":
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
    r"""A same-length copy for matching: lower case, no accents, hyphens and breaks as spaces.

    Soft hyphens and zero-width joiners all become a soft hyphen, which matching skips.

    >>> fold("Child-Sex\nTourism, PÉDO")
    'child sex tourism, pedo'
    """
    return text.translate(_FOLD)


def pattern(text: str) -> str:
    """The folded form of a label as the matcher holds it: one space between words.

    >>> pattern(" Child-Sex  Tourism")
    'child sex tourism'
    """
    return _RUN.sub(" ", fold(text)).strip()


#: A hyphen (or soft hyphen) at the end of a line, with the spaces around the line break: the
#: ASCII hyphen pattern starts with a literal, which the regular expression engine finds fast.
_LINE_END_HYPHENS = (
    re.compile(r"-[ \t]*(?:\r\n?|\n)[ \t]*"),
    re.compile(f"{SKIP}[ \t]*(?:\r\n?|\n)[ \t]*"),
)
_LETTERS = re.compile(r"[^\W\d_]+")


def join_broken_words(
    plain: str, folded: str, words: Collection[str], word_starts: Collection[str]
) -> str:
    r"""``folded`` with hyphens at line ends made skipped characters where they break a word.

    Each hyphen at a line end (and the line break and spaces around it) is made skipped
    characters where the word's two halves make a word of a term, or the start of one broken
    again ("pornog-\nraphy", "pédo-\nporno-\ngraphie"); a hyphen elsewhere stays a space, so
    "child-\nsex tourism" is still "child sex tourism". Same length, same offsets.

    ``words``: the words of the terms; ``word_starts``: their beginnings (of two letters or more).

    >>> words = {"child", "pornography", "sex", "tourism"}
    >>> starts = {w[:i] for w in words for i in range(2, len(w))}
    >>> text = "child pornog-\n  raphy, child-\nsex tourism"
    >>> join_broken_words(text, fold(text), words, starts).replace(SKIP, "_")
    'child pornog____raphy, child sex tourism'
    """
    joins: list[tuple[int, int]] = []
    for pattern in _LINE_END_HYPHENS:
        if pattern is not _LINE_END_HYPHENS[0] and SKIP not in plain:
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
            if word in words or (word in word_starts and pattern.match(plain, right.end())):
                joins.append((start, end))
                carried, carried_at = left, end
    if not joins:
        return folded
    pieces, last = [], 0
    for start, end in sorted(joins):
        pieces += [folded[last:start], SKIP * (end - start)]
        last = end
    pieces.append(folded[last:])
    return "".join(pieces)


_AFTER_SENTENCE = frozenset(".!?:;")


def collapse(folded: str) -> tuple[str, list[int], list[int]]:
    """Runs of spaces made single where a term could span them, and how to map positions back.

    Returns the collapsed text, the position of each collapsed run's single space in it, and the
    number of characters removed before each run (``removed[k]`` before run ``k``). Runs after the
    end of a sentence stay as they are: no term spans them, and most runs are there.
    """
    if SKIP in folded:
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


_SQUEEZE = re.compile(f"[ {SKIP}]*{SKIP}[ {SKIP}]*|  +")


def _squeeze(folded: str) -> tuple[str, list[int], list[int]]:
    """:func:`collapse` for a text with skipped characters.

    Those are removed (a run of them with spaces becomes one space), so "por\u00adnography"
    matches as one word.

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


#: What a message shows of a term: no Markdown marks, skipped characters or runs of white
#: space (see :func:`tidy`).
_TIDY = {ord(c): " " for c in MARKDOWN_MARKS + "\u200b"} | {ord(c): None for c in SKIPPED}
_UNTIDY = re.compile(f"[{re.escape(MARKDOWN_MARKS)}]")


def tidy(shown: str) -> str:
    r"""A matched text as a message shows it.

    No Markdown marks, skipped characters or runs of white space.

    >>> tidy("child  *sex*\ntourism")
    'child sex tourism'
    """
    if not shown.isprintable() or "  " in shown or _UNTIDY.search(shown):
        return " ".join(shown.translate(_TIDY).split())
    return shown
