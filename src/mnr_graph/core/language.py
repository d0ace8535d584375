"""Choosing among language-tagged values: the one fallback every label display uses.

The order: the asked tag itself (``fr-CA``), then any value of its primary language (``fr``,
``fr-FR``), then English, then the first value given. Tags are BCP 47; their case is as written.

>>> labels = {"en": "child", "fr": "enfant", "es": "niño"}
>>> pick(labels, "fr"), pick(labels, "fr-CA"), pick(labels, "de"), pick(labels, None)
('enfant', 'enfant', 'child', 'child')
>>> pick({"es": "niño"}, "fr"), pick({}, "fr")
('niño', None)
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["pick", "primary"]


def primary(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag, in lower case (``en-GB`` -> ``en``)."""
    return tag.split("-")[0].lower()


def pick(values: Mapping[str, str], lang: str | None) -> str | None:
    """The value for ``lang``, falling back as the module says; ``None`` when there is none."""
    if lang:
        if lang in values:
            return values[lang]
        wanted = primary(lang)
        for tag, value in values.items():
            if primary(tag) == wanted:
                return value
    if "en" in values:
        return values["en"]
    return next(iter(values.values()), None)
