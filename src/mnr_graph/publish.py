"""Publish the vocabulary for people and editors: a Vale style and a printable glossary.

``write_vale_style(directory)`` writes one Vale substitution rule file per group (``ignorecase``,
alternatives joined with ``|``): avoided terms at level ``error``; cautioned and legal-context-only
terms, which need a human judgement, at level ``warning`` in a second file of the group; cautioned
terms with no alternative as an ``existence`` rule per concept (level ``warning``, the concept's
scope note as message), so every avoided and cautioned label is in the style. It also writes
``vale.ini`` and a ``README.md``. ``glossary(fmt)`` renders the glossary by group as
Markdown, HTML (Jinja2 templates) or CSV.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     files = write_vale_style(pathlib.Path(tmp))
...     any(f.name == "vale.ini" for f in files)
True
>>> glossary("md").startswith("# ")
True
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import jinja2
import yaml

from mnr_graph.errors import InputError
from mnr_graph.terminology import (
    BAND_AVOID as _AVOID,
)
from mnr_graph.terminology import (
    BAND_USE as _USE,
)
from mnr_graph.terminology import (
    TermLabel,
    Vocabulary,
    label_variants,
    load_vocabulary,
)

__all__ = [
    "GLOSSARY_FORMATS",
    "STYLE_NAME",
    "glossary",
    "glossary_context",
    "vale_rules",
    "write_vale_style",
]

STYLE_NAME = "MNRTerminology"
GLOSSARY_FORMATS = ("md", "html", "csv")

_TITLE = "Terminology for the protection of children from sexual exploitation and abuse"
_INTRO = (
    "Which words to use, and which to avoid, when writing about child sexual exploitation and "
    "abuse: the mnr-graph vocabulary (MNR capability 21), generated from its SKOS data. "
    "Definitions and notes are the project's own words; each entry names its sources."
)


# --- Vale ----------------------------------------------------------------------------------------


def _camel(slug: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", slug) if part)


# Between words: white space, a hyphen or dash, a non-breaking space (literal characters, which
# both Vale's RE2 and Python read the same way).
_BETWEEN = "[\\s\u00a0\u2010-\u2015-]+"


def _letter(ch: str) -> str:
    """A pattern for one letter of a term: an accented letter also matches its base letter,
    an apostrophe matches the typographic one too."""
    if ch in "'\u2019":
        return "['\u2019]"
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if len(base) == 1 and base != ch:
        return f"[{ch}{base}]"
    return re.escape(ch)


def _regex(label: TermLabel) -> str:
    """A Vale (RE2) pattern for a label and its singular/plural forms: hyphens, dashes or
    spaces between the words, accents optional ("pedopornographie")."""
    forms = sorted(
        label_variants(label.text, label.lang, is_acronym=label.is_acronym), key=len, reverse=True
    )
    parts = []
    for form in forms:
        words = ["".join(map(_letter, w)) for w in re.split(r"[\s\-\u2010\u2011]+", form) if w]
        parts.append(_BETWEEN.join(words))
    return "(?:" + "|".join(parts) + ")" if len(parts) > 1 else parts[0]


def _vale_message(text: str) -> str:
    """Text for a Vale message: ``%`` is Vale's (Go's) format character."""
    return " ".join(text.split()).replace("%", "%%")


def vale_rules(vocabulary: Vocabulary | None = None) -> dict[str, dict[str, Any]]:
    """The Vale rule files as ``{file name: rule}``: every avoided and cautioned label is in one.

    Per group, ``<Group>.yml`` swaps avoided terms for their alternatives (level ``error``) and
    ``<Group>Care.yml`` does so for cautioned and legal-context-only terms (level ``warning``).
    A cautioned term with no alternative ("age of sexual consent") is an ``existence`` rule of
    its concept, ``<Group>Care<Concept>.yml`` (level ``warning``), whose message is the concept's
    scope note (else its definition).

    >>> rules = vale_rules()
    >>> rules["TheChildCareAgeOfSexualConsent.yml"]["extends"]
    'existence'
    """
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    rules: dict[str, dict[str, Any]] = {}
    for group, concepts in vocab.concepts_by_group():
        name = _camel(group.slug) if group else "Other"
        title = group.label("en") if group else "other terms"
        strict: dict[str, str] = {}
        careful: dict[str, str] = {}
        for concept in concepts:
            unswappable: list[str] = []
            for label in concept.labels:
                if label.band == _USE:
                    continue
                if not label.use_instead:
                    unswappable.append(_regex(label))
                    continue
                alternatives = [u["label"] for u in vocab.use_instead(label, lang=label.lang)]
                target = careful if label.legal_context_only or label.band != _AVOID else strict
                target[_regex(label)] = "|".join(dict.fromkeys(alternatives))
            if unswappable:
                note = concept.scope_notes.get("en") or concept.definition("en") or ""
                slug = _camel(concept.iri.rstrip("/").rsplit("/", 1)[-1])
                rules[f"{name}Care{slug}.yml"] = {
                    "extends": "existence",
                    "message": f"'%s' needs care: {_vale_message(note)}",
                    "description": (
                        f"Terms to use with care and no single replacement ({title}: "
                        f"{concept.preferred('en')}), from the mnr-graph vocabulary."
                    ),
                    "level": "warning",
                    "ignorecase": True,
                    "tokens": sorted(dict.fromkeys(unswappable), key=len, reverse=True),
                }
        if strict:
            rules[f"{name}.yml"] = {
                "extends": "substitution",
                "message": "Use '%s' instead of '%s'.",
                "description": f"Terms to avoid ({title}), from the mnr-graph vocabulary.",
                "level": "error",
                "ignorecase": True,
                "swap": strict,
            }
        if careful:
            rules[f"{name}Care.yml"] = {
                "extends": "substitution",
                "message": (
                    "Consider '%s' instead of '%s': this term needs care, or is acceptable only "
                    "when naming the offence in law."
                ),
                "description": f"Terms to use with care ({title}), from the mnr-graph vocabulary.",
                "level": "warning",
                "ignorecase": True,
                "swap": careful,
            }
    return dict(sorted(rules.items()))


_VALE_INI = """\
# Add to your .vale.ini (or use this file): StylesPath is the folder that holds {style}/.
StylesPath = .
MinAlertLevel = suggestion

