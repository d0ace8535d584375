"""The terminology vocabulary in memory: term look-up, listing and label variants.

The vocabulary is read once from the shipped Turtle (``ontology/*.ttl``: the SKOS-XL labels of
``term:vocabulary`` with their usage band, legal-context-only marker and alternatives) into plain
dictionaries, so a look-up is a few dictionary accesses and never a SPARQL query.

Look-up ignores case, accents, hyphens, spaces and singular/plural, searches every language, and
ranks like Skosmos: labels in the asked language first, then exact literal matches before
case-insensitive ones before normalised ones, preferred labels before alternative and hidden ones.

>>> vocabulary = load_vocabulary()
>>> result = vocabulary.lookup("Child-Prostitutes")
>>> match = result.matches[0]
>>> (match.label.text, match.label.band)
('child prostitute', 'avoid')
>>> vocabulary.lookup("child prostitue").suggestions[0]["label"]
'child prostitute'
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.core.language import pick
from mnr_graph.core.namespaces import BIBO, DCTERMS, MNR, RDF, RDFS, SKOS, SKOSXL, TERM
from mnr_graph.core.text import fold

__all__ = [
    "BAND_AVOID",
    "BAND_CAUTION",
    "BAND_USE",
    "MAX_TERM_LENGTH",
    "Concept",
    "Group",
    "LookupResult",
    "Match",
    "Source",
    "TermLabel",
    "Vocabulary",
    "label_variants",
    "load_vocabulary",
    "lookup_key",
    "soft_key",
    "terms_to_csv",
    "terms_to_text",
]

#: The usage bands' ``skos:notation`` values (the JSON values of ``band``); a test checks that
#: each is the notation of a band concept in the shipped vocabulary.
BAND_USE = "use"
BAND_CAUTION = "caution"
BAND_AVOID = "avoid"

_RDF_TYPE = str(RDF.type)
_LABEL_KINDS = {
    str(SKOSXL.prefLabel): "pref",
    str(SKOSXL.altLabel): "alt",
    str(SKOSXL.hiddenLabel): "hidden",
}
_KIND_RANK = {"pref": 0, "alt": 1, "hidden": 2}
_NON_WORD = re.compile(r"[\W_]+")
#: Soft hyphens, zero-width joiners, word joiners and byte-order marks: not there for look-up.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"))


def lookup_key(text: str) -> str:
    """The form of a term that look-up compares: no case, accents, hyphens or extra spaces.

    >>> lookup_key("  Pédo-Pornographie ")
    'pedo pornographie'
    >>> lookup_key("pornogra\u00adphie")
    'pornographie'
    """
    return _NON_WORD.sub(" ", fold(text.translate(_INVISIBLE))).strip()


# --- singular and plural variants ----------------------------------------------------------------
# English uses the ``inflect`` library. French and Spanish use simple, documented rules: the words
# of the head phrase (before the first preposition) change number, articles and conjunctions do not.

_FR_STOP = frozenset(
    [
        "de",
        "du",
        "des",
        "d",
        "dans",
        "à",
        "au",
        "aux",
        "en",
        "pour",
        "par",
        "sur",
        "avec",
        "contre",
        "impliquant",
        "qui",
        "que",
    ]
)
_FR_KEEP = frozenset(["et", "ou", "le", "la", "les", "l", "un", "une"])
_ES_STOP = frozenset(
    ["de", "del", "en", "para", "con", "a", "al", "por", "sin", "sobre", "entre", "contra", "que"]
)
_ES_KEEP = frozenset(["y", "e", "o", "u", "el", "la", "los", "las", "un", "una"])


def _fr_plural(word: str) -> str:
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith("al"):
        return word[:-2] + "aux"
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    return word + "s"


def _fr_singular(word: str) -> str:
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"
    if word.endswith("s") and not word.endswith("us") and len(word) > 3:
        return word[:-1]
    return word


def _es_plural(word: str) -> str:
    if word.endswith(("s", "x")):
        return word
    if word.endswith("z"):
        return word[:-1] + "ces"
    if word.endswith("ión"):
        return word[:-3] + "iones"
    if word[-1] in "aeiouáéíóú":
        return word + "s"
    return word + "es"


def _es_singular(word: str) -> str:
    if word.endswith("ces") and len(word) > 4:
        return word[:-3] + "z"
    if word.endswith("iones"):
        return word[:-5] + "ión"
    if word.endswith("es") and len(word) > 4 and word[-3] not in "aeiou":
        return word[:-2]
    if word.endswith("s") and len(word) > 3 and word[-2] in "aeiou":
        return word[:-1]
    return word


def _head_inflect(text: str, stop: frozenset[str], keep: frozenset[str], change: Any) -> str:
    words = text.split(" ")
    out = []
    in_head = True
    for i, word in enumerate(words):
        bare = word.casefold().strip(",;")
        if bare in stop or "'" in word or (i and stop is _FR_STOP and bare.endswith("ant")):
            in_head = False  # a French present participle ("mettant") does not take the plural
        if in_head and bare not in keep and word.isalpha():
            out.append(change(word))
        else:
            out.append(word)
    return " ".join(out)


_BRACKETS = re.compile(r"\(([^()]*)\)")
_A_CHILD = re.compile(r"\b(?:a|one|each|every) child\b")
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019\u02bc]s\b|(?<=s)['\u2019\u02bc](?!\w)", re.IGNORECASE)
_ARTICLE = re.compile(
    r"^(?:(?:the|a|an|le|la|les|un|une|des|el|los|las|una)\s+|l['\u2019])", re.IGNORECASE
)


_SO_CALLED = re.compile(r"^so[\s\-\u2010\u2011]*called\s+", re.IGNORECASE)
_QUOTES = "\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a"


def _bare(text: str) -> str:
    """The term without a leading article or "so-called" and the quotes around it
    ("the so-called ‘child pornography’").

    >>> _bare("the so-called “child pornography”")
    'child pornography'
    """
    bare = text.strip()
    while True:
        stripped = _SO_CALLED.sub("", _ARTICLE.sub("", bare, count=1), count=1)
        stripped = stripped.strip().strip(_QUOTES).strip()
        if stripped == bare or not stripped:
            return bare
        bare = stripped


def _fallback_keys(text: str) -> list[str]:
    """Other keys to try for a term as lists write it (brackets, a leading article or
    "so-called", a possessive: "child prostitute(s)", "child sexual abuse material (CSAM)",
    "so-called child pornography", "the child's")."""
    keys = [lookup_key(_BRACKETS.sub("", text))]
    keys += [lookup_key(inner) for inner in _BRACKETS.findall(text)]
    bare = _bare(text)
    keys += [lookup_key(bare), lookup_key(_POSSESSIVE.sub("", text))]
    keys += [lookup_key(_POSSESSIVE.sub("", bare))]
    # "sale of a child", "images of a child": the labels name children in the plural
    keys += [_A_CHILD.sub("children", key) for key in keys if _A_CHILD.search(key)]
    return [k for k in keys if k]


def soft_key(text: str) -> str:
    """Like :func:`lookup_key` but keeping accents: "pédophile" and "pedophile" differ.

    >>> soft_key("Pédo-Phile ")
    'pédo phile'
    """
    folded = unicodedata.normalize("NFC", text.casefold()).translate(_INVISIBLE)
    return _NON_WORD.sub(" ", folded).strip()


#: The longest text look-up accepts (the longest label is far shorter).
MAX_TERM_LENGTH = 300


@cache
def _inflect_engine() -> Any:
    """The ``inflect`` engine, imported without run-time type checks.

    ``inflect`` decorates its methods with ``typeguard.typechecked``, which re-compiles each of them
    at import and makes the import take seconds. We call it with plain strings only, so it is
    imported with that decorator as a pass-through (about 10 times faster); nothing else changes.
    """
    import sys

    if "inflect" not in sys.modules and importlib.util.find_spec("typeguard") is not None:
        import typeguard

        checked = typeguard.typechecked

        def passthrough(target: Any = None, **_: Any) -> Any:
            return target if target is not None else passthrough

        typeguard.typechecked = passthrough
        try:
            import inflect
        finally:
            typeguard.typechecked = checked
    import inflect

    return inflect.engine()


_EN_STOP = frozenset(
    ["of", "in", "for", "to", "with", "by", "on", "at", "from", "against", "who", "that", "which"]
)


def _en_plurals(text: str) -> set[str]:
    """Plurals of an English phrase by its head noun: the last word before the first preposition
    or past participle ("children exploited in prostitution", "paedos"), and ``inflect``'s plural
    of the phrase where it changes that same word (not "child exploiteds in prostitution")."""
    words = text.split(" ")
    n = len(words)
    end = n
    for i in range(1, n):
        bare = words[i].casefold()
        if bare in _EN_STOP:
            end = i
            break
        if bare.endswith("ed") and i + 1 < n and words[i + 1].casefold() in _EN_STOP:
            end = i
            break
    head = words[end - 1]
    engine = _inflect_engine()
    out: set[str] = set()
    whole = engine.plural_noun(text)
    pairs = zip(words, str(whole).split(" "), strict=False)
    changed = [i for i, (a, b) in enumerate(pairs) if a != b]
    if isinstance(whole, str) and whole and changed[:1] == [end - 1]:
        out.add(whole)
    if head.isalpha() and not head.isupper():
        forms = {str(engine.plural_noun(head))}
        if head.endswith("o"):
            forms.add(head + "s")  # "paedos" beside inflect's "paedoes"
        out.update(" ".join([*words[: end - 1], f, *words[end:]]) for f in forms if f)
    return out or ({whole} if isinstance(whole, str) and whole else set())


_EN_ISE = re.compile(r"(\w{3})is(e|ed|es|ing|ation|ations)\b")
_EN_IZE = re.compile(r"(\w{3})iz(e|ed|es|ing|ation|ations)\b")
_EN_LL = re.compile(r"\b(travel|model|label)l(ing|ed|er|ers)\b")


def label_variants(text: str, lang: str, *, is_acronym: bool = False) -> frozenset[str]:
    """The label and its singular and plural forms (English by ``inflect``, fr/es by rules).

    English labels also get their other spelling (-ise/-ize, travelling/traveling).

    >>> sorted(label_variants("child prostitute", "en"))
    ['child prostitute', 'child prostitutes']
    >>> sorted(label_variants("prostitution enfantine", "fr"))
    ['prostitution enfantine', 'prostitutions enfantines']
    >>> sorted(label_variants("CSAM", "en", is_acronym=True))
    ['CSAM', 'CSAMs']
    >>> sorted(label_variants("sexualised image", "en"))
    ['sexualised image', 'sexualised images', 'sexualized image', 'sexualized images']
    """
    variants = {text}
    primary = lang.split("-")[0].casefold()
    if is_acronym or (text.isupper() and " " not in text):
        variants.add(text + "s")
    elif primary == "en":
        engine = _inflect_engine()
        singular = engine.singular_noun(text)
        if isinstance(singular, str) and singular != text:
            variants.add(singular)
        else:
            variants.update(_en_plurals(text))
        # British and American spellings: -ise/-ize, -isation/-ization, travelling/traveling
        for variant in list(variants):
            variants.add(_EN_ISE.sub(r"\1iz\2", variant))
            variants.add(_EN_IZE.sub(r"\1is\2", variant))
            variants.add(_EN_LL.sub(r"\1l\2", variant))
    elif primary == "fr":
        variants.add(_head_inflect(text, _FR_STOP, _FR_KEEP, _fr_plural))
        variants.add(_head_inflect(text, _FR_STOP, _FR_KEEP, _fr_singular))
    elif primary == "es":
        variants.add(_head_inflect(text, _ES_STOP, _ES_KEEP, _es_plural))
        variants.add(_head_inflect(text, _ES_STOP, _ES_KEEP, _es_singular))
    return frozenset(variants)


# --- the model -----------------------------------------------------------------------------------


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
            lines = [f"no term matches {_shorten(self.query)}"]
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


# --- reading the graph ---------------------------------------------------------------------------

_Triples = dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]]


def _read_triples(files: Iterable[Path]) -> tuple[_Triples, list[str]]:
    """Subject -> predicate -> objects, and the subjects in the order they first appear."""
    triples: _Triples = {}
    order: list[str] = []
    for file in files:
        try:
            parsed = list(ox.parse(path=file, format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise InputError(f"cannot parse the vocabulary: {exc}", where=str(file)) from exc
        for quad in parsed:
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode | ox.BlankNode):
                continue
            key = subject.value
            if key not in triples:
                triples[key] = {}
                order.append(key)
            triples[key].setdefault(quad.predicate.value, []).append(quad.object)
    return triples, order


def _iris(props: dict[str, list[Any]], predicate: str) -> list[str]:
    return [o.value for o in props.get(predicate, []) if isinstance(o, ox.NamedNode)]


def _texts(props: dict[str, list[Any]], predicate: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for o in props.get(predicate, []):
        if isinstance(o, ox.Literal):
            out.setdefault(o.language or "", o.value)
    return out


def _flag(props: dict[str, list[Any]], predicate: str) -> bool:
    return any(
        isinstance(o, ox.Literal) and o.value in ("true", "1") for o in props.get(predicate, [])
    )


def _review(props: dict[str, list[Any]], concept: Concept) -> dict[str, Any]:
    """A label's review status and sources: its own, else its concept's."""
    own = next(iter(_iris(props, str(MNR.reviewStatus))), None)
    if own is not None:
        return {"review_status": own, "review_sources": tuple(_iris(props, str(MNR.reviewSource)))}
    return {"review_status": concept.review_status, "review_sources": concept.review_sources}


def _source(iri: str, props: dict[str, list[Any]]) -> Source:
    title = pick(_texts(props, str(DCTERMS.title)), "en")
    dates = _texts(props, str(DCTERMS.date)) or _texts(props, str(DCTERMS.issued))
    publishers = _texts(props, str(DCTERMS.publisher))
    part_of = next(iter(_iris(props, str(DCTERMS.isPartOf))), None)
    pages = _texts(props, str(BIBO.pages)).get("")
    return Source(
        iri=iri,
        title=title or (f"{_local_slug(part_of)}, p. {pages}" if part_of else _local_slug(iri)),
        publisher=publishers.get("") or pick(publishers, "en"),
        date=next(iter(dates.values()), None),
        url=next(iter(_iris(props, str(RDFS.seeAlso))), None),
        part_of=part_of,
        pages=pages,
    )


def _local_slug(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


class Vocabulary:
    """The terminology vocabulary, indexed in memory for look-up, listing and text checking."""

    def __init__(self, triples: _Triples, order: list[str]) -> None:
        self.concepts: dict[str, Concept] = {}
        self.labels: list[TermLabel] = []
        self.groups: dict[str, Group] = {}
        self.instruments: dict[str, dict[str, list[str]]] = {}
        concept_type, collection_type = str(SKOS.Concept), str(SKOS.Collection)
        instrument_type, in_scheme = str(MNR.Instrument), str(SKOS.inScheme)
        band_notation: dict[str, str] = {}
        self.names: dict[str, str] = {}
        #: The sources the vocabulary cites (``dcterms:BibliographicResource``), by IRI.
        self.sources: dict[str, Source] = {}
        #: The review statuses (``mnr:ReviewStatus``): IRI -> (notation, English label).
        self.review_statuses: dict[str, tuple[str, str]] = {}
        source_type, status_type = str(DCTERMS.BibliographicResource), str(MNR.ReviewStatus)
        for iri in order:
            props = triples[iri]
            types = set(_iris(props, _RDF_TYPE))
            if source_type in types:
                self.sources[iri] = _source(iri, props)
            if status_type in types:
                code = _texts(props, str(SKOS.notation)).get("", _local_slug(iri))
                words = pick(_texts(props, str(SKOS.prefLabel)), "en") or code
                self.review_statuses[iri] = (code, words)
            for name_property in (DCTERMS.title, SKOS.prefLabel, RDFS.label):
                name = pick(_texts(props, str(name_property)), "en")
                if name:
                    self.names[iri] = name
                    break
            if concept_type in types and str(SKOS.notation) in props:
                notation = props[str(SKOS.notation)][0]
                band_notation[iri] = notation.value
            if instrument_type in types:
                self.instruments[iri] = {
                    "labels": [
                        o.value
                        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.notation)
                        for o in props.get(str(p), [])
                        if isinstance(o, ox.Literal)
                    ]
                }
        for iri in order:
            props = triples[iri]
            types = set(_iris(props, _RDF_TYPE))
            if collection_type in types and iri.startswith(str(TERM)):
                self.groups[iri] = Group(
                    iri=iri,
                    slug=_local_slug(iri).removeprefix("group-"),
                    labels=_texts(props, str(SKOS.prefLabel)),
                    members=tuple(_iris(props, str(SKOS.member))),
                )
            xl = [(p, o) for p in _LABEL_KINDS for o in _iris(props, p)]
            if concept_type not in types or str(TERM.vocabulary) not in _iris(props, in_scheme):
                continue
            concept = Concept(
                iri=iri,
                pref_labels=_texts(props, str(SKOS.prefLabel)),
                definitions=_texts(props, str(SKOS.definition)),
                scope_notes=_texts(props, str(SKOS.scopeNote)),
                sources=tuple(_iris(props, str(DCTERMS.source))),
                review_status=next(iter(_iris(props, str(MNR.reviewStatus))), None),
                review_sources=tuple(_iris(props, str(MNR.reviewSource))),
            )
            for predicate, label_iri in xl:
                lprops = triples.get(label_iri, {})
                forms = [
                    o for o in lprops.get(str(SKOSXL.literalForm), []) if isinstance(o, ox.Literal)
                ]
                bands = _iris(lprops, str(MNR.usageBand))
                for form in forms:
                    label = TermLabel(
                        iri=label_iri,
                        text=form.value,
                        lang=form.language or "",
                        kind=_LABEL_KINDS[predicate],
                        band=band_notation.get(bands[0], _local_slug(bands[0])) if bands else "use",
                        legal_context_only=_flag(lprops, str(MNR.legalContextOnly)),
                        use_instead=tuple(_iris(lprops, str(MNR.useInstead))),
                        is_acronym=_flag(lprops, str(MNR.isAcronym)),
                        concept=iri,
                        use_instead_labels=tuple(_iris(lprops, str(MNR.useInsteadLabel))),
                        **_review(lprops, concept),
                    )
                    concept.labels.append(label)
                    self.labels.append(label)
                    if label.kind == "pref":  # the SKOS-XL label, when the plain mirror is missing
                        concept.pref_labels.setdefault(label.lang, label.text)
            self.concepts[iri] = concept
        for group in self.groups.values():
            for member in group.members:
                if member in self.concepts:
                    c = self.concepts[member]
                    c.groups = (*c.groups, group.iri)
        self._index: dict[str, list[TermLabel]] = {}
        self._compact: dict[str, list[TermLabel]] = {}
        self._soft: dict[str, list[TermLabel]] = {}
        self._acronyms: dict[str, str] = {}
        self._by_iri: dict[str, TermLabel] = {}
        for label in self.labels:
            self._by_iri.setdefault(label.iri, label)
            for variant in label_variants(label.text, label.lang, is_acronym=label.is_acronym):
                key = lookup_key(variant)
                _add_unique(self._index, key, label)
                _add_unique(self._compact, key.replace(" ", ""), label)
                _add_unique(self._soft, soft_key(variant), label)
            if label.is_acronym:
                preferred = self.concepts[label.concept].preferred(label.lang)
                self._acronyms.setdefault(lookup_key(label.text), lookup_key(preferred))
        self._choices = sorted(self._index)
        #: The primary language subtags of the labels (``en``, ``es``, ``fr``), sorted.
        self.languages = sorted(
            {lab.lang.split("-")[0].casefold() for lab in self.labels if lab.lang}
        )

    @classmethod
    def from_files(cls, files: Iterable[Path]) -> Vocabulary:
        """A vocabulary read from Turtle files (the shipped ones, or test fixtures)."""
        return cls(*_read_triples(files))

    def name_of(self, iri: str) -> str:
        """A readable name of a resource (title or label in English), else the end of its IRI."""
        return self.names.get(iri) or _local_slug(iri)

    # --- look-up ---------------------------------------------------------------------------------

    def lookup(self, text: str, *, lang: str | None = None, suggest: int = 5) -> LookupResult:
        """Find the concept(s) a term denotes, by any label in any language.

        >>> result = load_vocabulary().lookup("CSAM")
        >>> result.to_json()["matches"][0]["band"]
        'use'
        """
        lang = self.check_lang(lang)
        if len(text) > MAX_TERM_LENGTH:
            raise InputError(
                f"a term to look up is at most {MAX_TERM_LENGTH} characters, "
                f"this one has {len(text)}: {_shorten(text)}"
            )
        key = lookup_key(text)
        if not key:
            raise InputError(
                f"nothing to look up in {_shorten(text)}: a term needs a letter or digit"
            )
        found = self._candidates(key)
        if not found:
            # as term lists write them: "child prostitute(s)", "child sexual abuse material
            # (CSAM)", "the child sex tourist": without the brackets, then each bracket alone,
            # then without a leading article
            for attempt in _fallback_keys(text):
                found = self._candidates(attempt)
                if found:
                    break
        if not found:
            found = self._candidates(self._expand_acronyms(key))
        casefolded = text.strip().casefold()
        soft = soft_key(text)

        def rank(label: TermLabel) -> tuple[int, int, int, str]:
            in_lang = lang is None or label.lang.split("-")[0] == lang.split("-")[0]
            if label.text == text.strip():
                quality = 0
            elif label.text.casefold() == casefolded:
                quality = 1
            elif soft_key(label.text) == soft:
                quality = 2
            elif label in self._soft.get(soft, ()):  # a plural, accents as written
                quality = 3
            elif lookup_key(label.text) == key:
                quality = 4
            else:
                quality = 5
            return (0 if in_lang else 1, quality, _KIND_RANK[label.kind], label.text)

        found.sort(key=rank)
        # two labels of one concept, language and band that normalise alike ("live streaming" and
        # "livestreaming", -ise and -ize): the best-ranked one only
        seen: set[tuple[str, str, str]] = set()
        best = []
        for label in found:
            key_of = (label.concept, label.lang, label.band)
            if key_of not in seen:
                seen.add(key_of)
                best.append(label)
        matches = tuple(Match(label, self, lang) for label in best)
        suggestions = () if matches or not key else self.suggest(key, limit=suggest, lang=lang)
        return LookupResult(text, lang, matches, suggestions)

    def check_lang(self, lang: str | None) -> str | None:
        """``lang`` in lower case, or an :class:`InputError` when no label has that language.

        >>> load_vocabulary().check_lang("FR")
        'fr'
        >>> load_vocabulary().check_lang("de")
        Traceback (most recent call last):
        ...
        mnr_graph.core.errors.InputError: no terms in language 'de'; languages: en, es, fr
        """
        if lang is None or not lang.strip():
            return None
        tag = lang.strip().lower().replace("_", "-")  # en_GB as locales write it
        if tag.split("-")[0] not in self.languages:
            known = ", ".join(self.languages)
            raise InputError(f"no terms in language {_shorten(lang, 40)}; languages: {known}")
        return tag

    def _expand_acronyms(self, key: str) -> str:
        """The key with each acronym spelled out ("ai generated csam")."""
        words = key.split(" ")
        if len(words) < 2:
            return ""
        out = [self._acronyms.get(word, word) for word in words]
        return " ".join(out) if out != words else ""

    def _candidates(self, key: str) -> list[TermLabel]:
        if not key:
            return []
        found = list(self._index.get(key, ()))
        for label in self._compact.get(key.replace(" ", ""), ()):
            if label not in found:
                found.append(label)
        return found

    def suggest(
        self, text: str, *, limit: int = 5, lang: str | None = None
    ) -> tuple[dict[str, Any], ...]:
        """The labels nearest to ``text`` ("did you mean"), best first."""
        key = lookup_key(text)[:100]  # the longest label is shorter: more only costs time
        if len(key) < 3:
            return ()  # one or two letters are close to too much to be a useful suggestion
        # whole-string similarity first; partial similarity when nothing is close as a whole
        hits = process.extract(
            key, self._choices, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=60
        )
        if not hits and len(key) >= 4:
            hits = process.extract(
                key, self._choices, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=75
            )
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for choice, score, _ in hits:
            for label in sorted(self._index[choice], key=lambda lab: lab.lang != (lang or "en")):
                if label.text in seen:
                    continue
                seen.add(label.text)
                out.append(
                    {
                        "label": label.text,
                        "lang": label.lang,
                        "band": label.band,
                        "concept": label.concept,
                        "score": round(float(score), 1),
                    }
                )
        return tuple(out[:limit])

    def describe(self, label: TermLabel, *, lang: str | None = None) -> dict[str, Any]:
        """One label as JSON: the fields of a look-up match."""
        concept = self.concepts[label.concept]
        answer_lang = lang or label.lang
        return {
            "label": label.text,
            "lang": label.lang,
            "band": label.band,
            "legal_context_only": label.legal_context_only,
            "concept": concept.iri,
            "preferred": concept.preferred(answer_lang),
            "use_instead": self.use_instead(label, lang=answer_lang),
            "definition": concept.definition(answer_lang),
            "sources": list(concept.sources),
            "review_status": label.review_status,
            "review": self.review(label),
        }

    def review_notation(self, label: TermLabel) -> str:
        """The notation of a label's review status: "primary-text", "secondary-source",
        "contested" or "unchecked".

        >>> vocabulary = load_vocabulary()
        >>> (label,) = [lab for lab in vocabulary.labels if lab.text == "child prostitute"]
        >>> vocabulary.review_notation(label)
        'secondary-source'
        """
        return self._notation(label.review_status or "")

    def review(self, label: TermLabel | Concept) -> dict[str, Any]:
        """What a label's band (or a concept's definition and editions) was checked against:
        ``{"status", "status_label", "sources"}``, each source with its title, publisher, date
        and address."""
        status = label.review_status or ""
        notation, words = self.review_statuses.get(status, (self._notation(status),) * 2)
        return {
            "status": notation,
            "status_label": words,
            "sources": [self._source(iri).to_json() for iri in label.review_sources],
        }

    def _notation(self, status: str) -> str:
        known = self.review_statuses.get(status)
        return known[0] if known else _local_slug(status).removeprefix("review-") or "unchecked"

    def basis_text(self, label: TermLabel) -> str:
        """One short phrase saying what a label's band rests on, for messages.

        >>> vocabulary = load_vocabulary()
        >>> (label,) = [lab for lab in vocabulary.labels if lab.text == "sextortion"]
        >>> print(vocabulary.basis_text(label))  # doctest: +NORMALIZE_WHITESPACE
        basis: sources disagree (NSPCC Learning (2025); Internet Matters; Ctrl+Shft (2025));
        the stricter band is used
        >>> (label,) = [lab for lab in vocabulary.labels if lab.text == "kiddie porn"]
        >>> vocabulary.basis_text(label)
        'basis: secondary source (HoldTheFrontPage (2016))'
        """
        notation = self.review_notation(label)
        names = "; ".join(self._source(iri).short() for iri in label.review_sources)
        if notation == "primary-text":
            return f"basis: the guidelines' own text ({names})"
        if notation == "secondary-source":
            return f"basis: secondary source ({names})"
        if notation == "contested":
            return f"basis: sources disagree ({names}); the stricter band is used"
        return "basis: not yet checked against a source (the project's reading)"

    def _source(self, iri: str) -> Source:
        return self.sources.get(iri) or Source(iri=iri, title=self.name_of(iri))

    def use_instead(self, label: TermLabel, *, lang: str | None = None) -> list[dict[str, str]]:
        """The alternatives of a label: ``[{"label": ..., "concept": ...}]`` in ``lang``.

        For each concept to use instead, its preferred label in ``lang``, then the labels of that
        concept the data names for this term (``mnr:useInsteadLabel``) that are in ``lang``.

        >>> vocabulary = load_vocabulary()
        >>> (label,) = [lab for lab in vocabulary.labels if lab.text == "child prostitution"]
        >>> for alternative in vocabulary.use_instead(label, lang="en"):
        ...     print(alternative["label"])
        exploitation of children in prostitution
        sexual exploitation of children in prostitution
        """
        primary = lang.split("-")[0].casefold() if lang else None
        extra = [self._by_iri[iri] for iri in label.use_instead_labels if iri in self._by_iri]
        out = []
        for iri in label.use_instead:
            target = self.concepts.get(iri)
            preferred = target.preferred(lang) if target else iri
            out.append({"label": preferred, "concept": iri})
            for other in extra:
                if (
                    other.concept == iri
                    and other.text != preferred
                    and (primary is None or other.lang.split("-")[0].casefold() == primary)
                ):
                    out.append({"label": other.text, "concept": iri})
        return out

    # --- listing ---------------------------------------------------------------------------------

    def find_group(self, name: str) -> Group:
        """A group by IRI, slug (``prostitution``), ``group-`` slug or label in any language."""
        key = lookup_key(name.rsplit("/", 1)[-1].removeprefix("group-"))
        for group in self.groups.values():
            names = {group.slug, *group.labels.values()}
            if key in {lookup_key(n) for n in names}:
                return group
        known = ", ".join(g.slug for g in self.groups.values())
        raise InputError(f"unknown group {name!r}; known groups: {known}")

    def list_terms(
        self, *, band: str | None = None, lang: str | None = None, group: str | None = None
    ) -> list[dict[str, Any]]:
        """Every label, filtered by band, language and group, ordered by group and concept.

        >>> terms = load_vocabulary().list_terms(band="avoid", lang="en")
        >>> all(t["band"] == "avoid" and t["lang"] == "en" for t in terms)
        True
        """
        lang = self.check_lang(lang)
        band = band.strip().lower() if band is not None else None
        bands = {label.band for label in self.labels}
        if band is not None and band not in bands:
            raise InputError(f"unknown band {band!r}; known bands: {', '.join(sorted(bands))}")
        wanted = self.find_group(group).iri if group else None
        out = []
        for label in self._ordered_labels():
            concept = self.concepts[label.concept]
            if band is not None and label.band != band:
                continue
            if lang is not None and label.lang.split("-")[0] != lang.split("-")[0]:
                continue
            if wanted is not None and wanted not in concept.groups:
                continue
            row = self.describe(label, lang=lang)
            row["groups"] = [self.groups[g].slug for g in concept.groups]
            out.append(row)
        return out

    def _ordered_labels(self) -> Iterator[TermLabel]:
        group_rank = {iri: i for i, iri in enumerate(self.groups)}

        def key(label: TermLabel) -> tuple[int, str, int, str, str]:
            concept = self.concepts[label.concept]
            first = min((group_rank[g] for g in concept.groups), default=len(group_rank))
            return (first, concept.preferred("en"), _KIND_RANK[label.kind], label.lang, label.text)

        return iter(sorted(self.labels, key=key))

    def concepts_by_group(self) -> list[tuple[Group | None, list[Concept]]]:
        """The concepts under each group, in the data's order (ungrouped ones last)."""
        out: list[tuple[Group | None, list[Concept]]] = []
        placed: set[str] = set()
        for group in self.groups.values():
            members = [self.concepts[m] for m in group.members if m in self.concepts]
            members.sort(key=lambda c: c.preferred("en").casefold())
            placed.update(c.iri for c in members)
            if members:
                out.append((group, members))
        rest = [c for iri, c in self.concepts.items() if iri not in placed]
        if rest:
            out.append((None, sorted(rest, key=lambda c: c.preferred("en").casefold())))
        return out


