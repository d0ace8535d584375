"""Run the doctests of every module of mnr_graph (modules found with pkgutil, not listed)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mnr_graph

MODULES = sorted(
    ["mnr_graph"] + [m.name for m in pkgutil.walk_packages(mnr_graph.__path__, prefix="mnr_graph.")]
)


def test_modules_are_found() -> None:
    assert "mnr_graph.framework.ontology" in MODULES


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
