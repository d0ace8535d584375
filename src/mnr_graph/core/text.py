"""Text folding: the one definition of "the same text, ignoring case and accents".

Look-up keys, term search, the checker's same-length folding table and the Vale patterns all build
on these two functions, so they agree on what an accent is.

>>> strip_accents("Pédopornographie, niño")
'Pedopornographie, nino'
>>> fold("  Pédo-PORNOGRAPHIE ")
'  pedo-pornographie '
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "strip_accents"]


def strip_accents(text: str) -> str:
    """The text without its combining marks (accents), after canonical decomposition (NFKD)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """The text case-folded and without accents: the form two texts are compared in."""
    return strip_accents(text.casefold())
