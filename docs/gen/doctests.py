"""A griffe extension: the doctests of a docstring become ``pycon`` code blocks in the reference.

The docstrings of ``src/`` carry short examples that run as doctests (``>>>`` lines and the output
after them, up to a blank line). Read as Markdown, their brackets and quotes would be taken for
links; fenced, they show as code. Examples inside a Google-style ``Examples:`` section are left to
the docstring parser, which already shows them as code.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

SECTION = re.compile(r"^(\w[\w ]*):\s*$")
EXAMPLES = {"Example", "Examples"}
FENCE = re.compile(r"^\s*(```|~~~)")


def fence_doctests(text: str) -> str:
    r"""The docstring with each run of doctest lines outside an ``Examples:`` section fenced.

    >>> fence_doctests("Add.\n>>> 1 + 1\n2\n\nDone.").splitlines()
    ['Add.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    lines = text.splitlines()
    out: list[str] = []
    section = ""
    fenced = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and line and not line[0].isspace():
            header = SECTION.match(line)
            section = header.group(1) if header else ""
        if not fenced and section not in EXAMPLES and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block: list[str] = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out += [f"{indent}```pycon", *block, f"{indent}```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class FencedDoctests(Extension):
    """Fence the doctests of every docstring once the object tree is loaded."""

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
