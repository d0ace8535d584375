"""The pages' own words (the chrome: menus, headings, buttons) in English, French and Spanish.

The words live in one catalogue, ``messages.yaml`` beside this module (a key, then a text per
language); the data's own labels come from the data. :func:`translate` picks the text for a
language: the asked tag, its primary subtag, then English.

>>> translate("nav.home", "fr")
'Accueil'
>>> translate("nav.home", "es-MX")
'Inicio'
>>> translate("nav.home", "de")
'Home'
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

__all__ = ["UI_LANGUAGES", "catalogue", "translate"]

#: The languages the pages' chrome is written in.
UI_LANGUAGES = ("en", "fr", "es")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """The catalogue: key -> language -> text."""
    text = resources.files(__name__).joinpath("messages.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("messages.yaml: a mapping of keys is expected")
    return {str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in data.items()}


def translate(key: str, lang: str) -> str:
    """The text of ``key`` in ``lang`` (its primary subtag, then English).

    A ``KeyError`` for a key the catalogue does not have (a typo in a template fails loudly in the
    tests).
    """
    texts = catalogue()[key]
    for tag in (lang, lang.split("-")[0].lower(), "en"):
        if tag in texts:
            return texts[tag]
    raise KeyError(f"{key}: no English text")
