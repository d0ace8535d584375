"""``mnr-graph validate``, ``template``, ``submit``, ``withdraw`` and ``generate``.

Country submissions, validated and stored with their provenance.

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


_NAME_HELP = (
    "The file name of standard input (-), whose ending gives its format (XA-2024.csv); "
    "without it the content says (Turtle, JSON-LD, XLSX)."
)


def _max_bytes() -> int:
    from mnr_graph.core.settings import Settings

    return Settings.from_env().max_upload_bytes


def _read(path: Path, limit: int, name: str | None) -> tuple[str, bytes]:
    """A file's name and bytes (``-``: standard input), refused when larger than the limit."""
    from mnr_graph.core.errors import InputError
    from mnr_graph.submissions.batch import check_size

    if str(path) == "-":
        data = sys.stdin.buffer.read(limit + 1)
        filename = name or "-"
        check_size(len(data), limit, where=filename)
        return filename, data
    if not path.is_file():
        raise InputError("no such file", where=str(path))
    check_size(path.stat().st_size, limit, where=str(path))
    return str(path), path.read_bytes()


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True
)
@click.option("--sheet", default=None, metavar="NAME", help=_SHEET_HELP)
@click.option("--name", default=None, metavar="FILENAME", help=_NAME_HELP)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("validation-reports"),
    show_default=True,
    help="Where the report of each file goes when several files (or a folder) are validated.",
)
@click.option(
    "--annotate",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="OUT.xlsx",
    help="Also write the annotated workbook (one CSV or XLSX file): the problem cells coloured, "
    "a comment per cell with the problem and the fix, and a summary sheet.",
)
@click.pass_context
def validate(
    ctx: click.Context,
    files: tuple[Path, ...],
    fmt: str,
    sheet: str | None,
    name: str | None,
    report_dir: Path,
    annotate: Path | None,
) -> None:
    """Validate submissions (Turtle, JSON-LD, CSV, XLSX).

    One FILE, several, a folder, or - for standard input.

    One file: its report. Several (or a folder): a table of file, country, year, violations and
    warnings, and each file's report in --report-dir. Exit 0 all conform (warnings allowed),
    1 violations, 2 unusable input.
    """
    from mnr_graph.core.errors import InputError, error_body
    from mnr_graph.submissions.batch import submission_files
    from mnr_graph.submissions.validation import validate_bytes

    limit = _max_bytes()
    paths = list(files)
    if len(paths) == 1 and not paths[0].is_dir():
        try:
            filename, data = _read(paths[0], limit, name)
            report = validate_bytes(data, filename=filename, sheet=sheet)
            if annotate is not None:
                from mnr_graph.submissions.annotate import annotate_workbook

                annotate.write_bytes(annotate_workbook(data, report, filename=filename))
        except InputError as exc:
            if fmt == "json":  # a program reading stdout gets JSON even for an unusable file
                payload = {"conforms": False, "error": error_body(exc), "results": []}
                click.echo(json.dumps(payload, indent=2))
            raise
        click.echo(_report_output(report, fmt), nl=False)
        ctx.exit(0 if report.conforms else 1)
    if sheet is not None or annotate is not None:
        option = "--sheet" if sheet is not None else "--annotate"
        raise InputError(f"{option} is for one workbook, not for several files", where=option)
    _validate_batch(ctx, submission_files(paths), fmt, limit, report_dir)


def _validate_batch(
    ctx: click.Context, paths: list[Path], fmt: str, limit: int, report_dir: Path
) -> None:
    from mnr_graph.core.errors import InputError
    from mnr_graph.submissions.batch import BatchEntry, summary_table
    from mnr_graph.submissions.validation import validate_bytes

    entries: list[BatchEntry] = []
    for path in paths:
        try:
            filename, data = _read(path, limit, None)
            entries.append(BatchEntry(filename, validate_bytes(data, filename=filename)))
        except InputError as exc:
            entries.append(BatchEntry(str(path), None, exc))
    report_dir.mkdir(parents=True, exist_ok=True)
    suffix = {"text": "txt", "json": "json", "ttl": "ttl"}[fmt]
    for entry in entries:
        target = report_dir / f"{Path(entry.filename).name}.report.{suffix}"
        if entry.report is not None:
            target.write_text(_report_output(entry.report, fmt), encoding="utf-8")
        elif fmt == "json":
            target.write_text(json.dumps(entry.to_json(), indent=2) + "\n", encoding="utf-8")
        else:
            target.write_text(f"{entry.error}\n", encoding="utf-8")
    if fmt == "json":
        click.echo(json.dumps([e.to_json() for e in entries], indent=2, ensure_ascii=False))
    else:
        click.echo(summary_table(entries))
        click.echo(f"reports: {report_dir}/")
    statuses = {e.status for e in entries}
    ctx.exit(2 if "unusable" in statuses else 1 if "does not conform" in statuses else 0)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "csvw", "frictionless"]),
    default="csv",
    show_default=True,
    help="The template (csv, xlsx), or the description of its CSV columns: CSVW metadata "
    "(csvw) or a Frictionless data package with a Table Schema (frictionless).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fr", "es"]),
    default="en",
    show_default=True,
    help="The language of the instructions and of the names in the lists.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def template(fmt: str, lang: str, output: Path | None) -> None:
    """Write an empty submission template.

    The header, instructions and a documented example (country XA); the XLSX template adds
    sheets of the capabilities and phases, drop-down lists and date cells.
    """
    from mnr_graph.submissions.template import template_bytes

    data = template_bytes(fmt, lang=lang)
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
    from mnr_graph.submissions.holder import open_for_writing
    from mnr_graph.submissions.ingest import submit as submit_file

    filename, data = _read(file, _max_bytes(), None)
    store = open_for_writing(store_dir, EmbeddedStore)
    try:
        record = submit_file(
            store,
            data,
            filename=filename,
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
    """Withdraw a stored version (COUNTRY YEAR VERSION: FR 2024 3).

    The previous version becomes current again. The version stays in the store with its history
    (PROV-O).
    """
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
