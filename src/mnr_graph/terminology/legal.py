"""Legal context.

Whether the sentence around a term names a law, an article or section, a convention, or a formal
charge.

A term marked "legal context only" (``child pornography``, ``child prostitution``) is a caution,
not a term to avoid, where it names the offence in law: "charged with possession of child
pornography under section 160", "the Child Pornography Prevention Act", "Article 2(c) of the
Optional Protocol". Words about courts and policing alone (court, judge, trial, prosecutors,
police, jailed, sentenced, illegal) do not make a descriptive use legal: "He was sentenced after
police found child pornography on his phone" stays a term to avoid.

The cues are the rows of ``ontology/legal-context-cues.csv`` (``lang,cue,context``) and the names
of the vocabulary's instruments ("OPSC", "Lanzarote Convention": those count in every language).
Each language has its own cues, and a term is judged by the cues of its label's language only:
"fiscal" is a Spanish cue and never counts in English text (the label tells the language of the
sentence it was found in more reliably than a guess from a sentence's few words, and it is free).

The kinds of cue (the ``context`` column):

- empty: a word or phrase that names a law or an instrument type, anywhere in the sentence
  outside the term ("law", "statute", "criminal code", "optional protocol");
- ``title``: a capitalised word that counts only as the title of a law: followed by a number, a
  bracket or a linking word ("Act of 2003", "Bill C-22"), after a determiner ("under the Act"), or
  after a capitalised word that does not start the sentence and not before another capitalised
  word ("the Sexual Offences Act", not "Bill Smith");
- ``citation``: a word that counts only with a number or a bracket after it, in any case
  ("section 160", "Art. 34", "Article 2(c)", "§ 2252");
- ``charge``: words that introduce a formal charge ("charged with", "convicted of", "inculpé
  de", "acusado de"); they count only when the term follows, with nothing between but
  ``charge-word`` rows ("charged with two counts of possessing child pornography"); "…" stands
  for up to four words of any kind ("charged … with": "charged him last week with");
- ``charge-after``: a word right after the term (``charge-word`` rows between) that makes it a
  charge ("faces child pornography charges");
- ``determiner``: the words before a ``title`` that make it a law's name ("the", "la", "el");
- ``title-link``: the words after a ``title`` that make it a citation ("of", "de", "del");
- ``not-a-cue``: a phrase inside which cue words do not count ("law enforcement", "code of
  conduct").

Only the sentence around the term counts: see :func:`sentence_around`.

>>> from mnr_graph.terminology.vocabulary import load_vocabulary
>>> from mnr_graph.terminology.folding import fold
>>> context = LegalContext.for_vocabulary(load_vocabulary(), fold)
>>> def legal(text: str, term: str = "child pornography") -> bool:
...     start = text.index(term)
...     return context.in_legal_context(text, fold(text), start, start + len(term), "en")
>>> legal("He was charged with possession of child pornography under section 160.")
True
>>> legal("He was sentenced after police found child pornography on his phone.")
False
>>> legal("The judge said child pornography fuels demand for abuse.")
False
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mnr_graph.core import resources
from mnr_graph.terminology.automaton import Automaton

if TYPE_CHECKING:
    from mnr_graph.terminology.vocabulary import Vocabulary

__all__ = [
    "CONTEXTS",
    "SENTENCE_END",
    "WINDOW",
    "LegalContext",
    "LegalCues",
    "boundaries",
    "sentence_around",
]

#: The kinds of cue of ``ontology/legal-context-cues.csv`` (its ``context`` column).
_NAME, _TITLE, _CITATION, _CHARGE, _CHARGE_AFTER, _NOT_A_CUE = range(6)
_IN_AUTOMATON = {
    "": _NAME,
    "title": _TITLE,
    "citation": _CITATION,
    "charge": _CHARGE,
    "charge-after": _CHARGE_AFTER,
    "not-a-cue": _NOT_A_CUE,
}
_WORD_LISTS = ("charge-word", "determiner", "title-link")
CONTEXTS = (*_IN_AUTOMATON, *_WORD_LISTS)

#: How far from the term a cue is looked for (a sentence longer than that is cut there).
WINDOW = 600
_WORD = re.compile(r"\w+")
#: What separates the words of a charge from each other and from the term: spaces (line breaks
#: and hyphens are spaces in the folded text), apostrophes ("d'images") and quotation marks.
_GAP = "[\\s'\"\u201c\u201d\u00ab\u00bb\u2039\u203a(]"
#: After a citation word: a number, possibly after up to three letters and a dot or dash
#: ("Article L. 227-23", "Bill C-22"), or an opening bracket ("Article 2(c)").
_NUMBER_AFTER = re.compile(r"\.?[ \t\u00a0]*(?:\(|[a-z]{0,3}[.\u2010\u2011-]?[ \t\u00a0]?\d)")
_APOSTROPHES = "'\u2019\u02bc"
#: In a charge cue, up to four words of any kind ("charged … with": "charged him with").
_ANY_WORDS = "\u2026"


@dataclass(frozen=True, slots=True)
class _Cue:
    kind: int
    length: int
    written: str  # a title as written (case counts), else the folded cue
    #: For a charge written with "…" ("charged … with"): what must follow the first words, after
    #: at most four other words ("charged him with", "charged on Monday with").
    rest: re.Pattern[str] | None = None


class LegalCues:
    """The cues of one language, in one Aho-Corasick automaton over folded text.

    >>> from mnr_graph.terminology.vocabulary import load_vocabulary
    >>> from mnr_graph.terminology.folding import fold
    >>> cues = LegalContext.for_vocabulary(load_vocabulary(), fold).cues["en"]
    >>> text = "Act now to stop it, the campaign said."
    >>> cues.found_in(text, fold(text))
    False
    >>> text = "It breaks the Sexual Offences Act."
    >>> cues.found_in(text, fold(text))
    True
    """

    def __init__(
        self,
        lang: str,
        rows: list[tuple[str, str]],
        instruments: list[str],
        fold: Callable[[str], str],
    ) -> None:
        self.lang = lang
        words: dict[str, set[str]] = {kind: set() for kind in _WORD_LISTS}
        keyed: dict[str, list[_Cue]] = {}
        for cue, context in [(name, "") for name in instruments] + rows:
            if context in _WORD_LISTS:
                words[context].update(_WORD.findall(fold(cue)))
                continue
            first, _, after = fold(cue).partition(_ANY_WORDS)
            folded = " ".join(first.split())
            rest = None
            if after.strip():
                tail = r"\s+".join(map(re.escape, after.split()))
                rest = re.compile(rf"(?:\s+[\w'\u2019-]+){{0,4}}?\s+{tail}\b")
            if folded:
                cues = keyed.setdefault(folded, [])
                cues.append(_Cue(_IN_AUTOMATON[context], len(folded), cue, rest))
        self.automaton = Automaton(list(keyed))
        self.cues = [tuple(cues) for cues in keyed.values()]
        self.determiners = frozenset(words["determiner"])
        links = "|".join(sorted(words["title-link"], key=len, reverse=True))
        #: What makes a title a citation: a number or bracket after it, or a linking word
        #: ("Act of 2003", "Bill C-22", "Article 2(c)").
        self.title_citation = re.compile(
            r"\.?[ \t\u00a0]*(?:\(|[A-Z]{0,3}[.\u2010\u2011-]?[ \t\u00a0]?\d"
            + (rf"|(?:{links})\b" if links else "")
            + ")"
        )
        between = "|".join(sorted(words["charge-word"], key=len, reverse=True))
        word = rf"(?:{between}|\d+)\b" if between else r"\d+\b"
        #: What may stand between a charge and the term (or the term and a charge after it):
        #: only charge words ("two counts of possessing"), at most eight.
        self.charge_gap = re.compile(rf"{_GAP}*(?:{word}{_GAP}+){{0,8}}")

    def hits(self, folded: str, pos: int, endpos: int) -> list[tuple[int, int, _Cue]]:
        """The cues in ``folded[pos:endpos]`` at word boundaries: ``(start, end, cue)``."""
        window = folded[pos:endpos]
        size = len(window)
        out: list[tuple[int, int, _Cue]] = []
        cues = self.cues
        for index, first, last in self.automaton.find(window):
            if first and window[first - 1].isalnum() and window[first].isalnum():
                continue  # inside a word: "act" in "fact"
            if last < size and window[last].isalnum() and window[last - 1].isalnum():
                continue
            for cue in cues[index]:
                out.append((pos + first, pos + last, cue))
        return out

    def found_in(self, sentence: str, folded: str, start: int = 0, end: int = 0) -> bool:
        """Whether ``sentence`` names a law, an article, a convention or a charge.

        ``folded`` is its folded copy, beside it; only what is outside ``sentence[start:end]``,
        the term being judged, counts.
        """
        return self.judge(sentence, folded, start, end, 0, len(sentence))

    def judge(self, plain: str, folded: str, start: int, end: int, begin: int, stop: int) -> bool:
        """Whether a cue in the sentence ``plain[begin:stop]`` makes the term a legal use.

        ``folded`` is its folded copy, beside it; the term is ``plain[start:end]``.
        """
        found = self.hits(folded, begin, stop)
        if not found:
            return False
        excluded = [(s, e) for s, e, cue in found if cue.kind == _NOT_A_CUE]
        for s, e, cue in found:
            if (s < end and e > start) or cue.kind == _NOT_A_CUE:
                continue
            if excluded and any(xs <= s and e <= xe for xs, xe in excluded):
                continue
            if self._counts(plain, folded, s, e, cue, start, end) and (
                cue.kind != _TITLE or self._title(plain, s, e, begin)
            ):
                return True
        return False

    def _counts(
        self, plain: str, folded: str, s: int, e: int, cue: _Cue, start: int, end: int
    ) -> bool:
        """Whether a cue counts where it is (a title then needs :meth:`_title` too)."""
        kind = cue.kind
        if kind == _NAME:
            return True
        if kind == _CITATION:
            return _NUMBER_AFTER.match(folded, e) is not None
        if kind == _CHARGE:
            if cue.rest is not None:  # "charged … with": the words up to "with" first
                rest = cue.rest.match(folded, e, start)
                if rest is None:
                    return False
                e = rest.end()
            gap = self.charge_gap.match(folded, e, start)
            return e <= start and gap is not None and gap.end() == start
        if kind == _CHARGE_AFTER:
            gap = self.charge_gap.match(folded, end, s)
            return end <= s and gap is not None and gap.end() == s
        return kind == _TITLE and plain[s:e] == cue.written  # "act", "code" in lower case: none

    def _title(self, plain: str, s: int, e: int, begin: int) -> bool:
        """Whether the capitalised word ``plain[s:e]`` is a law's title in its sentence."""
        if self.title_citation.match(plain, e):
            return True  # "Act of 2003", "Bill C-22"
        before = _words_before(plain, s, begin, 3)
        if (
            before
            and before[-1][1] == "s"
            and plain[before[-1][0] - 1 : before[-1][0]] in (_APOSTROPHES)
        ):
            before.pop()  # a possessive: "the Children's Act"
        if not before:
            return False  # the first word of the sentence: "Act now", "Bill Smith wrote"
        word = before[-1][1]
        if word.lower() in self.determiners:
            return True  # "under the Act", "The Act requires"
        following = _WORD.search(plain, e, min(len(plain), e + 40))
        next_capital = following is not None and following.group()[:1].isupper()
        # "the Sexual Offences Act", "the Criminal Code", not "Bill Smith"
        return len(before) > 1 and word[:1].isupper() and not next_capital


