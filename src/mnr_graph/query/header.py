r"""The header of a named query file: ``# @summary``, ``# @param`` and ``# @column`` lines.

See :mod:`mnr_graph.query.named` for the format. Each parameter's example and default are checked
against its type when the header is read.

>>> text = "# @summary Capabilities.\n# @column capability -- the capability\nSELECT ..."
>>> [c.name for c in parse_header(text)["columns"]]
['capability']
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from mnr_graph.core.errors import InputError
from mnr_graph.query.parameters import PARAMETER_TYPES, parse_value

__all__ = ["Column", "Parameter", "parse_header"]

_HEADER_LINE = re.compile(r"^#\s*@(\w+)\s*(.*)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a named query."""

    name: str
    type: str
    required: bool
    example: str
    description: str
    default: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The parameter as listed at ``GET /queries``."""
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "example": self.example,
            "description": self.description,
            "expected": PARAMETER_TYPES[self.type].description,
        }


@dataclass(frozen=True)
class Column:
    """One declared result column of a named query."""

    name: str
    description: str


def _split_description(rest: str, *, where: str) -> tuple[str, str]:
    head, sep, text = rest.partition(" -- ")
    if not sep or not text.strip():
        raise InputError(f"expected 'NAME ... -- description' in {rest!r}", where=where)
    return head.strip(), text.strip()


def _parse_param(rest: str, *, where: str) -> Parameter:
    head, text = _split_description(rest, where=where)
    try:
        words = shlex.split(head)
    except ValueError as exc:
        raise InputError(f"{exc} in {head!r}", where=where) from None
    if len(words) < 3:
        raise InputError(
            f"expected '@param NAME TYPE required|optional ...': {rest!r}", where=where
        )
    name, type_name, need, *options = words
    if not _NAME.match(name):
        raise InputError(f"bad parameter name {name!r}", where=where)
    if type_name not in PARAMETER_TYPES:
        raise InputError(
            f"unknown parameter type {type_name!r}; known: {', '.join(PARAMETER_TYPES)}",
            where=where,
        )
    if need not in ("required", "optional"):
        raise InputError(f"expected 'required' or 'optional', not {need!r}", where=where)
    opts: dict[str, str] = {}
    for option in options:
        key, eq, value = option.partition("=")
        if not eq or key not in ("default", "example") or not value:
            raise InputError(f"bad option {option!r} (default=V or example=V)", where=where)
        opts[key] = value
    if "example" not in opts:
        raise InputError(f"parameter {name!r} has no example=", where=where)
    for key in ("example", "default"):
        if key in opts:
            try:
                parse_value(type_name, opts[key])
            except InputError as exc:
                raise InputError(f"{key} of {name!r}: {exc.message}", where=where) from None
    return Parameter(
        name=name,
        type=type_name,
        required=need == "required",
        example=opts["example"],
        description=text,
        default=opts.get("default"),
    )


def parse_header(text: str, *, where: str = "<query>") -> dict[str, Any]:
    """Parse the ``#`` header of a query text.

    ``summary``, ``description``, ``parameters``, ``columns``.

    >>> h = parse_header('''# @summary Capabilities.
    ... # @param lang language optional default=en example=fr -- label language
    ... # @column capability -- the capability
    ... SELECT ?capability ?lang WHERE { ?capability ?p ?o }''')
    >>> h["summary"], h["parameters"][0].default, h["columns"][0].name
    ('Capabilities.', 'en', 'capability')
    """
    summary: str | None = None
    description: list[str] = []
    parameters: list[Parameter] = []
    columns: list[Column] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = _HEADER_LINE.match(stripped)
        if match is None:
            continue
        at = f"{where}: line {number}"
        key, rest = match.group(1), match.group(2).strip()
        if key == "summary":
            if summary is not None or not rest:
                raise InputError("exactly one non-empty @summary is needed", where=at)
            summary = rest
        elif key == "description":
            description.append(rest)
        elif key == "param":
            parameters.append(_parse_param(rest, where=at))
        elif key == "column":
            name, col_text = _split_description(rest, where=at)
            if not _NAME.match(name):
                raise InputError(f"bad column name {name!r}", where=at)
            columns.append(Column(name, col_text))
        else:
            raise InputError(f"unknown header field @{key}", where=at)
    if summary is None:
        raise InputError("the header has no @summary", where=where)
    if not columns:
        raise InputError("the header declares no @column", where=where)
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise InputError("a parameter is declared twice", where=where)
    return {
        "summary": summary,
        "description": " ".join(description),
        "parameters": tuple(parameters),
        "columns": tuple(columns),
    }
