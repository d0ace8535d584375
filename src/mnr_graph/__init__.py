"""mnr-graph: the WeProtect Model National Response and its terminology as linked data.

>>> import mnr_graph
>>> mnr_graph.__version__.count(".")
2
"""

from __future__ import annotations

__version__ = "0.1.0"

from mnr_graph.client import Client

__all__ = ["Client", "__version__"]
