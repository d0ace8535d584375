"""The vocabulary's model: labels, concepts, sources and groups, and the answer to a look-up.

Plain data classes, filled by :mod:`mnr_graph.terminology.loader` from the shipped Turtle and
indexed by :class:`~mnr_graph.terminology.vocabulary.Vocabulary`.

>>> Source("s", "Why language matters", "NSPCC Learning", "2025-08-28").short()
'NSPCC Learning (2025)'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mnr_graph.core.language import pick

if TYPE_CHECKING:
    from mnr_graph.terminology.vocabulary import Vocabulary

__all__ = [
    "BAND_AVOID",
    "BAND_CAUTION",
    "BAND_USE",
    "KIND_RANK",
    "Concept",
    "Group",
    "LookupResult",
    "Match",
    "Source",
    "TermLabel",
    "shorten",
]

#: The usage bands' ``skos:notation`` values (the JSON values of ``band``); a test checks that
#: each is the notation of a band concept in the shipped vocabulary.
BAND_USE = "use"
BAND_CAUTION = "caution"
BAND_AVOID = "avoid"
#: The kinds of SKOS-XL label, in the order look-up and listing rank them.
KIND_RANK = {"pref": 0, "alt": 1, "hidden": 2}


def shorten(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut short with an ellipsis when long.

    >>> shorten("child prostitute"), shorten("x" * 80, 8)
    ("'child prostitute'", "'xxxxxxx\u2026'")
    """
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


@dataclass(frozen=True, slots=True)
class TermLabel:
    """One SKOS-XL label of a concept, with its own usage data."""

    iri: str
    text: str
    lang: str
    kind: str  # "pref", "alt" or "hidden"
    band: str  # the band's skos:notation: "use", "caution" or "avoid"
    legal_context_only: bool
    use_instead: tuple[str, ...]
    is_acronym: bool
    concept: str
    #: The IRI of the label's review status (``mnrid:review-secondary-source`` ...): its own
    #: ``mnr:reviewStatus`` (``ontology/review.ttl``), else its concept's.
    review_status: str | None = None
    #: Labels (IRIs) of the use-instead concepts to suggest too, each in its own language.
    use_instead_labels: tuple[str, ...] = ()
    #: The IRIs of the sources the review status rests on (``mnr:reviewSource``): the label's
    #: own, else its concept's; empty when the status is "unchecked".
    review_sources: tuple[str, ...] = ()


@dataclass(slots=True)
class Concept:
    """A terminology concept with its labels and documentation."""

    iri: str
    pref_labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    scope_notes: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    review_status: str | None = None
    review_sources: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    labels: list[TermLabel] = field(default_factory=list)

    def preferred(self, lang: str | None = None) -> str:
        """The preferred label in ``lang`` (English, then any, when it has none)."""
        return pick(self.pref_labels, lang) or self.iri

    def definition(self, lang: str | None = None) -> str | None:
        """The definition in ``lang``, falling back to English."""
        return pick(self.definitions, lang)


@dataclass(frozen=True, slots=True)
class Source:
    """A source the vocabulary cites: its title, publisher, date and address where known."""

    iri: str
    title: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    #: For a page of an edition of the guidelines: the edition's source and the page.
    part_of: str | None = None
    pages: str | None = None

    def short(self) -> str:
        """A short name for messages: publisher and date, else the title.

        >>> Source("s", "Why language matters", "NSPCC Learning", "2025-08-28").short()
        'NSPCC Learning (2025)'
        """
        if self.publisher:
            year = f" ({self.date[:4]})" if self.date else ""
            return f"{self.publisher}{year}"
        return self.title

    def to_json(self) -> dict[str, str | None]:
        """``{"iri", "title", "publisher", "date", "url"}`` (and the page, for a page)."""
        out = {
            "iri": self.iri,
            "title": self.title,
            "publisher": self.publisher,
            "date": self.date,
            "url": self.url,
        }
        if self.pages:
            out["part_of"] = self.part_of
            out["pages"] = self.pages
        return out


@dataclass(slots=True)
class Group:
    """A ``skos:Collection`` of concepts (a subject group such as prostitution)."""

    iri: str
    slug: str
    labels: dict[str, str]
    members: tuple[str, ...]

    def label(self, lang: str | None = None) -> str:
        """The group's label in ``lang`` (English when it has none)."""
        return pick(self.labels, lang) or self.slug


@dataclass(frozen=True, slots=True)
class Match:
    """A label that matched a look-up, with the language the answer is wanted in."""

    label: TermLabel
    vocabulary: Vocabulary
    lang: str | None

    def to_json(self) -> dict[str, Any]:
        """The match as the look-up JSON describes it."""
        return self.vocabulary.describe(self.label, lang=self.lang)


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The answer to a look-up: ranked matches, or suggestions when nothing matched."""

    query: str
    lang: str | None
    matches: tuple[Match, ...]
    suggestions: tuple[dict[str, Any], ...]

    def __bool__(self) -> bool:
        return bool(self.matches)

    def to_text(self) -> str:
        """A short human-readable answer: each match, or the suggestions."""
        if not self.matches:
            lines = [f"no term matches {shorten(self.query)}"]
            if self.suggestions:
                names = ", ".join(f"{s['label']} ({s['lang']})" for s in self.suggestions)
                lines.append(f"did you mean: {names}")
            return "\n".join(lines)
        blocks = []
        for match in self.matches:
            m = match.to_json()
            legal = ", legal context only" if m["legal_context_only"] else ""
            lines = [f"{m['label']} ({m['lang']}): {m['band']}{legal}"]
            lines.append(f"  concept:     {m['preferred']} <{m['concept']}>")
            if m["use_instead"]:
                lines.append("  use instead: " + "; ".join(u["label"] for u in m["use_instead"]))
            if m["definition"]:
                lines.append(f"  definition:  {m['definition']}")
            lines.append("  sources:     " + ", ".join(m["sources"]))
            review = m["review"]
            lines.append(f"  review:      {review['status_label']} ({review['status']})")
            for source in review["sources"]:
                where = f" <{source['url']}>" if source["url"] else ""
                by = f"{source['publisher']}: " if source["publisher"] else ""
                lines.append(f"    - {by}{source['title']}{where}")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def to_json(self) -> dict[str, Any]:
        """``{"query", "lang", "matches": [...], "suggestions": [...]}``."""
        return {
            "query": self.query,
            "lang": self.lang,
            "matches": [m.to_json() for m in self.matches],
            "suggestions": list(self.suggestions),
        }
