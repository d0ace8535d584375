"""The ``mnr-graph`` command line: a thin adapter over the library.

Each command parses its options, calls library functions and prints. Errors from
:mod:`mnr_graph.errors` become a message on stderr and the error's ``exit_code``, in one place
(:func:`main`). Commands are grouped by concern below, one section per library module.
"""

from __future__ import annotations

import sys

import click

from mnr_graph import __version__
from mnr_graph.errors import MnrGraphError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mnr-graph")
def cli() -> None:
    """mnr-graph: the Model National Response and its terminology as linked data."""


# --- ontology (mnr_graph.ontology) ------------------------------------------------------------

# --- terminology (mnr_graph.terminology, mnr_graph.textcheck, mnr_graph.publish) ------------

# --- validation and ingest (mnr_graph.validation, mnr_graph.tabular, mnr_graph.ingest) -------

# --- server (mnr_graph.api, mnr_graph.store) ---------------------------------------------------


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
    sys.exit(rv if isinstance(rv, int) else 0)
