"""Look-up keys: the forms of a term that look-up compares, and the other forms lists write.

A key ignores case, accents, hyphens, extra spaces and invisible characters (soft hyphens,
zero-width joiners); a soft key keeps the accents. Term lists write terms with brackets, a leading
article, "so-called" or a possessive: :func:`fallback_keys` gives the keys to try for those.

>>> lookup_key("  Pédo-Pornographie "), soft_key("Pédo-Phile ")
('pedo pornographie', 'pédo phile')
>>> fallback_keys("child sexual abuse material (CSAM)")[:2]
['child sexual abuse material', 'csam']
"""

from __future__ import annotations

import re
import unicodedata

from mnr_graph.core.text import fold

__all__ = ["fallback_keys", "lookup_key", "soft_key"]

_NON_WORD = re.compile(r"[\W_]+")
#: Soft hyphens, zero-width joiners, word joiners and byte-order marks: not there for look-up.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"))


def lookup_key(text: str) -> str:
    """The form of a term that look-up compares: no case, accents, hyphens or extra spaces.

    >>> lookup_key("  Pédo-Pornographie ")
    'pedo pornographie'
    >>> lookup_key("pornogra\u00adphie")
    'pornographie'
    """
    return _NON_WORD.sub(" ", fold(text.translate(_INVISIBLE))).strip()


def soft_key(text: str) -> str:
    """Like :func:`lookup_key` but keeping accents: "pédophile" and "pedophile" differ.

    >>> soft_key("Pédo-Phile ")
    'pédo phile'
    """
    folded = unicodedata.normalize("NFC", text.casefold()).translate(_INVISIBLE)
    return _NON_WORD.sub(" ", folded).strip()


_BRACKETS = re.compile(r"\(([^()]*)\)")
_A_CHILD = re.compile(r"\b(?:a|one|each|every) child\b")
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019\u02bc]s\b|(?<=s)['\u2019\u02bc](?!\w)", re.IGNORECASE)
_ARTICLE = re.compile(
    r"^(?:(?:the|a|an|le|la|les|un|une|des|el|los|las|una)\s+|l['\u2019])", re.IGNORECASE
)

_SO_CALLED = re.compile(r"^so[\s\-\u2010\u2011]*called\s+", re.IGNORECASE)
_QUOTES = "\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a"


def _bare(text: str) -> str:
    """The term without a leading article or "so-called" and the quotes around it.

    For example "the so-called ‘child pornography’".

    >>> _bare("the so-called “child pornography”")
    'child pornography'
    """
    bare = text.strip()
    while True:
        stripped = _SO_CALLED.sub("", _ARTICLE.sub("", bare, count=1), count=1)
        stripped = stripped.strip().strip(_QUOTES).strip()
        if stripped == bare or not stripped:
            return bare
        bare = stripped


def fallback_keys(text: str) -> list[str]:
    """Other keys to try for a term as lists write it.

    Lists add brackets, a leading article or "so-called", a possessive: "child prostitute(s)",
    "child sexual abuse material (CSAM)", "so-called child pornography", "the child's".
    """
    keys = [lookup_key(_BRACKETS.sub("", text))]
    keys += [lookup_key(inner) for inner in _BRACKETS.findall(text)]
    bare = _bare(text)
    keys += [lookup_key(bare), lookup_key(_POSSESSIVE.sub("", text))]
    keys += [lookup_key(_POSSESSIVE.sub("", bare))]
    # "sale of a child", "images of a child": the labels name children in the plural
    keys += [_A_CHILD.sub("children", key) for key in keys if _A_CHILD.search(key)]
    return [k for k in keys if k]
