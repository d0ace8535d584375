"""Singular and plural forms of a label: ``inflect`` for English, head-noun rules for fr and es.

French and Spanish use simple, documented rules: the words of the head phrase (before the first
preposition) change number, articles and conjunctions do not. English uses the ``inflect``
library, by the head noun of the phrase.

Importing ``inflect`` takes seconds: it checks its own arguments with ``typeguard``, which
re-compiles each of its methods at import. So the English forms of the shipped labels are kept in
``ontology/english-forms.csv`` (one row per label and form), written with ``inflect`` by
``python -m mnr_graph.terminology.inflection --write``; ``--check`` says whether it is still what
``inflect`` gives, and a test runs it. A label that file does not list (in a vocabulary of one's
own) is inflected by ``inflect`` itself, imported the first time one is met. Nothing about
``inflect`` or ``typeguard`` is changed for the rest of the process.

>>> sorted(label_variants("child prostitute", "en"))
['child prostitute', 'child prostitutes']
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from mnr_graph.core import resources

__all__ = ["ENGLISH_FORMS", "english_forms", "english_forms_csv", "label_variants", "main"]

#: The file (in ``ontology/``) of the shipped English labels' forms, as ``inflect`` gives them.
ENGLISH_FORMS = "english-forms.csv"

_FR_STOP = frozenset(
    [
        "de",
        "du",
        "des",
        "d",
        "dans",
        "à",
        "au",
        "aux",
        "en",
        "pour",
        "par",
        "sur",
        "avec",
        "contre",
        "impliquant",
        "qui",
        "que",
    ]
)
_FR_KEEP = frozenset(["et", "ou", "le", "la", "les", "l", "un", "une"])
_ES_STOP = frozenset(
    ["de", "del", "en", "para", "con", "a", "al", "por", "sin", "sobre", "entre", "contra", "que"]
)
_ES_KEEP = frozenset(["y", "e", "o", "u", "el", "la", "los", "las", "un", "una"])


def _fr_plural(word: str) -> str:
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith("al"):
        return word[:-2] + "aux"
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    return word + "s"


def _fr_singular(word: str) -> str:
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"
    if word.endswith("s") and not word.endswith("us") and len(word) > 3:
        return word[:-1]
    return word


def _es_plural(word: str) -> str:
    if word.endswith(("s", "x")):
        return word
    if word.endswith("z"):
        return word[:-1] + "ces"
    if word.endswith("ión"):
        return word[:-3] + "iones"
    if word[-1] in "aeiouáéíóú":
        return word + "s"
    return word + "es"


def _es_singular(word: str) -> str:
    if word.endswith("ces") and len(word) > 4:
        return word[:-3] + "z"
    if word.endswith("iones"):
        return word[:-5] + "ión"
    if word.endswith("es") and len(word) > 4 and word[-3] not in "aeiou":
        return word[:-2]
    if word.endswith("s") and len(word) > 3 and word[-2] in "aeiou":
        return word[:-1]
    return word


def _head_inflect(text: str, stop: frozenset[str], keep: frozenset[str], change: Any) -> str:
    words = text.split(" ")
    out = []
    in_head = True
    for i, word in enumerate(words):
        bare = word.casefold().strip(",;")
        if bare in stop or "'" in word or (i and stop is _FR_STOP and bare.endswith("ant")):
            in_head = False  # a French present participle ("mettant") does not take the plural
        if in_head and bare not in keep and word.isalpha():
            out.append(change(word))
        else:
            out.append(word)
    return " ".join(out)


_EN_STOP = frozenset(
    ["of", "in", "for", "to", "with", "by", "on", "at", "from", "against", "who", "that", "which"]
)


def _en_plurals(text: str, engine: Any) -> set[str]:
    """Plurals of an English phrase by its head noun.

    The last word before the first preposition or past participle ("children exploited in
    prostitution", "paedos"), and ``inflect``'s plural of the phrase where it changes that same
    word (not "child exploiteds in prostitution").
    """
    words = text.split(" ")
    n = len(words)
    end = n
    for i in range(1, n):
        bare = words[i].casefold()
        if bare in _EN_STOP:
            end = i
            break
        if bare.endswith("ed") and i + 1 < n and words[i + 1].casefold() in _EN_STOP:
            end = i
            break
    head = words[end - 1]
    out: set[str] = set()
    whole = engine.plural_noun(text)
    pairs = zip(words, str(whole).split(" "), strict=False)
    changed = [i for i, (a, b) in enumerate(pairs) if a != b]
    if isinstance(whole, str) and whole and changed[:1] == [end - 1]:
        out.add(whole)
    if head.isalpha() and not head.isupper():
        forms = {str(engine.plural_noun(head))}
        if head.endswith("o"):
            forms.add(head + "s")  # "paedos" beside inflect's "paedoes"
        out.update(" ".join([*words[: end - 1], f, *words[end:]]) for f in forms if f)
    return out or ({whole} if isinstance(whole, str) and whole else set())


_EN_ISE = re.compile(r"(\w{3})is(e|ed|es|ing|ation|ations)\b")
_EN_IZE = re.compile(r"(\w{3})iz(e|ed|es|ing|ation|ations)\b")
_EN_LL = re.compile(r"\b(travel|model|label)l(ing|ed|er|ers)\b")


def label_variants(text: str, lang: str, *, is_acronym: bool = False) -> frozenset[str]:
    """The label and its singular and plural forms (English by ``inflect``, fr/es by rules).

    English labels also get their other spelling (-ise/-ize, travelling/traveling).

    >>> sorted(label_variants("child prostitute", "en"))
    ['child prostitute', 'child prostitutes']
    >>> sorted(label_variants("prostitution enfantine", "fr"))
    ['prostitution enfantine', 'prostitutions enfantines']
    >>> sorted(label_variants("CSAM", "en", is_acronym=True))
    ['CSAM', 'CSAMs']
    >>> sorted(label_variants("sexualised image", "en"))
    ['sexualised image', 'sexualised images', 'sexualized image', 'sexualized images']
    """
    variants = {text}
    primary = lang.split("-")[0].casefold()
    if is_acronym or (text.isupper() and " " not in text):
        variants.add(text + "s")
    elif primary == "en":
        variants.update(english_forms(text))
        # British and American spellings: -ise/-ize, -isation/-ization, travelling/traveling
        for variant in list(variants):
            variants.add(_EN_ISE.sub(r"\1iz\2", variant))
            variants.add(_EN_IZE.sub(r"\1is\2", variant))
            variants.add(_EN_LL.sub(r"\1l\2", variant))
    elif primary == "fr":
        variants.add(_head_inflect(text, _FR_STOP, _FR_KEEP, _fr_plural))
        variants.add(_head_inflect(text, _FR_STOP, _FR_KEEP, _fr_singular))
    elif primary == "es":
        variants.add(_head_inflect(text, _ES_STOP, _ES_KEEP, _es_plural))
        variants.add(_head_inflect(text, _ES_STOP, _ES_KEEP, _es_singular))
    return frozenset(variants)


@cache
def _inflect_engine() -> Any:
    """The ``inflect`` engine (imported here, and only when a label needs it: see the module)."""
    import inflect

    return inflect.engine()


def _inflected(text: str) -> frozenset[str]:
    """The singular of an English phrase, or its plurals when it is singular, by ``inflect``."""
    engine = _inflect_engine()
    singular = engine.singular_noun(text)
    if isinstance(singular, str) and singular != text:
        return frozenset([singular])
    return frozenset(_en_plurals(text, engine))


@cache
def _shipped_forms() -> dict[str, frozenset[str]]:
    """The forms of ``ontology/english-forms.csv``, by label."""
    try:
        text = resources.read_text("ontology", ENGLISH_FORMS)
    except FileNotFoundError:  # not written yet: inflect answers for every label
        return {}
    forms: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        found = forms.setdefault(row["label"], set())
        if row["form"]:
            found.add(row["form"])
    return {label: frozenset(found) for label, found in forms.items()}


def english_forms(text: str) -> frozenset[str]:
    """The other number of an English label (its singular, or its plurals), without the label.

    >>> sorted(english_forms("child prostitute"))
    ['child prostitutes']
    """
    known = _shipped_forms().get(text)
    return known if known is not None else _inflected(text)


def _is_inflected(text: str, lang: str, *, is_acronym: bool) -> bool:
    """Whether :func:`label_variants` asks ``inflect`` for a label (English, not an acronym)."""
    acronym = is_acronym or (text.isupper() and " " not in text)
    return not acronym and lang.split("-")[0].casefold() == "en"


def english_forms_csv(labels: Iterable[tuple[str, str, bool]]) -> str:
    """``ontology/english-forms.csv`` for labels given as ``(text, lang, is_acronym)``.

    Each English label with each of its forms by ``inflect`` (an empty form for a label with
    none).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["label", "form"])
    texts = {text for text, lang, acro in labels if _is_inflected(text, lang, is_acronym=acro)}
    for text in sorted(texts):
        for form in sorted(_inflected(text)) or [""]:
            writer.writerow([text, form])
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """``--write`` the shipped labels' English forms, or ``--check`` that the file is current."""
    from mnr_graph.terminology.vocabulary import load_vocabulary

    parser = argparse.ArgumentParser(description=main.__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help=f"write ontology/{ENGLISH_FORMS}")
    action.add_argument("--check", action="store_true", help="exit 1 if the file is not current")
    args = parser.parse_args(argv)
    labels = [(lab.text, lab.lang, lab.is_acronym) for lab in load_vocabulary().labels]
    text = english_forms_csv(labels)
    path = resources.path("ontology", ENGLISH_FORMS)
    if args.write:
        path.write_text(text, encoding="utf-8")
        return 0
    if path.read_text(encoding="utf-8") != text:
        sys.stderr.write(
            f"ontology/{ENGLISH_FORMS} is not current: run "
            "python -m mnr_graph.terminology.inflection --write\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
