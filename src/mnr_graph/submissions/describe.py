"""Machine-readable descriptions of the template's columns, generated from the SHACL shapes.

A `CSVW <https://www.w3.org/TR/tabular-metadata/>`_ metadata document (:func:`csvw_metadata`)
and a `Frictionless <https://specs.frictionlessdata.io/>`_ data package with a Table Schema
(:func:`frictionless_package`). Each column is the value of one property of one class of the
submission graph (:data:`COLUMN_PROPERTIES`, the mapping :mod:`~mnr_graph.submissions.conversion`
applies); what the column must hold is read from the shapes on that class and property:
``sh:minCount`` makes it required, ``sh:datatype`` gives its type, ``sh:pattern`` its pattern
and ``sh:class`` the values it takes (the notations, numbers and names of that class's
individuals in the shipped ontology). The shape ids are kept with each column.

>>> columns = {c["name"]: c for c in csvw_metadata()["tableSchema"]["columns"]}
>>> columns["reporting_year"]["datatype"], columns["reporting_year"]["required"]
('gYear', True)
>>> fields = {f["name"]: f for f in frictionless_package()["resources"][0]["schema"]["fields"]}
>>> fields["source_date"]["type"], "P02" in fields["maturity_phase"]["constraints"]["enum"]
('date', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.namespaces import DCTERMS, MNR, RDF, SH, SKOS, XSD
from mnr_graph.submissions.shapes import ontology_graph, shape_ids, shapes_graph
from mnr_graph.submissions.table import COLUMNS

__all__ = [
    "COLUMN_PROPERTIES",
    "ColumnRule",
    "column_rules",
    "csvw_metadata",
    "frictionless_package",
]

#: Each column of the template: the class and property its value becomes in the submission graph.
#: ``evidence_language`` is the language tag of the evidence; it has no property of its own.
COLUMN_PROPERTIES: dict[str, tuple[URIRef, URIRef | None]] = {
    "country_code": (MNR.Country, MNR.countryCode),
    "reporting_year": (MNR.Submission, MNR.reportingYear),
    "capability": (MNR.Assessment, MNR.assessedCapability),
    "maturity_phase": (MNR.Assessment, MNR.maturityPhase),
    "implementation_status": (MNR.Assessment, MNR.implementationStatus),
    "evidence": (MNR.Assessment, MNR.evidence),
    "evidence_language": (MNR.Assessment, None),
    "source_title": (MNR.SourceDocument, DCTERMS.title),
    "source_url": (MNR.SourceDocument, MNR.url),
    "source_date": (MNR.SourceDocument, DCTERMS.date),
    "assessor_type": (MNR.Assessment, MNR.assessorType),
}

#: The XSD datatypes of the shapes, as CSVW and Frictionless name them.
_CSVW_TYPES = {XSD.gYear: "gYear", XSD.date: "date", XSD.anyURI: "anyURI", XSD.string: "string"}
_FRICTIONLESS_TYPES: dict[URIRef, tuple[str, str | None]] = {
    XSD.gYear: ("year", None),
    XSD.date: ("date", None),
    XSD.anyURI: ("string", "uri"),
}


@dataclass
class ColumnRule:
    """What the shapes say a column must hold."""

    name: str
    description: str
    property: URIRef | None
    required: bool = False
    datatype: URIRef | None = None
    patterns: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)


def _anchored(pattern: str) -> bool:
    return pattern.startswith("^") and pattern.endswith("$")


def _individuals(graph_values: list[Node]) -> list[str]:
    """The spellings a value may take in a cell.

    Each individual's notation, number and names in every language of the shipped ontology, in
    the individuals' order.
    """
    graph = ontology_graph()
    individuals = sorted(
        graph_values, key=lambda i: (int(str(graph.value(i, MNR.number) or 0)), str(i))
    )
    out: list[str] = []
    for individual in individuals:
        for prop in (SKOS.notation, MNR.number, SKOS.prefLabel):
            for value in sorted(graph.objects(individual, prop), key=str):
                out.append(str(value))
    return list(dict.fromkeys(out))


def _allowed(shapes: Graph, shape: Node) -> list[str]:
    """The values a property shape allows by ``sh:class`` or by a node shape.

    The node shape is one requiring a ``skos:inScheme`` (the maturity phases). Empty when the
    property shape names no such set.
    """
    graph = ontology_graph()
    target = shapes.value(shape, SH["class"])
    if isinstance(target, URIRef) and target not in _OPEN_CLASSES:
        return _individuals(list(graph.subjects(RDF.type, target)))
    for node in shapes.objects(shape, SH.node):
        for prop in shapes.objects(node, SH.property):
            scheme = shapes.value(prop, SH.hasValue)
            if shapes.value(prop, SH.path) == SKOS.inScheme and scheme is not None:
                return _individuals(list(graph.subjects(SKOS.inScheme, scheme)))
    return []


#: Classes whose members a submission makes itself (its country): no list of values.
_OPEN_CLASSES = frozenset({MNR.Country})
#: Nodes made only when one of their columns is filled: their columns are never required.
_OPTIONAL_NODES = frozenset({MNR.SourceDocument})


def _property_shapes(shapes: Graph, cls: URIRef, path: URIRef) -> list[Node]:
    """The property shapes on ``path`` of the shapes targeting ``cls``.

    Top-level, or a ``sh:property`` of a node shape.
    """
    found: list[Node] = []
    for shape in sorted(shapes.subjects(SH.targetClass, cls), key=str):
        if shapes.value(shape, SH.path) == path:
            found.append(shape)
        found.extend(
            p for p in shapes.objects(shape, SH.property) if shapes.value(p, SH.path) == path
        )
    return found


def column_rules() -> list[ColumnRule]:
    """Each template column with what the shapes on its class and property require."""
    shapes = shapes_graph()
    ids = shape_ids()
    parents = {p: s for s, p in shapes.subject_objects(SH.property)}
    rules: list[ColumnRule] = []
    for name, (cls, path) in COLUMN_PROPERTIES.items():
        rule = ColumnRule(name=name, description=COLUMNS[name], property=path)
        for shape in _property_shapes(shapes, cls, path) if path is not None else []:
            ident = ids.get(shape) or ids.get(parents.get(shape, shape))
            if ident and ident not in rule.shapes:
                rule.shapes.append(ident)
            min_count = shapes.value(shape, SH.minCount)
            if isinstance(min_count, Literal) and int(min_count) > 0:
                rule.required = cls not in _OPTIONAL_NODES
            datatype = shapes.value(shape, SH.datatype)
            if isinstance(datatype, URIRef) and datatype in _CSVW_TYPES:
                rule.datatype = datatype
            pattern = shapes.value(shape, SH.pattern)
            if pattern is not None and _anchored(str(pattern)):
                flags = str(shapes.value(shape, SH.flags) or "")
                rule.patterns.append(("(?i)" if "i" in flags else "") + str(pattern))
            rule.values = rule.values or _allowed(shapes, shape)
        if name == "reporting_year":  # the submission's year is on every row
            rule.required = True
        rules.append(rule)
    return rules


def _all_of(patterns: list[str]) -> str:
    """One regular expression matching what every one of ``patterns`` matches in full."""
    inner = [_inner(p) for p in patterns]
    return "".join(f"(?=(?:{p})$)" for p in inner[:-1]) + f"(?:{inner[-1]})"


def _inner(pattern: str) -> str:
    """A pattern without its anchors (Table Schema and CSVW anchor every pattern themselves)."""
    if pattern.startswith("(?i)"):  # a flag of the whole pattern, kept to its part
        return "(?i:" + _inner(pattern[4:]) + ")"
    return pattern.removeprefix("^").removesuffix("$")


def _enum_pattern(values: list[str]) -> str:
    return "|".join(re.escape(v) for v in values)


def csvw_metadata(*, url: str = "template.csv") -> dict[str, Any]:
    """The CSVW metadata of a submission CSV file (the template, filled).

    Its dialect (comma, UTF-8, header row, ``#`` comment rows) and each column's datatype,
    pattern and values.
    """
    columns: list[dict[str, Any]] = []
    for rule in column_rules():
        column: dict[str, Any] = {
            "name": rule.name,
            "titles": rule.name,
            "dc:description": rule.description,
            "required": rule.required,
        }
        if rule.property is not None:
            column["propertyUrl"] = str(rule.property)
        datatype: dict[str, Any] | str = _CSVW_TYPES.get(rule.datatype, "string")  # type: ignore[arg-type]
        formats = list(rule.patterns)
        if rule.values:
            formats.append(f"^(?:{_enum_pattern(rule.values)})$")
        if formats and datatype in ("string", "anyURI"):
            datatype = {"base": datatype, "format": f"^{_all_of(formats)}$"}
        elif datatype == "date":
            datatype = {"base": "date", "format": "yyyy-MM-dd"}
        column["datatype"] = datatype
        if rule.shapes:
            column["rdfs:seeAlso"] = [_shape_iri(s) for s in rule.shapes]
        columns.append(column)
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": url,
        "dc:title": "MNR country submission",
        "dc:description": "One row per capability of the Model National Response; generated from "
        "the mnr-graph submission shapes.",
        "dialect": {
            "header": True,
            "delimiter": ",",
            "encoding": "utf-8",
            "commentPrefix": "#",
            "skipBlankRows": True,
        },
        "tableSchema": {"columns": columns},
    }


def frictionless_package(*, path: str = "template.csv") -> dict[str, Any]:
    """A Frictionless data package describing a submission CSV file with a Table Schema."""
    fields: list[dict[str, Any]] = []
    for rule in column_rules():
        kind, fmt = _FRICTIONLESS_TYPES.get(rule.datatype, ("string", None))  # type: ignore[arg-type]
        item: dict[str, Any] = {"name": rule.name, "type": kind, "description": rule.description}
        if fmt is not None:
            item["format"] = fmt
        if rule.property is not None:
            item["rdfType"] = str(rule.property)
        constraints: dict[str, Any] = {}
        if rule.required:
            constraints["required"] = True
        if rule.values:
            constraints["enum"] = rule.values
        elif rule.patterns and kind == "string":
            constraints["pattern"] = _all_of(rule.patterns)
        if constraints:
            item["constraints"] = constraints
        fields.append(item)
    return {
        "name": "mnr-submission",
        "title": "MNR country submission",
        "resources": [
            {
                "name": "submission",
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "dialect": {"commentChar": "#", "csv": {"delimiter": ","}},
                "schema": {"fields": fields, "missingValues": [""]},
            }
        ],
    }


def _shape_iri(ident: str) -> str:
    return f"https://w3id.org/mnr-graph/shape/{ident}"