def _shorten(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut short with an ellipsis when long."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def _add_unique(index: dict[str, list[TermLabel]], key: str, label: TermLabel) -> None:
    bucket = index.setdefault(key, [])
    if label not in bucket:
        bucket.append(label)


@cache
def load_vocabulary() -> Vocabulary:
    """The shipped vocabulary (every ``ontology/*.ttl``), read once per process."""
    return Vocabulary.from_files(resources.files("ontology", "*.ttl"))


_TERM_COLUMNS = (
    "label",
    "lang",
    "band",
    "legal_context_only",
    "preferred",
    "use_instead",
    "concept",
)


def terms_to_csv(rows: list[dict[str, Any]]) -> str:
    """Rows of :meth:`Vocabulary.list_terms` as CSV (alternatives joined with ``; ``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*_TERM_COLUMNS, "groups"])
    for row in rows:
        values = [row[c] for c in _TERM_COLUMNS]
        values[3] = str(row["legal_context_only"]).lower()
        values[5] = "; ".join(u["label"] for u in row["use_instead"])
        writer.writerow([*values, " ".join(row.get("groups", []))])
    return out.getvalue()


def terms_to_text(rows: list[dict[str, Any]]) -> str:
    """Rows of :meth:`Vocabulary.list_terms` as aligned text, one label a line."""
    lines = []
    for row in rows:
        instead = "; ".join(u["label"] for u in row["use_instead"])
        legal = " (legal context only)" if row["legal_context_only"] else ""
        tail = f"  -> {instead}" if instead else ""
        lines.append(f"{row['band']:<8} {row['lang']:<3} {row['label']}{legal}{tail}")
    return "\n".join(lines)
