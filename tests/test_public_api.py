"""Every module keeps its public surface under control with a complete ``__all__``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import mnr_graph

# ``__main__`` only runs the CLI and defines nothing public.
MODULES = [
    "mnr_graph",
    *sorted(
        m.name
        for m in pkgutil.walk_packages(mnr_graph.__path__, prefix="mnr_graph.")
        if m.name != "mnr_graph.__main__"
    ),
]


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_declared_and_resolves(name: str) -> None:
    module = _module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what the module does not define: {missing}"


@pytest.mark.parametrize("name", MODULES)
def test_all_is_complete(name: str) -> None:
    """Public functions and classes defined in a module are in its ``__all__``."""
    module = _module(name)
    defined = {
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", None) == name
    }
    assert defined <= set(module.__all__), (
        f"{name} defines public names missing from __all__: {sorted(defined - set(module.__all__))}"
    )
