"""``python -m mnr_graph`` runs the command-line interface."""

from __future__ import annotations

from mnr_graph.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
