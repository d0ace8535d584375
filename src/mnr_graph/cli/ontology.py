"""``mnr-graph info``, ``export``, ``export-context``, ``check-ontology``, ``export-country-shape``.

The shipped ontology and framework.

>>> sorted(command.name for command in COMMANDS)[:2]
['check-ontology', 'export']
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from mnr_graph.framework.ontology import EXPORT_FORMATS

__all__ = ["COMMANDS"]


@click.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON.")
def info_command(as_json: bool) -> None:
    """Version and counts (classes, capabilities, concepts, triples) of the shipped graph."""
    from mnr_graph.framework import ontology

    facts = ontology.info()
    click.echo(json.dumps(facts.to_json(), indent=2) if as_json else facts.to_text())


@click.command("export")
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


@click.command("export-context")
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


@click.command("check-ontology")
@click.option("--no-reasoner", is_flag=True, help="Skip HermiT (needs Java).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def check_ontology_command(ctx: click.Context, no_reasoner: bool, as_json: bool) -> None:
    """Run the reasoner, the SKOS quality shapes and the check queries; exit 1 if any fails."""
    from mnr_graph.framework import ontology

    report = ontology.check_ontology(reasoner=not no_reasoner)
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else report.to_text())
    ctx.exit(0 if report.passed else 1)


@click.command("export-country-shape")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_country_shape(output: Path | None) -> None:
    """Write shape S13 (every ISO 3166-1 code, from pycountry): shapes/iso3166.ttl."""
    from mnr_graph.framework.countries import country_shape_text

    text = country_shape_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


COMMANDS = (
    info_command,
    export_command,
    export_context_command,
    check_ontology_command,
    export_country_shape,
)
