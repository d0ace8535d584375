"""``mnr-graph queries``, ``query`` and ``sparql``: the named queries and SPARQL over a store.

The store is the one ``mnr-graph serve`` would serve with the same options (the shipped graphs,
each ``--data`` file in its own graph, the on-disk ``--store``, the demo when no data is given),
so ``mnr-graph query NAME`` answers as ``GET /queries/NAME`` and ``mnr-graph sparql`` as
``/sparql`` do.

>>> sorted(command.name for command in COMMANDS)
['export-assessments', 'queries', 'query', 'sparql']
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

__all__ = ["COMMANDS"]


def _store_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that say which store to read, as ``mnr-graph serve`` takes them."""
    options = [
        click.option(
            "--store",
            "store_path",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="On-disk store of ingested submissions (as serve --store).",
        ),
        click.option(
            "--data",
            "data_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="An RDF file to read in its own named graph (repeatable).",
        ),
        click.option(
            "--examples/--no-examples",
            default=None,
            help="Read the demo (the shipped examples) [only without --data or --store].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _store(store_path: Path | None, data_files: tuple[Path, ...], examples: bool | None) -> Any:
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.store import build_store

    settings = Settings.from_env().with_(
        store_path=store_path, data_files=data_files or None, examples=examples
    )
    return build_store(settings)


@click.command("queries")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def queries_command(fmt: str) -> None:
    """List the named queries with their parameters (as GET /queries)."""
    from mnr_graph.query.named import PARAMETER_TYPES, load_queries

    listed = list(load_queries().values())
    if fmt == "json":
        click.echo(json.dumps([q.to_json() for q in listed], indent=2, ensure_ascii=False))
        return
    for q in listed:
        click.echo(f"{q.id} {q.name}: {q.summary}")
        for p in q.parameters:
            need = "required" if p.required else "optional"
            need += f", default {p.default}" if p.default is not None else ""
            kind = PARAMETER_TYPES[p.type].description
            click.echo(f"    {p.name}=  {p.description} ({kind}; {need}; e.g. {p.example})")


def _parameters(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"{pair!r}: give NAME=VALUE", param_hint="PARAMETERS")
        if name in values:
            raise click.BadParameter(f"give {name!r} once", param_hint="PARAMETERS")
        values[name] = value
    return values


def _text_table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    """Rows as tab-separated text with a header line (empty cells for unbound values)."""
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append("\t".join("" if row[c] is None else str(row[c]) for c in columns))
    return "\n".join(lines)


@click.command("query")
@click.argument("name")
@click.argument("parameters", nargs=-1, metavar="[NAME=VALUE]...")
@_store_options
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many rows.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
def query_command(
    name: str,
    parameters: tuple[str, ...],
    store_path: Path | None,
    data_files: tuple[Path, ...],
    examples: bool | None,
    limit: int | None,
    offset: int,
    fmt: str,
) -> None:
    """Run a named query (a name such as country-profile, or its id Q03) with its parameters.

    The parameters are given as country=XA lang=fr (mnr-graph queries lists them). Exit 1 for an
    unknown query, country, capability ...; 2 for a malformed parameter.
    """
    from mnr_graph.query.named import get_query, run_query

    query = get_query(name)  # an unknown name fails before the store is read
    values = _parameters(parameters)
    table = run_query(
        _store(store_path, data_files, examples), query.name, values, limit=limit, offset=offset
    )
    if fmt == "json":
        click.echo(json.dumps(table.to_json(), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(table.to_csv(), nl=False)
    else:
        click.echo(_text_table(table.columns, table.rows))
        if table.truncated:
            click.echo(f"(more rows follow: --offset {table.next_offset})", err=True)


@click.command("sparql")
@click.argument("query")
@_store_options
@click.option("--limit", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="json, xml, csv, tsv (SELECT, ASK) or turtle, ntriples, jsonld, rdfxml (CONSTRUCT, "
    "DESCRIBE) [json or turtle].",
)
def sparql_command(
    query: str,
    store_path: Path | None,
    data_files: tuple[Path, ...],
    examples: bool | None,
    limit: int,
    fmt: str | None,
) -> None:
    """Run a read-only SPARQL query (a text, or @FILE, or - for stdin) as /sparql runs it.

    No updates, no SERVICE, at most --limit rows (a note on stderr when cut).
    """
    from mnr_graph.query.engine import execute
    from mnr_graph.query.formats import negotiate
    from mnr_graph.query.protocol import parse_request

    if query == "-":
        query = sys.stdin.read()
    elif query.startswith("@"):
        query = Path(query[1:]).read_text(encoding="utf-8")
    request = parse_request("GET", None, [("query", query)], b"", limit=limit)
    assert request is not None  # a query was given
    request = request.with_format(negotiate(request.kind, None, fmt, boolean=request.boolean))
    answer = execute(_store(store_path, data_files, examples), request)
    sys.stdout.buffer.write(answer.body)
    if answer.capped:
        click.echo(f"(results cut at {limit} rows: --limit)", err=True)


@click.command("export-assessments")
@_store_options
@click.option("--country", default=None, help="Only this country (a code such as XA).")
@click.option("--year", default=None, help="Only this reporting year (2024).")
@click.option("--domain", default=None, help="Only the capabilities of this domain (D02).")
@click.option(
    "--current/--all-versions",
    default=None,
    help="Only the versions in force, or every version [every version, with isCurrent].",
)
@click.option("--lang", default=None, help="Language of the labels (en, fr, es) [en].")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of stdout.",
)
def export_assessments_command(
    store_path: Path | None,
    data_files: tuple[Path, ...],
    examples: bool | None,
    country: str | None,
    year: str | None,
    domain: str | None,
    current: bool | None,
    lang: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Export the assessments as a tidy table.

    One row per assessment (country, year, version, current or not, capability, domain, phase,
    status, assessor type, evidence language, source count), as /export/assessments.csv gives
    it.
    """
    from mnr_graph.query.export import export_assessments, render_export

    table = export_assessments(
        _store(store_path, data_files, examples),
        country=country,
        year=year,
        domain=domain,
        current=current,
        lang=lang,
    )
    text = render_export(table, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(table.rows)} assessments written to {output}", err=True)


COMMANDS = (queries_command, query_command, sparql_command, export_assessments_command)
