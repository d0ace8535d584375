"""The ``mnr-graph`` command line: a thin adapter over the library.

Each command parses its options, calls library functions and prints. Errors from
:mod:`mnr_graph.core.errors` become a message on stderr and the error's ``exit_code``, in one place
(:func:`main`). Commands are grouped by concern below, one section per library module.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO

import click

from mnr_graph import __version__
from mnr_graph.core.errors import MnrGraphError
from mnr_graph.framework.ontology import EXPORT_FORMATS

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mnr-graph")
def cli() -> None:
    """mnr-graph: the Model National Response and its terminology as linked data."""


# --- ontology (mnr_graph.framework.ontology) ---


@cli.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON.")
def info_command(as_json: bool) -> None:
    """Version and counts (classes, capabilities, concepts, triples) of the shipped graph."""
    from mnr_graph.framework import ontology

    facts = ontology.info()
    click.echo(json.dumps(facts.to_json(), indent=2) if as_json else facts.to_text())


@cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="ttl",
    show_default=True,
    help="Turtle, N-Triples, JSON-LD (shipped context) or RDF/XML for OWL tools.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_command(fmt: str, output: Path | None) -> None:
    """Write the whole shipped graph (ontology, framework, terminology) to stdout or a file."""
    from mnr_graph.framework import ontology

    data = ontology.export(fmt)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(data)} bytes, {fmt})", err=True)


@cli.command("export-context")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_context_command(output: Path | None) -> None:
    """Generate the JSON-LD context (shipped as ontology/context.jsonld) from the ontology."""
    from mnr_graph.framework.context import context_text

    text = context_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@cli.command("check-ontology")
@click.option("--no-reasoner", is_flag=True, help="Skip HermiT (needs Java).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def check_ontology_command(ctx: click.Context, no_reasoner: bool, as_json: bool) -> None:
    """Run the reasoner, the SKOS quality shapes and the check queries; exit 1 if any fails."""
    from mnr_graph.framework import ontology

    report = ontology.check_ontology(reasoner=not no_reasoner)
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else report.to_text())
    ctx.exit(0 if report.passed else 1)


# --- terminology (mnr_graph.terminology) ---


@cli.command("term")
@click.argument("text")
@click.option(
    "--lang", default=None, help="Language of the answer and preferred matches (en, fr, es)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def term_command(ctx: click.Context, text: str, lang: str | None, fmt: str) -> None:
    """Look a term up in any language; exit 0 on a match, 1 (with suggestions) on none."""
    from mnr_graph.terminology.vocabulary import load_vocabulary

    result = load_vocabulary().lookup(text, lang=lang)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.to_text())
    ctx.exit(0 if result.matches else 1)


@cli.command("terms")
@click.option("--band", default=None, help="Only this band: use, caution or avoid.")
@click.option("--lang", default=None, help="Only labels in this language.")
@click.option("--group", default=None, help="Only this group (slug such as prostitution).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
def terms_command(band: str | None, lang: str | None, group: str | None, fmt: str) -> None:
    """List the vocabulary's terms, filtered by band, language and group."""
    from mnr_graph.terminology.vocabulary import load_vocabulary, terms_to_csv, terms_to_text

    rows = load_vocabulary().list_terms(band=band, lang=lang, group=group)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(terms_to_csv(rows), nl=False)
    else:
        click.echo(terms_to_text(rows))


