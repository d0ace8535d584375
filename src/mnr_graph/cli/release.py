"""``mnr-graph release DIR``: dated dumps of the published graphs, checksums and their description.

>>> [command.name for command in COMMANDS]
['release']
"""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["COMMANDS"]


@click.command("release")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--endpoint",
    default=None,
    metavar="URL",
    help="The public SPARQL endpoint to name in the description (void:sparqlEndpoint).",
)
def release_command(directory: Path, endpoint: str | None) -> None:
    """Write DIR/mnr-graph-VERSION-DATE/.

    Turtle, N-Quads and JSON-LD dumps of the published graphs, SHA256SUMS and description.ttl
    (DCAT 3 and VoID); refuse to overwrite one.
    """
    from mnr_graph.query.release import write_release

    for path in write_release(directory, endpoint=endpoint):
        click.echo(str(path))


COMMANDS = (release_command,)
