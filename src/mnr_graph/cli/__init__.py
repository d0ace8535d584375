"""The ``mnr-graph`` command line: a thin adapter over the library.

Each command parses its options, calls library functions and prints; the commands are grouped by
family, one module each (:mod:`~mnr_graph.cli.ontology`, :mod:`~mnr_graph.cli.terminology`,
:mod:`~mnr_graph.cli.submissions`, :mod:`~mnr_graph.cli.queries`,
:mod:`~mnr_graph.cli.service`). Errors from :mod:`mnr_graph.core.errors` become a message on
stderr and the error's ``exit_code``, in one place (:func:`main`).

>>> "validate" in cli.commands and "serve" in cli.commands
True
"""

from __future__ import annotations

import sys

import click

from mnr_graph import __version__
from mnr_graph.cli import (
    lsp,
    ontology,
    operations,
    queries,
    release,
    service,
    submissions,
    terminology,
)
from mnr_graph.core.errors import MnrGraphError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mnr-graph")
def cli() -> None:
    """mnr-graph: the Model National Response and its terminology as linked data."""


for _family in (ontology, terminology, submissions, queries, service, operations, lsp, release):
    for _command in _family.COMMANDS:
        cli.add_command(_command)


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