@cli.command("check")
@click.argument("file", type=click.File("rb"))
@click.option("--lang", default=None, help="Check only the terms of this language.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def check_command(ctx: click.Context, file: BinaryIO, lang: str | None, fmt: str) -> None:
    """Report avoided and cautioned terms in a text, Markdown or HTML file (- for stdin).

    Exit 1 when a term to avoid is found, else 0.
    """
    from mnr_graph.terminology.checker import check_text, decode_text
    from mnr_graph.terminology.vocabulary import BAND_AVOID

    name = str(getattr(file, "name", "<stdin>"))
    text = decode_text(file.read(), where=name)
    findings = check_text(text, lang=lang)
    if fmt == "json":
        payload = {"file": name, "findings": [f.to_json() for f in findings]}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(finding.to_text(name))
    ctx.exit(1 if any(f.band == BAND_AVOID for f in findings) else 0)


@cli.command("export-vale")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_vale_command(directory: Path) -> None:
    """Write the vocabulary as a Vale style (substitution rules, one file per group)."""
    from mnr_graph.terminology.publish import write_vale_style

    for path in write_vale_style(directory):
        click.echo(str(path))


@cli.command("export-glossary")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "csv"]), default="md")
@click.option("--lang", default=None, help="Only labels in this language (default: all).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_glossary_command(fmt: str, lang: str | None, output: Path | None) -> None:
    """Write a printable glossary by group (Markdown, HTML or CSV)."""
    from mnr_graph.terminology.publish import glossary

    text = glossary(fmt, lang=lang)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


# --- validation and ingest (mnr_graph.submissions) ---


def _report_output(report: object, fmt: str) -> str:
    from mnr_graph.submissions.validation import ValidationReport

    assert isinstance(report, ValidationReport)
    if fmt == "json":
        import json

        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "ttl":
        return report.to_turtle()
    return report.to_text()


_SHEET_HELP = "The workbook sheet to read (needed when several sheets look like a submission)."


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True
)
@click.option("--sheet", default=None, metavar="NAME", help=_SHEET_HELP)
@click.pass_context
def validate(ctx: click.Context, file: Path, fmt: str, sheet: str | None) -> None:
    """Validate a submission (Turtle, JSON-LD, CSV, XLSX).

    Exit 0 conforms (warnings allowed), 1 violations, 2 unusable input.
    """
    from mnr_graph.core.errors import InputError
    from mnr_graph.submissions.validation import validate_bytes

    try:
        report = validate_bytes(file.read_bytes(), filename=str(file), sheet=sheet)
    except InputError as exc:
        if fmt == "json":  # a program reading stdout gets JSON even for an unusable file
            import json

            error = {"message": exc.message, "where": exc.where}
            click.echo(json.dumps({"conforms": False, "error": error, "results": []}, indent=2))
        raise
    click.echo(_report_output(report, fmt), nl=False)
    ctx.exit(0 if report.conforms else 1)


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def template(fmt: str, output: Path | None) -> None:
    """Write an empty submission template: the header and a documented example row (country XA)."""
    from mnr_graph.submissions.template import template_bytes

    data = template_bytes(fmt)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), required=True
)
@click.option("--submitter", default=None, help="Name of the person or team submitting.")
@click.option("--sheet", default=None, metavar="NAME", help=_SHEET_HELP)
@click.option(
    "--replace",
    is_flag=True,
    help="Store it even when it repeats an older version or has less data than the current one.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def submit(
    ctx: click.Context,
    file: Path,
    store_dir: Path,
    submitter: str | None,
    sheet: str | None,
    replace: bool,
    fmt: str,
) -> None:
    """Validate a submission and, if it has no violation, store it in a persistent store.

    A file that repeats an older version, or has less data than the current one, is refused
    (exit 1, saying what it was compared with) unless --replace is given.
    """
    import json

    from mnr_graph.core.errors import ValidationFailedError
    from mnr_graph.query.store import EmbeddedStore
    from mnr_graph.submissions.ingest import submit as submit_file

    store = EmbeddedStore(store_dir)
    try:
        record = submit_file(
            store,
            file.read_bytes(),
            filename=str(file),
            submitter=submitter,
            sheet=sheet,
            replace=replace,
        )
    except ValidationFailedError as exc:
        click.echo(_report_output(getattr(exc, "report", None), fmt), nl=False)
        raise
    if fmt == "json":
        click.echo(json.dumps(record.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(record.report.to_text(), nl=False)
        if record.unchanged:
            click.echo(
                f"unchanged: the file says what the current version {record.version} says, "
                f"<{record.graph}>; nothing was stored"
            )
        else:
            revision = f", revision of {record.previous}" if record.previous else ""
            click.echo(f"stored as <{record.graph}> (version {record.version}{revision})")
            if record.notice:
                click.echo(f"note: {record.notice}")


@cli.command()
@click.argument("country")
@click.argument("year")
@click.argument("version")
@click.option(
    "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), required=True
)
@click.option("--by", default=None, help="Name of the person or team withdrawing it.")
@click.option("--reason", default=None, help="Why it is withdrawn (kept with its history).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def withdraw(
    country: str,
    year: str,
    version: str,
    store_dir: Path,
    by: str | None,
    reason: str | None,
    fmt: str,
) -> None:
    """Withdraw a stored version (COUNTRY YEAR VERSION: FR 2024 3); the previous version
    becomes current again. The version stays in the store with its history (PROV-O)."""
    import json

    from mnr_graph.query.store import EmbeddedStore
    from mnr_graph.submissions.ingest import withdraw as withdraw_version

    if not store_dir.is_dir():
        from mnr_graph.core.errors import InputError

        raise InputError("no such store folder", where=str(store_dir))
    result = withdraw_version(
        EmbeddedStore(store_dir), country, year, version, by=by, reason=reason
    )
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        now = f"<{result['current']}> is current" if result["current"] else "no version is current"
        click.echo(f"withdrew <{result['graph']}> (version {result['version']}); {now}")


@cli.command()
@click.option("--countries", type=int, default=3, show_default=True)
@click.option("--years", type=int, default=1, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
def generate(countries: int, years: int, seed: int, output: Path) -> None:
    """Write a deterministic illustrative dataset (user-assigned codes XA.., XAA..) as Turtle."""
    from mnr_graph.submissions.generate import dataset_turtle

    text = dataset_turtle(countries=countries, years=years, seed=seed, progress=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {countries * years} submissions to {output}", err=True)


@cli.command("export-country-shape")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_country_shape(output: Path | None) -> None:
    """Write shape S13 (every ISO 3166-1 code, from pycountry): shapes/iso3166.ttl."""
    from mnr_graph.framework.countries import country_shape_text

    text = country_shape_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


# --- server (mnr_graph.web.app, mnr_graph.query.store) ---


@cli.command()
@click.option("--host", default=None, help="Interface to listen on [127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [8000].")
@click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="On-disk store of ingested submissions (embedded mode); default: in memory.",
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An RDF file to serve in its own named graph (repeatable).",
)
@click.option("--sparql-endpoint", default=None, help="Remote SPARQL 1.1 query endpoint.")
@click.option("--update-endpoint", default=None, help="Remote SPARQL 1.1 update endpoint.")
@click.option("--gsp-endpoint", default=None, help="Remote Graph Store Protocol endpoint.")
@click.option("--query-timeout", type=float, default=None, help="Seconds per query [5].")
@click.option("--result-limit", type=int, default=None, help="Most rows per answer [10000].")
@click.option("--workers", "query_workers", type=int, default=None, help="Query processes.")
@click.option(
    "--query-memory",
    "query_memory_mb",
    type=int,
    default=None,
    help="MB a query may allocate before it is stopped [1024; 0: no cap].",
)
@click.option(
    "--write-token-env",
    metavar="VAR",
    default=None,
    help="Environment variable holding the bearer token for writes [MNR_GRAPH_WRITE_TOKEN].",
)
@click.option(
    "--examples/--no-examples",
    default=None,
    help="Serve the demo (the shipped examples, marked as such) [only without --data, --store "
    "or a remote store].",
)
def serve(
    host: str | None,
    port: int | None,
    store_path: Path | None,
    data_files: tuple[Path, ...],
    sparql_endpoint: str | None,
    update_endpoint: str | None,
    gsp_endpoint: str | None,
    query_timeout: float | None,
    result_limit: int | None,
    query_workers: int | None,
    query_memory_mb: int | None,
    write_token_env: str | None,
    examples: bool | None,
) -> None:
    """Serve the API, the SPARQL endpoint and the linked-data pages.

    With no data given (no --data, --store or remote store) it serves the demo: the shipped
    examples, marked as such on every page.
    """
    import os
    import time
    from concurrent.futures import ThreadPoolExecutor

    from mnr_graph.core.errors import InputError
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.store import build_store

    started = time.perf_counter()
    token = None
    if write_token_env:
        token = os.environ.get(write_token_env)
        if not token:
            raise InputError(f"the environment variable {write_token_env} is not set")
    settings = Settings.from_env().with_(
        host=host,
        port=port,
        store_path=store_path,
        data_files=data_files or None,
        sparql_endpoint=sparql_endpoint,
        update_endpoint=update_endpoint,
        gsp_endpoint=gsp_endpoint,
        query_timeout=query_timeout,
        result_limit=result_limit,
        query_workers=query_workers,
        query_memory_mb=query_memory_mb,
        write_token=token,
        examples=examples,
    )
    # Load the data while the web modules import: pyoxigraph parses without holding the GIL.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mnr-graph-load") as pool:
        loading = pool.submit(build_store, settings)
        import uvicorn

        from mnr_graph.web.app import get_fastapi_app

        store = loading.result()
    app = get_fastapi_app(settings, store=store)
    demo = "; demo: the shipped examples" if settings.demo else ""
    click.echo(
        f"mnr-graph {__version__}: store ready in {time.perf_counter() - started:.2f} s; "
        f"serving http://{settings.host}:{settings.port}/ (writes "
        f"{'on' if settings.writes_enabled else 'off'}{demo})",
        err=True,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


@cli.command()
@click.option("--endpoint", required=True, help="The SPARQL 1.1 query endpoint.")
@click.option("--update-endpoint", default=None, help="The update endpoint [--endpoint].")
@click.option("--gsp", default=None, help="A Graph Store Protocol endpoint (faster for big files).")
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also push this RDF file, in its own named graph (repeatable).",
)
@click.option(
    "--examples",
    is_flag=True,
    help="Also push the demo (the shipped examples, in their own graphs and IRI space); "
    "without it, demo graphs on the endpoint are dropped.",
)
def load(
    endpoint: str,
    update_endpoint: str | None,
    gsp: str | None,
    data_files: tuple[Path, ...],
    examples: bool,
) -> None:
    """Push the shipped graphs (and --data files, and with --examples the demo) to a remote
    endpoint."""
    from mnr_graph.query.store import RemoteStore, data_graph, push_graphs, set_demo, shipped_graphs

    store = RemoteStore(endpoint, update_endpoint=update_endpoint, gsp_endpoint=gsp, timeout=60)
    files = [*shipped_graphs(), *((data_graph(f), f) for f in data_files)]
    try:
        for graph in push_graphs(store, files):
            click.echo(graph)
        for graph in set_demo(store, examples):
            click.echo(graph if examples else f"dropped {graph}")
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map library errors to a message and an exit code."""
    try:
        # With standalone_mode=False click returns ``ctx.exit(code)``'s code instead of exiting.
        rv = cli.main(args=argv, prog_name="mnr-graph", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except MnrGraphError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        if exc.filename is None:
            raise
        # A file named on the command line cannot be written or read (no such folder, no access).
        click.echo(f"error: {exc.filename}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    sys.exit(rv if isinstance(rv, int) else 0)
