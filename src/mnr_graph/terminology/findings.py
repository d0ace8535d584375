"""A finding of the text checker, and the message it gives.

A message says what the term is (to avoid, for legal contexts only, needing care), what to use
instead, and the basis of its band unless that is the guidelines' own text.

>>> from mnr_graph.terminology.vocabulary import load_vocabulary
>>> vocabulary = load_vocabulary()
>>> (label,) = [lab for lab in vocabulary.labels if lab.text == "kiddie porn"]
>>> print(message("kiddie porn", label, label.band, False, ["child sexual abuse material"],
...               basis(vocabulary, label)))  # doctest: +NORMALIZE_WHITESPACE
"kiddie porn" is a term to avoid; use "child sexual abuse material" instead.
Basis: secondary source (HoldTheFrontPage (2016)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mnr_graph.core.namespaces import MNRID
from mnr_graph.terminology.model import BAND_AVOID, TermLabel

if TYPE_CHECKING:
    from mnr_graph.terminology.vocabulary import Vocabulary

__all__ = ["PRIMARY_TEXT", "Finding", "basis", "message"]


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


def _quoted(items: list[str]) -> str:
    return " or ".join(f'"{item}"' for item in items)


def message(
    written: str, label: TermLabel, band: str, legal: bool, alts: list[str], basis: str
) -> str:
    """The message of a finding of ``label`` written as ``written``, in ``band``.

    ``legal``: in a sentence that names a law. The message gives the alternatives and the basis
    of the band.
    """
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
    elif band == BAND_AVOID:
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


def basis(vocabulary: Vocabulary, label: TermLabel) -> str:
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
