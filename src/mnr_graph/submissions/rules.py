"""Python rules for the SPARQL-based submission shapes, for speed.

Each rule computes exactly what the ``sh:sparql`` constraint of its shape in
``shapes/submission.ttl`` selects (focus ``$this``, ``?path``, ``?value`` and the other variables
its message uses), on the data graph and the shipped ontology graph. ``tests/test_validation.py``
checks, on every example, that these rules and pySHACL running the SPARQL give the same results.
The avoided-term rule (S26) matches the vocabulary's avoided labels with an Aho-Corasick automaton,
as whole words, leftmost-longest: where a label occurs only inside a longer avoided label, the
SPARQL reports both and the rule the longer one (the one documented difference, which the test
allows exactly).

>>> from rdflib import Graph
>>> data = Graph().parse(data='''
...     @prefix mnr: <https://w3id.org/mnr-graph/def/> .
...     @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
...     <urn:s> a mnr:Submission ; mnr:reportingYear "2999"^^xsd:gYear .
... ''', format="turtle")
>>> [str(r.value) for r in RULES["S03"](data, Graph())]
['2999']
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.namespaces import DCTERMS, MNR, MNRID, RDF, SKOS, SKOSXL, XSD

__all__ = ["RULES", "RuleResult"]


@dataclass(frozen=True)
class RuleResult:
    """One solution of a shape's SPARQL constraint."""

    focus: Node
    path: URIRef | None
    value: Node | None
    bindings: dict[str, str] = field(default_factory=dict)


Rule = Callable[[Graph, Graph], list[RuleResult]]


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _years_in_future(cls: URIRef, prop: URIRef) -> Rule:
    def rule(data: Graph, ontology: Graph) -> list[RuleResult]:
        this_year = dt.datetime.now(dt.UTC).year
        out: list[RuleResult] = []
        for focus in data.subjects(RDF.type, cls):
            for value in data.objects(focus, prop):
                text = str(value)
                if (
                    isinstance(value, Literal)
                    and value.datatype == XSD.gYear
                    and text[:4].isdigit()
                    and int(text[:4]) > this_year
                ):
                    out.append(RuleResult(focus, prop, value))
        return out

    rule.__doc__ = f"A {prop} (xsd:gYear) of a {cls} after the current year."
    return rule


def _dates_in_future(cls: URIRef, prop: URIRef) -> Rule:
    def rule(data: Graph, ontology: Graph) -> list[RuleResult]:
        today = _today()
        out: list[RuleResult] = []
        for focus in data.subjects(RDF.type, cls):
            for value in data.objects(focus, prop):
                if (
                    isinstance(value, Literal)
                    and value.datatype == XSD.date
                    and _ISO_DATE.match(str(value))
                    and str(value) > today
                ):
                    out.append(RuleResult(focus, prop, value))
        return out

    rule.__doc__ = f"A {prop} of a {cls} after today."
    return rule


def _duplicate_capabilities(data: Graph, ontology: Graph) -> list[RuleResult]:
    """S08: every assessment of a capability after the first (by IRI) of its submission."""
    out: list[RuleResult] = []
    for focus in data.subjects(RDF.type, MNR.Submission):
        by_capability: dict[Node, set[Node]] = defaultdict(set)
        for assessment in data.objects(focus, MNR.hasAssessment):
            for capability in data.objects(assessment, MNR.assessedCapability):
                by_capability[capability].add(assessment)
        for assessments in by_capability.values():
            ordered = sorted(assessments, key=str)
            out.extend(RuleResult(focus, MNR.hasAssessment, a) for a in ordered[1:])
    return out


@lru_cache(maxsize=4)
def _capabilities(ontology: Graph) -> tuple[Node, ...]:
    return tuple(sorted(ontology.subjects(RDF.type, MNR.Capability), key=str))


def _capability_name(capability: Node, data: Graph, ontology: Graph) -> str:
    """``C05 (label)`` as S09's message names a capability.

    Its notation (else its IRI) and its English preferred label, if any.
    """
    notation = next(
        (str(n) for g in (ontology, data) for n in g.objects(capability, SKOS.notation)), None
    )
    label = next(
        (
            str(lab)
            for g in (ontology, data)
            for lab in g.objects(capability, SKOS.prefLabel)
            if isinstance(lab, Literal) and lab.language == "en"
        ),
        None,
    )
    return (notation or str(capability)) + (f" ({label})" if label is not None else "")


