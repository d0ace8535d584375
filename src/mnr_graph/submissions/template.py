"""The submission template (CSV or XLSX, in English, French or Spanish) and its descriptions.

Every row of the example starts with ``#`` (a comment): one complete submission for the
illustrative country XA, a row that adds a further source document, and 'no data' for every
other capability. The header keeps the column names programs read; everything else is in the
template's language: the instructions (``ontology/template-text.csv``) and the names of the
capabilities, phases, statuses and assessor types (the shipped ontology's labels). The XLSX
template adds sheets of instructions, of the capabilities, of the phases and statuses with their
meaning, of the columns, and of indicators, drop-down lists (data validation) on the coded
columns and date cells formatted YYYY-MM-DD. The CSVW metadata and the Frictionless data
package of :mod:`~mnr_graph.submissions.describe` describe the CSV template's columns.

>>> template_bytes("csv").decode().splitlines()[0].split(",")[:3]
['country_code', 'reporting_year', 'capability']
>>> template_languages()
('en', 'fr', 'es')
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from typing import Any

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import MNR, MNRID, RDF, RDFS, SKOS
from mnr_graph.submissions.shapes import ontology_graph
from mnr_graph.submissions.table import COLUMNS
from mnr_graph.submissions.values import allowed_values

__all__ = [
    "TEMPLATE_FORMATS",
    "example_rows",
    "template_bytes",
    "template_languages",
    "template_text",
]

#: What ``template`` writes: the template (csv, xlsx) or a description of its CSV columns.
TEMPLATE_FORMATS = ("csv", "xlsx", "csvw", "frictionless")
#: The file of the template's texts in each language (one row per text, one column per language).
_TEXT_FILE = "template-text.csv"


def _example_row() -> list[str]:
    allowed = allowed_values()
    return [
        "#XA",
        "2024",
        "1",
        allowed["maturity_phase"][1],
        allowed["implementation_status"][1],
        "A national coordinating body was set up in 2023 and meets every quarter.",
        "en",
        "National action plan 2023-2027",
        "https://example.org/national-action-plan.pdf",
        "2023-05-01",
        allowed["assessor_type"][0],
    ]


def _example_source_row() -> list[str]:
    """A documented row that adds a further source document to capability 1's assessment."""
    return [
        "#",
        "",
        "1",
        "",
        "",
        "",
        "",
        "Regional action plan 2024",
        "https://example.org/regional-action-plan.pdf",
        "2024-01-15",
        "",
    ]


def _example_no_data_rows() -> list[list[str]]:
    """Documented rows for the other capabilities.

    'no data', as a submission with nothing to report on a capability says (every capability
    needs a row).
    """
    no_data = str(ontology_graph().value(MNRID["status-no-data"], SKOS.notation))
    count = _capability_count()
    return [
        ["#XA", "2024", str(n), "", no_data, "", "", "", "", "", ""] for n in range(2, count + 1)
    ]


@cache
def _capability_count() -> int:
    return len(set(ontology_graph().subjects(RDF.type, MNR.Capability)))


def example_rows() -> list[list[str]]:
    """The template's documented example.

    A complete submission for the illustrative country XA, every row commented out.
    """
    return [_example_row(), _example_source_row(), *_example_no_data_rows()]


@cache
def _texts() -> dict[str, dict[str, str]]:
    """The template's texts: key -> language -> text (``ontology/template-text.csv``)."""
    with resources.path("ontology", _TEXT_FILE).open(encoding="utf-8", newline="") as handle:
        return {row.pop("key"): row for row in csv.DictReader(handle)}


@cache
def template_languages() -> tuple[str, ...]:
    """The languages the template is written in (the columns of ``ontology/template-text.csv``)."""
    first = next(iter(_texts().values()))
    return tuple(first)


def template_text(key: str, lang: str, **values: object) -> str:
    """One text of the template in a language, its ``{placeholders}`` filled.

    >>> template_text("sheet.capabilities", "es")
    'capacidades'
    """
    text = _texts()[key][lang]
    return text.format(**values) if values else text


