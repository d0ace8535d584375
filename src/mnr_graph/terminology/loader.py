"""Reading the vocabulary: the shipped Turtle (``ontology/*.ttl``) into the plain model.

The SKOS-XL labels of ``term:vocabulary`` with their usage band, legal-context-only marker,
alternatives and review status; the concepts with their definitions and groups; the sources and
review statuses the labels cite; the legal instruments. Read with pyoxigraph into dictionaries,
once, so that look-up never runs a SPARQL query.

>>> from mnr_graph.core import resources
>>> data = read_files(resources.files("ontology", "*.ttl"))
>>> sorted({label.band for label in data.labels})
['avoid', 'caution', 'use']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mnr_graph.core.errors import InputError
from mnr_graph.core.language import pick
from mnr_graph.core.namespaces import BIBO, DCTERMS, MNR, RDF, RDFS, SKOS, SKOSXL, TERM
from mnr_graph.terminology.model import Concept, Group, Source, TermLabel

__all__ = ["VocabularyData", "local_slug", "read_files", "read_triples"]

_RDF_TYPE = str(RDF.type)
_LABEL_KINDS = {
    str(SKOSXL.prefLabel): "pref",
    str(SKOSXL.altLabel): "alt",
    str(SKOSXL.hiddenLabel): "hidden",
}


@dataclass
class VocabularyData:
    """What the vocabulary's files say, before it is indexed for look-up."""

    concepts: dict[str, Concept]
    labels: list[TermLabel]
    groups: dict[str, Group]
    #: The legal instruments (``mnr:Instrument``): IRI -> ``{"labels": [...]}``.
    instruments: dict[str, dict[str, list[str]]]
    #: A readable name (title or label in English) of each resource that has one.
    names: dict[str, str]
    #: The sources the vocabulary cites (``dcterms:BibliographicResource``), by IRI.
    sources: dict[str, Source]
    #: The review statuses (``mnr:ReviewStatus``): IRI -> (notation, English label).
    review_statuses: dict[str, tuple[str, str]]


_Triples = dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]]


def _read_files(files: Iterable[Path]) -> tuple[_Triples, list[str]]:
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
        title=title or (f"{local_slug(part_of)}, p. {pages}" if part_of else local_slug(iri)),
        publisher=publishers.get("") or pick(publishers, "en"),
        date=next(iter(dates.values()), None),
        url=next(iter(_iris(props, str(RDFS.seeAlso))), None),
        part_of=part_of,
        pages=pages,
    )


def local_slug(iri: str) -> str:
    """The end of an IRI, after its last ``/`` or ``#``."""
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def read_files(files: Iterable[Path]) -> VocabularyData:
    """The vocabulary in Turtle files (the shipped ones, or test fixtures)."""
    return read_triples(*_read_files(files))


def read_triples(triples: _Triples, order: list[str]) -> VocabularyData:
    """The model from subject -> predicate -> objects (``order``: the subjects as first met)."""
    concepts: dict[str, Concept] = {}
    labels: list[TermLabel] = []
    groups: dict[str, Group] = {}
    instruments: dict[str, dict[str, list[str]]] = {}
    concept_type, collection_type = str(SKOS.Concept), str(SKOS.Collection)
    instrument_type, in_scheme = str(MNR.Instrument), str(SKOS.inScheme)
    band_notation: dict[str, str] = {}
    names: dict[str, str] = {}
    sources: dict[str, Source] = {}
    review_statuses: dict[str, tuple[str, str]] = {}
    source_type, status_type = str(DCTERMS.BibliographicResource), str(MNR.ReviewStatus)
    for iri in order:
        props = triples[iri]
        types = set(_iris(props, _RDF_TYPE))
        if source_type in types:
            sources[iri] = _source(iri, props)
        if status_type in types:
            code = _texts(props, str(SKOS.notation)).get("", local_slug(iri))
            words = pick(_texts(props, str(SKOS.prefLabel)), "en") or code
            review_statuses[iri] = (code, words)
        for name_property in (DCTERMS.title, SKOS.prefLabel, RDFS.label):
            name = pick(_texts(props, str(name_property)), "en")
            if name:
                names[iri] = name
                break
        if concept_type in types and str(SKOS.notation) in props:
            notation = props[str(SKOS.notation)][0]
            band_notation[iri] = notation.value
        if instrument_type in types:
            instruments[iri] = {
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
            groups[iri] = Group(
                iri=iri,
                slug=local_slug(iri).removeprefix("group-"),
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
                    band=band_notation.get(bands[0], local_slug(bands[0])) if bands else "use",
                    legal_context_only=_flag(lprops, str(MNR.legalContextOnly)),
                    use_instead=tuple(_iris(lprops, str(MNR.useInstead))),
                    is_acronym=_flag(lprops, str(MNR.isAcronym)),
                    concept=iri,
                    use_instead_labels=tuple(_iris(lprops, str(MNR.useInsteadLabel))),
                    **_review(lprops, concept),
                )
                concept.labels.append(label)
                labels.append(label)
                if label.kind == "pref":  # the SKOS-XL label, when the plain mirror is missing
                    concept.pref_labels.setdefault(label.lang, label.text)
        concepts[iri] = concept
    for group in groups.values():
        for member in group.members:
            if member in concepts:
                c = concepts[member]
                c.groups = (*c.groups, group.iri)
    return VocabularyData(
        concepts=concepts,
        labels=labels,
        groups=groups,
        instruments=instruments,
        names=names,
        sources=sources,
        review_statuses=review_statuses,
    )
