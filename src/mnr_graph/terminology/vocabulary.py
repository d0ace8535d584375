"""The terminology vocabulary in memory: term look-up, listing and what each band rests on.

The vocabulary is read once from the shipped Turtle (:mod:`mnr_graph.terminology.loader`) and
indexed by every label and its singular and plural forms (:mod:`mnr_graph.terminology.inflection`)
under its look-up keys (:mod:`mnr_graph.terminology.keys`), so a look-up is a few dictionary
accesses and never a SPARQL query.

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
import io
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.terminology import loader
from mnr_graph.terminology.inflection import label_variants
from mnr_graph.terminology.keys import fallback_keys, lookup_key, soft_key
from mnr_graph.terminology.loader import VocabularyData, local_slug
from mnr_graph.terminology.model import (
    BAND_AVOID,
    BAND_CAUTION,
    BAND_USE,
    KIND_RANK,
    Concept,
    Group,
    LookupResult,
    Match,
    Source,
    TermLabel,
    shorten,
)

__all__ = [
    "BAND_AVOID",
    "BAND_CAUTION",
    "BAND_USE",
    "MAX_TERM_LENGTH",
    "Vocabulary",
    "load_vocabulary",
    "terms_to_csv",
    "terms_to_text",
]

#: The longest text look-up accepts (the longest label is far shorter).
MAX_TERM_LENGTH = 300


class Vocabulary:
    """The terminology vocabulary, indexed in memory for look-up, listing and text checking."""

    def __init__(self, data: VocabularyData) -> None:
        self.concepts = data.concepts
        self.labels = data.labels
        self.groups = data.groups
        self.instruments = data.instruments
        self.names = data.names
        #: The sources the vocabulary cites (``dcterms:BibliographicResource``), by IRI.
        self.sources = data.sources
        #: The review statuses (``mnr:ReviewStatus``): IRI -> (notation, English label).
        self.review_statuses = data.review_statuses
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
        return cls(loader.read_files(files))

    def name_of(self, iri: str) -> str:
        """A readable name of a resource (title or label in English), else the end of its IRI."""
        return self.names.get(iri) or local_slug(iri)

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
                f"this one has {len(text)}: {shorten(text)}"
            )
        key = lookup_key(text)
        if not key:
            raise InputError(
                f"nothing to look up in {shorten(text)}: a term needs a letter or digit"
            )
        found = self._candidates(key)
        if not found:
            # as term lists write them: "child prostitute(s)", "child sexual abuse material
            # (CSAM)", "the child sex tourist": without the brackets, then each bracket alone,
            # then without a leading article
            for attempt in fallback_keys(text):
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
            return (0 if in_lang else 1, quality, KIND_RANK[label.kind], label.text)

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
            raise InputError(f"no terms in language {shorten(lang, 40)}; languages: {known}")
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
        """The notation of a label's review status.

        "primary-text", "secondary-source", "contested" or "unchecked".

        >>> vocabulary = load_vocabulary()
        >>> (label,) = [lab for lab in vocabulary.labels if lab.text == "child prostitute"]
        >>> vocabulary.review_notation(label)
        'secondary-source'
        """
        return self._notation(label.review_status or "")

    def review(self, label: TermLabel | Concept) -> dict[str, Any]:
        """What a label's band (or a concept's definition and editions) was checked against.

        ``{"status", "status_label", "sources"}``, each source with its title, publisher,
        date and address.
        """
        status = label.review_status or ""
        notation, words = self.review_statuses.get(status, (self._notation(status),) * 2)
        return {
            "status": notation,
            "status_label": words,
            "sources": [self._source(iri).to_json() for iri in label.review_sources],
        }

    def _notation(self, status: str) -> str:
        known = self.review_statuses.get(status)
        return known[0] if known else local_slug(status).removeprefix("review-") or "unchecked"

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
            return (first, concept.preferred("en"), KIND_RANK[label.kind], label.lang, label.text)

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