def _check_language(lang: str) -> None:
    if lang not in template_languages():
        raise InputError(f"no template in {lang!r}: use one of {', '.join(template_languages())}")


def _instructions(lang: str) -> list[str]:
    """The instructions, one line each, in the template's language."""
    keys = sorted((k for k in _texts() if k.startswith("intro.")), key=lambda k: int(k[6:]))
    names = {
        "count": _capability_count(),
        "capabilities": template_text("sheet.capabilities", lang),
        "values": template_text("sheet.values", lang),
    }
    return [template_text(key, lang, **names) for key in keys]


def _comment_lines(lang: str) -> list[str]:
    """The instructions as the CSV template's comment lines (each starts with #)."""
    allowed = allowed_values()
    lines = [f"# {line}" for line in _instructions(lang)]
    for column, values in allowed.items():
        lines.append(f"# {column}: {' | '.join(values)}")
    return [line.replace("\n", " ") for line in lines]


def _label(node: Any, lang: str) -> str:
    """A node's label in a language (else in English) from the shipped ontology."""
    graph = ontology_graph()
    labels = {
        getattr(label, "language", None): str(label)
        for label in graph.objects(node, SKOS.prefLabel)
    }
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), "")


def _meaning(node: Any) -> str:
    graph = ontology_graph()
    text = graph.value(node, SKOS.definition) or graph.value(node, RDFS.comment)
    return str(text) if text is not None else ""


def _capability_rows(lang: str) -> list[list[Any]]:
    """Number, code, name and domain of each capability, in the template's language."""
    graph = ontology_graph()
    rows: list[list[Any]] = []
    for capability in graph.subjects(RDF.type, MNR.Capability):
        domain = graph.value(capability, MNR.inDomain)
        rows.append(
            [
                int(str(graph.value(capability, MNR.number))),
                str(graph.value(capability, SKOS.notation)),
                _label(capability, lang),
                _label(domain, lang) if domain is not None else "",
            ]
        )
    return sorted(rows)


#: The coded columns, with the class of their values, in the order of the values sheet.
_CODED = (
    ("maturity_phase", MNR.MaturityPhase),
    ("implementation_status", MNR.ImplementationStatus),
    ("assessor_type", MNR.AssessorType),
)


def _coded_rows(lang: str) -> list[list[Any]]:
    """Column, code, number, name and meaning of each phase, status and assessor type."""
    graph = ontology_graph()
    rows: list[list[Any]] = []
    for column, cls in _CODED:
        members = sorted(
            graph.subjects(RDF.type, cls), key=lambda i: int(str(graph.value(i, MNR.number)))
        )
        for member in members:
            rows.append(
                [
                    column,
                    str(graph.value(member, SKOS.notation)),
                    int(str(graph.value(member, MNR.number))),
                    _label(member, lang),
                    _meaning(member),
                ]
            )
    return rows


def template_bytes(fmt: str, *, lang: str = "en") -> bytes:
    """The submission template, or the description of its CSV columns, in a language.

    The template is ``csv`` or ``xlsx``; the description ``csvw`` (CSVW metadata) or
    ``frictionless`` (a data package with a Table Schema). The language is ``en``, ``fr`` or ``es``.
    """
    _check_language(lang)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(list(COLUMNS))
        # comment lines are written as they are: a delimiter in them does not matter after a #
        out.write("".join(line + "\n" for line in _comment_lines(lang)))
        writer.writerows(example_rows())
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from mnr_graph.submissions.template_xlsx import workbook_bytes

        return workbook_bytes(lang)
    if fmt in ("csvw", "frictionless"):
        from mnr_graph.submissions.describe import csvw_metadata, frictionless_package

        described = csvw_metadata() if fmt == "csvw" else frictionless_package()
        return (json.dumps(described, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    raise InputError(f"unknown template format {fmt!r}: use {', '.join(TEMPLATE_FORMATS)}")
