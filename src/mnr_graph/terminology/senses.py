"""Word senses.

A term that is also an everyday word in another sense is reported only where the text uses it in the
vocabulary's sense.

"minor" is a term to use with care for a child ("a minor was contacted online"), and an ordinary
adjective elsewhere ("minor changes", "a minor role"); French "mineur" is also a coal miner ("les
mineurs de fond") and an adjective after its noun ("un rôle mineur"). The rules are the rows of
``ontology/term-sense-cues.csv`` (``lang,label,where,cue,sense``), for a label of that language;
``sense`` is ``term`` (the vocabulary's sense: reported) or ``other`` (not reported). They are
tried in this order, the first that holds deciding:

1. ``phrase``: the match is inside this phrase ("asia minor", "mineurs de fond", "children and
   young people": the everyday pairing that names no child as anything but a child);
2. ``form``: the term is written in this form ("minors": always the noun);
3. ``before``: this is the word right before the term ("very minor", "un mineur"; "l'" counts as
   "l");
4. ``after``: this is the word right after the term ("a minor who", "the minor's" as ``'s``); an
   empty cue means no word follows in the sentence (punctuation or the end: "with a minor.");
5. ``after-ending``: the word right after the term ends so, and has at least three letters more
   ("a minor groomed online": a past participle);
6. ``default``: the sense when no other rule holds.

Cues are folded as the text is (no case, no accents).

>>> from mnr_graph.terminology.folding import fold
>>> rules = SenseRules.load(fold)
>>> def sense(text: str, term: str = "minor") -> bool:
...     start = fold(text).index(term)
...     return rules.in_term_sense("en", "minor", fold(text), start, start + len(term))
>>> sense("The paper made minor changes to its style guide.")
False
>>> sense("He contacted a minor online.")
True
>>> sense("Two minors were named in the report.", "minors")
True
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field

from mnr_graph.core import resources

__all__ = ["WHERE", "SenseRules"]

#: The kinds of rule of ``ontology/term-sense-cues.csv`` (its ``where`` column), in the order
#: they are tried.
WHERE = ("phrase", "form", "before", "after", "after-ending", "default")
_SENSES = ("term", "other")
_NO_WORD = ""  # the ``after`` cue for punctuation or the end of the text


@dataclass(slots=True)
class _Rules:
    phrases: list[str] = field(default_factory=list)
    forms: dict[str, bool] = field(default_factory=dict)
    before: dict[str, bool] = field(default_factory=dict)
    after: dict[str, bool] = field(default_factory=dict)
    after_endings: list[tuple[str, bool]] = field(default_factory=list)
    default: bool = True


class SenseRules:
    """The rules of every ambiguous label, by ``(language, folded label)``."""

    def __init__(self, rows: list[dict[str, str]], fold: Callable[[str], str]) -> None:
        self.rules: dict[tuple[str, str], _Rules] = {}
        for row in rows:
            where, sense = row["where"].strip(), row["sense"].strip()
            if where not in WHERE or sense not in _SENSES:
                raise ValueError(f"term-sense-cues.csv: bad row {row}")
            lang = row["lang"].strip().split("-")[0].lower()
            label = " ".join(fold(row["label"]).split())
            cue = " ".join(fold(row["cue"] or "").split())
            rules = self.rules.setdefault((lang, label), _Rules())
            is_term = sense == "term"
            if where == "phrase":
                rules.phrases.append(cue)
            elif where == "form":
                rules.forms[cue] = is_term
            elif where == "before":
                rules.before[cue] = is_term
            elif where == "after":
                rules.after[cue] = is_term
            elif where == "after-ending":
                rules.after_endings.append((cue, is_term))
            else:
                rules.default = is_term

    @classmethod
    def load(cls, fold: Callable[[str], str]) -> SenseRules:
        """The rules of ``ontology/term-sense-cues.csv``, folded with the checker's ``fold``."""
        with resources.path("ontology", "term-sense-cues.csv").open(encoding="utf-8") as f:
            return cls(list(csv.DictReader(f)), fold)

    def covers(self, lang: str, label: str) -> bool:
        """Whether a label (folded text) of a language has rules."""
        return (lang.split("-")[0].lower(), label) in self.rules

    def in_term_sense(self, lang: str, label: str, folded: str, start: int, end: int) -> bool:
        """Whether ``folded[start:end]``, a match of ``label``, is used in the vocabulary's sense.

        ``label`` is folded too. True for a label without rules.
        """
        rules = self.rules.get((lang.split("-")[0].lower(), label))
        if rules is None:
            return True
        form = folded[start:end]
        for phrase in rules.phrases:
            offset = phrase.find(form)  # the form as written in the phrase ("young people")
            at = start - offset
            if offset >= 0 and at >= 0 and folded.startswith(phrase, at):
                return False
        if form in rules.forms:
            return rules.forms[form]
        before = _word_before(folded, start)
        if before is not None and before in rules.before:
            return rules.before[before]
        after = _word_after(folded, end)
        if after in rules.after:
            return rules.after[after]
        for ending, is_term in rules.after_endings:
            if after.endswith(ending) and len(after) >= len(ending) + 3:
                return is_term
        return rules.default


def _word_before(folded: str, pos: int) -> str | None:
    """The word right before ``pos`` with only spaces (or an elided "l'", "d'") between.

    None after punctuation or at the start.
    """
    i = pos
    while i and folded[i - 1] == " ":
        i -= 1
    if i and folded[i - 1] == "'":
        i -= 1
    end = i
    while i and folded[i - 1].isalnum():
        i -= 1
    return folded[i:end] if i < end else None


def _word_after(folded: str, pos: int) -> str:
    """The word right after ``pos`` (``'s`` for a possessive).

    ``""`` before punctuation or at the end.
    """
    size = len(folded)
    i = pos
    if folded.startswith("'s", i) and (i + 2 == size or not folded[i + 2].isalnum()):
        return "'s"
    while i < size and folded[i] == " ":
        i += 1
    end = i
    while end < size and folded[end].isalnum():
        end += 1
    return folded[i:end]