def _missing_capabilities(data: Graph, ontology: Graph) -> list[RuleResult]:
    """S09: each capability of the framework the submission does not assess, named."""
    everything = set(_capabilities(ontology)) | set(data.subjects(RDF.type, MNR.Capability))
    out: list[RuleResult] = []
    for focus in data.subjects(RDF.type, MNR.Submission):
        assessed = {
            c
            for a in data.objects(focus, MNR.hasAssessment)
            for c in data.objects(a, MNR.assessedCapability)
        }
        out.extend(
            RuleResult(
                focus,
                MNR.hasAssessment,
                c,
                {"capability": _capability_name(c, data, ontology)},
            )
            for c in sorted(everything - assessed, key=str)
        )
    return out


@dataclass(frozen=True)
class _AvoidedTerms:
    automata: dict[str, ahocorasick.Automaton]
    #: (language, lower-case form) -> [(form, preferred labels joined as the message says), ...]
    advice: dict[tuple[str, str], list[tuple[str, str]]]


@lru_cache(maxsize=4)
def _avoided_terms(ontology: Graph) -> _AvoidedTerms:
    preferred: dict[tuple[str, Literal], set[str]] = defaultdict(set)
    for label in ontology.subjects(MNR.usageBand, MNRID["band-avoid"]):
        for form in ontology.objects(label, SKOSXL.literalForm):
            if not isinstance(form, Literal) or not form.language:
                continue
            for concept in ontology.objects(label, MNR.useInstead):
                for text in ontology.objects(concept, SKOS.prefLabel):
                    if isinstance(text, Literal) and text.language == form.language:
                        preferred[(form.language.lower(), form)].add(str(text))
    advice: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for (lang, form), texts in sorted(preferred.items(), key=lambda i: (i[0][0], str(i[0][1]))):
        advice[(lang, str(form).lower())].append((str(form), "' or '".join(sorted(texts))))
    automata: dict[str, ahocorasick.Automaton] = {}
    for lang, lowered in advice:
        automaton = automata.setdefault(lang, ahocorasick.Automaton())
        automaton.add_word(lowered, lowered)
    for automaton in automata.values():
        automaton.make_automaton()
    return _AvoidedTerms(automata, dict(advice))


_WORD = re.compile(r"\w")


def _whole_word_matches(automaton: ahocorasick.Automaton, text: str) -> list[str]:
    r"""The labels found as whole words, leftmost-longest.

    Whole words: no letter, digit or underscore (regex ``\w``) on either side. A label inside a
    longer label found at the same place is not.
    """
    found: list[tuple[int, int, str]] = []
    for end, lowered in automaton.iter(text):
        start = end - len(lowered) + 1
        before = text[start - 1] if start > 0 else ""
        after = text[end + 1] if end + 1 < len(text) else ""
        if not _WORD.match(before) and not _WORD.match(after):
            found.append((start, -len(lowered), lowered))
    chosen: list[str] = []
    reached = 0
    for start, negative_length, lowered in sorted(found):
        if start >= reached:
            chosen.append(lowered)
            reached = start - negative_length
    return chosen


def _primary_language(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag, in lower case (``en-GB`` -> ``en``)."""
    return tag.split("-", 1)[0].lower()


def _avoided_terms_in_evidence(data: Graph, ontology: Graph) -> list[RuleResult]:
    """S26.

    Evidence text that contains an avoided term of its primary language as whole words, one
    result per term, with the preferred terms.
    """
    terms = _avoided_terms(ontology)
    out: list[RuleResult] = []
    for focus in data.subjects(RDF.type, MNR.Assessment):
        for value in data.objects(focus, MNR.evidence):
            if not isinstance(value, Literal) or not value.language:
                continue
            lang = _primary_language(value.language)
            automaton = terms.automata.get(lang)
            if automaton is None:
                continue
            for lowered in sorted(set(_whole_word_matches(automaton, str(value).lower()))):
                for form, preferred in terms.advice[(lang, lowered)]:
                    bindings = {"term": form, "preferred": preferred}
                    out.append(RuleResult(focus, MNR.evidence, value, bindings))
    return out


#: Shape id -> the Python rule that evaluates it.
RULES: dict[str, Rule] = {
    "S03": _years_in_future(MNR.Submission, MNR.reportingYear),
    "S06": _dates_in_future(MNR.Submission, DCTERMS.created),
    "S08": _duplicate_capabilities,
    "S09": _missing_capabilities,
    "S26": _avoided_terms_in_evidence,
    "S32": _dates_in_future(MNR.SourceDocument, DCTERMS.date),
    "S50": _years_in_future(MNR.IndicatorObservation, MNR.refYear),
}
