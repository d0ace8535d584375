"""``mnr-graph term``, ``terms``, ``concept``, ``check``, ``export-vale`` and ``export-glossary``.

The terminology, its look-up and search, and the text checker.

>>> sorted(command.name for command in COMMANDS)[:2]
['check', 'concept']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

import click

__all__ = ["COMMANDS"]


@click.command("term")
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


@click.command("terms")
@click.option("--band", default=None, help="Only this band: use, caution or avoid.")
@click.option(
    "--lang",
    default=None,
    help="Only labels in this language (with --search: labels in it first).",
)
@click.option("--group", default=None, help="Only this group (slug such as prostitution).")
@click.option(
    "--search",
    "-q",
    default=None,
    metavar="TEXT",
    help="Only labels containing TEXT (ignoring case and accents) or found by the look-up "
    "(plurals, hyphens), best first: as GET /terms?q= gives them.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
def terms_command(
    band: str | None, lang: str | None, group: str | None, search: str | None, fmt: str
) -> None:
    """List or search the vocabulary's terms, filtered by band, language and group."""
    from mnr_graph.terminology.search import search_terms
    from mnr_graph.terminology.vocabulary import load_vocabulary, terms_to_csv, terms_to_text

    if search is not None and search.strip():
        rows = search_terms(search, lang=lang, band=band, group=group)
    else:
        rows = load_vocabulary().list_terms(band=band, lang=lang, group=group)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(terms_to_csv(rows), nl=False)
    else:
        click.echo(terms_to_text(rows))


@click.command("concept")
@click.argument("id")
@click.option("--lang", default=None, help="Language of the answer (en, fr, es).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def concept_command(id: str, lang: str | None, fmt: str) -> None:
    """Describe one concept by its id (child-sexual-abuse-material).

    Its definition, sources, review and every label with its band, as GET /terms/{id} gives it.
    Exit 1 if unknown.
    """
    from mnr_graph.terminology.search import describe_term, description_to_text

    description = describe_term(id, lang=lang)
    if fmt == "json":
        click.echo(json.dumps(description, indent=2, ensure_ascii=False))
    else:
        click.echo(description_to_text(description))


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.File("rb"))
@click.option("--lang", default=None, help="Check only the terms of this language.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    help="text (file:line:column lines), json, sarif (SARIF 2.1.0 for code-scanning views) or "
    "github (GitHub Actions annotations).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Project configuration (default: the nearest .mnr-graph.toml above the first file).",
)
@click.pass_context
def check_command(
    ctx: click.Context,
    files: tuple[BinaryIO, ...],
    lang: str | None,
    fmt: str,
    config_path: Path | None,
) -> None:
    """Report avoided and cautioned terms in files: text, Markdown, HTML, .docx, .odt (-: stdin).

    Suppression comments (<!-- mnr-graph: off -->) and .mnr-graph.toml are honoured.
    Exit 1 when a term to avoid is found, else 0.
    """
    from mnr_graph.terminology.config import check_document, find_config, load_config
    from mnr_graph.terminology.readers import read_document
    from mnr_graph.terminology.reports import github_annotations, sarif_log
    from mnr_graph.terminology.vocabulary import BAND_AVOID

    names = [str(getattr(file, "name", "<stdin>")) for file in files]
    if config_path is None:
        first = Path(names[0]) if names[0] not in ("-", "<stdin>") else Path.cwd()
        config_path = find_config(first)
    config = load_config(config_path) if config_path is not None else None
    checked = []
    for name, file in zip(names, files, strict=True):
        text = read_document(file.read(), name)
        checked.append((name, text, check_document(text, lang=lang, config=config)))
    if fmt == "json":
        payloads = [
            {"file": name, "findings": [f.to_json() for f in findings]}
            for name, _, findings in checked
        ]
        payload = payloads[0] if len(payloads) == 1 else payloads
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    elif fmt == "sarif":
        click.echo(json.dumps(sarif_log(checked), indent=2, ensure_ascii=False))
    elif fmt == "github":
        for line in github_annotations(checked):
            click.echo(line)
    else:
        for name, _, findings in checked:
            for finding in findings:
                click.echo(finding.to_text(name))
    ctx.exit(1 if any(f.band == BAND_AVOID for _, _, found in checked for f in found) else 0)


@click.command("export-vale")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_vale_command(directory: Path) -> None:
    """Write the vocabulary as a Vale style (substitution rules, one file per group)."""
    from mnr_graph.terminology.publish import write_vale_style

    for path in write_vale_style(directory):
        click.echo(str(path))


@click.command("export-glossary")
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


COMMANDS = (
    term_command,
    terms_command,
    concept_command,
    check_command,
    export_vale_command,
    export_glossary_command,
)
