"""``mnr-graph validate``, ``template``, ``submit``, ``withdraw`` and ``generate``: country
submissions, validated and stored with their provenance.

>>> sorted(command.name for command in COMMANDS)[:2]
['generate', 'submit']
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

__all__ = ["COMMANDS"]


def _report_output(report: object, fmt: str) -> str:
    from mnr_graph.submissions.validation import ValidationReport

    assert isinstance(report, ValidationReport)
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "ttl":
        return report.to_turtle()
    return report.to_text()


_SHEET_HELP = "The workbook sheet to read (needed when several sheets look like a submission)."


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True
)
@click.option("--sheet", default=None, metavar="NAME", help=_SHEET_HELP)
@click.option(
    "--annotate",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="OUT.xlsx",
    help="Also write the annotated workbook (CSV or XLSX input): the problem cells coloured, "
    "a comment per cell with the problem and the fix, and a summary sheet.",
)
@click.pass_context
def validate(
    ctx: click.Context, file: Path, fmt: str, sheet: str | None, annotate: Path | None
) -> None:
    """Validate a submission (Turtle, JSON-LD, CSV, XLSX).

    Exit 0 conforms (warnings allowed), 1 violations, 2 unusable input.
    """
    from mnr_graph.core.errors import InputError, error_body
    from mnr_graph.submissions.validation import validate_bytes

    data = file.read_bytes()
    try:
        report = validate_bytes(data, filename=str(file), sheet=sheet)
        if annotate is not None:
            from mnr_graph.submissions.annotate import annotate_workbook

            annotate.write_bytes(annotate_workbook(data, report, filename=str(file)))
    except InputError as exc:
        if fmt == "json":  # a program reading stdout gets JSON even for an unusable file
            payload = {"conforms": False, "error": error_body(exc), "results": []}
            click.echo(json.dumps(payload, indent=2))
        raise
    click.echo(_report_output(report, fmt), nl=False)
    ctx.exit(0 if report.conforms else 1)


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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


COMMANDS = (validate, template, submit, withdraw, generate)