_LAST_WORDS = re.compile(r"\w+")


def _words_before(text: str, pos: int, begin: int, count: int) -> list[tuple[int, str]]:
    """The last ``count`` words before ``pos`` and not before ``begin``, with their starts."""
    low = max(begin, pos - 24 * count)
    words = [(m.start(), m.group()) for m in _LAST_WORDS.finditer(text, low, pos)]
    if low > begin and words and words[0][0] == low:
        words.pop(0)  # maybe the end of a longer word
    return words[-count:]


class LegalContext:
    """The legal-context cues of every language of a vocabulary."""

    def __init__(self, cues: dict[str, LegalCues], shared: LegalCues) -> None:
        self.cues = cues
        self.shared = shared  # only the instruments: for a language without cues of its own

    @classmethod
    def for_vocabulary(cls, vocabulary: Vocabulary, fold: Callable[[str], str]) -> LegalContext:
        """The cues of ``ontology/legal-context-cues.csv`` and the instruments' names, folded.

        They are folded with ``fold``, the checker's folding of the text.
        """
        rows: dict[str, list[tuple[str, str]]] = {}
        with resources.path("ontology", "legal-context-cues.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                cue, context = row["cue"].strip(), (row.get("context") or "").strip()
                if context not in CONTEXTS:
                    raise ValueError(f"legal-context-cues.csv: unknown context {context!r} ({cue})")
                rows.setdefault(row["lang"].split("-")[0].lower(), []).append((cue, context))
        instruments = vocabulary.instruments.values()
        names = sorted({name for instrument in instruments for name in instrument["labels"]})
        cues = {lang: LegalCues(lang, lang_rows, names, fold) for lang, lang_rows in rows.items()}
        return cls(cues, LegalCues("", [], names, fold))

    def for_lang(self, lang: str) -> LegalCues:
        """The cues of a language (by its primary subtag).

        Only the instruments' names when the file has none for it.
        """
        return self.cues.get(lang.split("-")[0].lower(), self.shared)

    def in_legal_context(self, plain: str, folded: str, start: int, end: int, lang: str) -> bool:
        """Whether the term ``plain[start:end]``, in ``lang``, is used in a legal context."""
        begin, stop = sentence_around(plain, start, end)
        return self.for_lang(lang).judge(plain, folded, start, end, begin, stop)


# --- sentences -----------------------------------------------------------------------------------


_LINE_BREAK_RE = r"(?:\r\n?|\n)"
#: Where a sentence ends for the legal-context test: a full stop before a capital, a blank line,
#: a block element or table cell (``|``: blank_markup marks block tags so), or a line break
#: before a list item, a heading or a table row (Markdown and plain text).
SENTENCE_END = re.compile(
    r"[.!?]+[\"'\u201d\u2019)\]]*\s+(?=[A-Z\"\u201c\u2018(\[]|$)"
    rf"|{_LINE_BREAK_RE}[ \t]*{_LINE_BREAK_RE}"
    r"|\|"
    rf"|{_LINE_BREAK_RE}(?=[ \t]*(?:[-*+\u2022]|\d{{1,9}}[.)])[ \t])"
    rf"|{_LINE_BREAK_RE}(?=[ \t]{{0,3}}#{{1,6}}(?:[ \t\r\n]|$))"
    rf"|{_LINE_BREAK_RE}(?=[^\r\n]*\|)"
    rf"|(?:(?<=[\r\n])|\A)[ \t]{{0,3}}#{{1,6}}[ \t][^\r\n]*{_LINE_BREAK_RE}"  # a whole heading line
)
_HEADING_LINE = re.compile(r"[ \t]{0,3}#{1,6}[ \t][^\r\n]*")
#: Where a match of ``SENTENCE_END`` can start: tried only there, since trying its alternatives
#: at every character was most of the checker's time on legal-context terms.
_BOUNDARY_START = re.compile(r"[.!?|\r\n]")
_LAST_BOUNDARY_START = re.compile(r".*[.!?|\r\n]", re.DOTALL)


def boundaries(text: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
    r"""The matches of ``SENTENCE_END`` in ``text[pos:endpos]``, as ``finditer`` gives them.

    But they are tried only where one can start: at a stop, a bar or a line break, just after a
    line break (a heading line), and at the start of the text.

    >>> [m.group() for m in boundaries("One. Two\n# Head\nThree", 0, 21)]
    ['. ', '\n', '# Head\n']
    """
    starts = (m.start() for m in _BOUNDARY_START.finditer(text, pos, endpos))
    last = pos
    for candidate in itertools.chain((0,) if pos == 0 else (), starts):
        after_break = text[candidate : candidate + 1] in ("\r", "\n")
        for at in (candidate, candidate + 1) if after_break else (candidate,):
            if at >= last and (match := SENTENCE_END.match(text, at, endpos)):
                yield match
                last = match.end()


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    r"""The sentence around ``text[start:end]`` (at most ``WINDOW`` characters either side).

    From the last sentence end or block boundary before it to the first one after it.

    The last boundary before the term is looked for backwards, from the nearest place where one
    can start, so the cost is that of the sentence, not of the window.

    >>> text = "- The law changed\n- Police seized it"
    >>> begin, stop = sentence_around(text, text.index("seized"), text.index(" it"))
    >>> text[begin:stop]
    '- Police seized it'
    """
    low, high = max(0, start - WINDOW), min(len(text), end + WINDOW)
    begin = None
    pos = start
    while begin is None and pos > low:
        # the last place before ``pos`` where a boundary can start: a greedy match backtracks
        # from ``pos`` to it, in C
        last = _LAST_BOUNDARY_START.match(text, low, pos)
        if last is None:
            break
        candidate = last.end() - 1
        after_break = text[candidate] in "\r\n"
        for at in (candidate + 1, candidate) if after_break else (candidate,):
            if at < start and (found := SENTENCE_END.match(text, at, start)):
                begin = found.end()
                break
        pos = candidate
    if begin is None:
        begin = low
        if low == 0 and (found := SENTENCE_END.match(text, 0, start)):  # a heading line first
            begin = found.end()
    stop = high
    pos = end
    while (next_start := _BOUNDARY_START.search(text, pos, high)) is not None:
        candidate = next_start.start()
        after_break = text[candidate] in "\r\n"
        found = SENTENCE_END.match(text, candidate, high)
        if found is None and after_break:
            found = SENTENCE_END.match(text, candidate + 1, high)
        if found is not None:
            stop = found.start()
            break
        pos = candidate + 1
    line = max(text.rfind("\n", low, start), text.rfind("\r", low, start)) + 1
    if line > 0 or low == 0:
        heading = _HEADING_LINE.match(text, line, high)
        if heading and heading.end() >= end:  # the term is in a heading: it ends the sentence
            stop = min(stop, heading.end())
    return begin, stop