[*.{{md,txt,html,rst}}]
BasedOnStyles = {style}
"""

_README = """\
# {style}: a Vale style generated from the mnr-graph terminology

Generated by `mnr-graph export-vale DIR`; do not edit by hand, regenerate instead.

- `{style}/<Group>.yml`: terms to avoid (level `error`), one substitution rule file per group.
- `{style}/<Group>Care.yml`: terms to use with care and terms acceptable only when naming the
  offence in law (level `warning`): Vale cannot see the legal context, you decide.
- `{style}/<Group>Care<Concept>.yml`: terms to use with care that have no single replacement
  ("age of sexual consent"), one `existence` rule per concept (level `warning`) whose message
  says why.

Use: copy `{style}/` into your Vale `StylesPath` and add `{style}` to `BasedOnStyles`
(see `vale.ini` here), then run `vale yourfile.md`. For the legal-context judgement and exact
positions, `mnr-graph check yourfile.md` does the same check with the whole vocabulary.
"""


def write_vale_style(directory: Path, *, vocabulary: Vocabulary | None = None) -> list[Path]:
    """Write the Vale style into ``directory`` (created if missing); return the files written."""
    style_dir = directory / STYLE_NAME
    try:
        style_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc}", where=str(directory)) from exc
    written: list[Path] = []
    for name, rule in vale_rules(vocabulary).items():
        path = style_dir / name
        path.write_text(
            yaml.safe_dump(rule, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
        )
        written.append(path)
    for name, template in (("vale.ini", _VALE_INI), ("README.md", _README)):
        path = directory / name
        path.write_text(template.format(style=STYLE_NAME), encoding="utf-8")
        written.append(path)
    return written


# --- glossary ------------------------------------------------------------------------------------


def glossary_context(
    *, lang: str | None = None, vocabulary: Vocabulary | None = None
) -> dict[str, Any]:
    """The glossary's content by group, as plain data for the templates and the CSV."""
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    lang = vocab.check_lang(lang)  # an InputError for a language without labels
    primary = lang.split("-")[0] if lang else None
    groups = []
    for group, concepts in vocab.concepts_by_group():
        entries = []
        for concept in concepts:
            terms = [
                {
                    "label": label.text,
                    "lang": label.lang,
                    "band": label.band,
                    "legal_context_only": label.legal_context_only,
                    "use_instead": [
                        u["label"] for u in vocab.use_instead(label, lang=lang or label.lang)
                    ],
                }
                for label in sorted(
                    concept.labels, key=lambda lab: (lab.lang != "en", lab.lang, lab.kind)
                )
                if primary is None or label.lang.split("-")[0] == primary
            ]
            if not terms:
                continue
            entries.append(
                {
                    "slug": concept.iri.rsplit("/", 1)[-1],
                    "concept": concept.iri,
                    "preferred": concept.preferred(lang or "en"),
                    "definition": concept.definition(lang or "en"),
                    "scope_note": concept.scope_notes.get(lang or "en")
                    or concept.scope_notes.get("en"),
                    "sources": [vocab.name_of(s) for s in concept.sources],
                    "review_status": vocab.name_of(concept.review_status or ""),
                    "terms": terms,
                }
            )
        if entries:
            label = group.label(lang or "en") if group else "other terms"
            groups.append({"label": label, "concepts": entries})
    return {"title": _TITLE, "intro": _INTRO, "lang": lang or "en", "groups": groups}


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mnr_graph", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md_cell
    return env


def glossary(
    fmt: str = "md", *, lang: str | None = None, vocabulary: Vocabulary | None = None
) -> str:
    """The printable glossary, by group, as ``md``, ``html`` or ``csv``."""
    if fmt not in GLOSSARY_FORMATS:
        raise InputError(
            f"unknown glossary format {fmt!r}; use one of {', '.join(GLOSSARY_FORMATS)}"
        )
    context = glossary_context(lang=lang, vocabulary=vocabulary)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        columns = ["group", "concept", "preferred", "label", "lang", "band"]
        writer.writerow([*columns, "legal_context_only", "use_instead", "definition"])
        for group in context["groups"]:
            for concept in group["concepts"]:
                for term in concept["terms"]:
                    writer.writerow(
                        [
                            group["label"],
                            concept["concept"],
                            concept["preferred"],
                            term["label"],
                            term["lang"],
                            term["band"],
                            str(term["legal_context_only"]).lower(),
                            "; ".join(term["use_instead"]),
                            concept["definition"] or "",
                        ]
                    )
        return out.getvalue()
    return _environment().get_template(f"glossary.{fmt}.j2").render(**context)
