"""Publish the vocabulary for people and editors: a Vale style and a printable glossary.

``write_vale_style(directory)`` writes one Vale rule file per avoided or cautioned label
(``ignorecase``, alternatives joined with ``|``): avoided terms at level ``error``; cautioned and
legal-context-only terms, which need a human judgement, at level ``warning``; cautioned terms with
no alternative as an ``existence`` rule (the concept's scope note as message). Each message says
what the band rests on (review status and sources) and ``link`` opens the first source. It also
writes ``vale.ini`` and a ``README.md``. ``glossary(fmt)`` renders the glossary by group as
Markdown, HTML (Jinja2 templates) or CSV, each term with what its band was checked against.

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
from pathlib import Path
from typing import Any

import jinja2
import yaml

from mnr_graph.core.errors import InputError
from mnr_graph.core.text import strip_accents
from mnr_graph.terminology.inflection import label_variants
from mnr_graph.terminology.model import BAND_AVOID as _AVOID
from mnr_graph.terminology.model import BAND_USE as _USE
from mnr_graph.terminology.model import Concept, TermLabel
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

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


#: Each base letter's accented forms (Latin-1 and Latin Extended-A, lower case): a plural the
#: inflection writes without accents ("jovenes") still matches the text's "jóvenes".
_ACCENTED: dict[str, str] = {}
for _code in range(0xC0, 0x180):
    _char = chr(_code).lower()
    _base = strip_accents(_char)
    known = _ACCENTED.get(_base, "")
    if len(_char) == len(_base) == 1 and _base != _char and _base.isascii() and _char not in known:
        _ACCENTED[_base] = known + _char


def _letter(ch: str) -> str:
    """A pattern for one letter of a term, accents ignored as the checker ignores them.

    An accented letter also matches its base letter, a base letter its accented forms, an
    apostrophe the typographic one too.
    """
    if ch in "'\u2019":
        return "['\u2019]"
    base = strip_accents(ch)
    if len(base) == 1 and base.lower() in _ACCENTED:
        return f"[{base}{_ACCENTED[base.lower()]}]"
    return re.escape(ch)


def _regex(label: TermLabel) -> str:
    """A Vale (RE2) pattern for a label and its singular/plural forms.

    Hyphens, dashes or spaces between the words, accents optional ("pedopornographie").
    """
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
    """The Vale rule files as ``{file name: rule}``: one rule per avoided or cautioned label.

    ``<Group><Label>.yml`` (``ProstitutionEnChildProstitute.yml``) swaps the label for its
    alternatives: level ``error`` for an avoided term, ``warning`` for a cautioned or
    legal-context-only one. A cautioned term with no alternative ("age of sexual consent") is an
    ``existence`` rule (level ``warning``) whose message is its concept's scope note. Every
    message ends with what the band rests on (its review status and sources, from
    ``ontology/evidence.csv``), and ``link`` points to the first source.

    >>> rules = vale_rules()
    >>> rules["TheChildEnAgeOfSexualConsent.yml"]["extends"]
    'existence'
    >>> rules["OnlineAbuseEnSextortion.yml"]["message"]  # doctest: +ELLIPSIS
    "Use '%s' instead of '%s' (basis: sources disagree (NSPCC Learning (2025); ...)."
    """
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    rules: dict[str, dict[str, Any]] = {}
    for group, concepts in vocab.concepts_by_group():
        name = _camel(group.slug) if group else "Other"
        title = group.label("en") if group else "other terms"
        for concept in concepts:
            for label in sorted(concept.labels, key=lambda lab: lab.iri):
                if label.band == _USE:
                    continue
                rule = _vale_rule(vocab, concept, label, title)
                rules[f"{name}{_camel(label.iri.rsplit('/', 1)[-1])}.yml"] = rule
    return dict(sorted(rules.items()))


def _vale_rule(vocab: Vocabulary, concept: Concept, label: TermLabel, title: str) -> dict[str, Any]:
    basis = _vale_message(vocab.basis_text(label))
    strict = label.band == _AVOID and not label.legal_context_only
    described = f"'{label.text}' ({label.lang}; {title}: {concept.preferred('en')})"
    if label.use_instead:
        alternatives = [u["label"] for u in vocab.use_instead(label, lang=label.lang)]
        message = (
            "Use '%s' instead of '%s'"
            if strict
            else "Consider '%s' instead of '%s': this term needs care, or is acceptable only "
            "when naming the offence in law"
        )
        rule: dict[str, Any] = {
            "extends": "substitution",
            "message": f"{message} ({basis}).",
            "description": f"{'Avoid' if strict else 'Use with care'} {described}, from the "
            "mnr-graph vocabulary.",
            "level": "error" if strict else "warning",
            "ignorecase": True,
            "swap": {_regex(label): "|".join(dict.fromkeys(alternatives))},
        }
    else:
        note = concept.scope_notes.get("en") or concept.definition("en") or ""
        rule = {
            "extends": "existence",
            "message": f"'%s' needs care: {_vale_message(note)} ({basis})",
            "description": f"Use with care {described}: no single replacement, from the "
            "mnr-graph vocabulary.",
            "level": "warning",
            "ignorecase": True,
            "tokens": [_regex(label)],
        }
    link = next((s["url"] for s in vocab.review(label)["sources"] if s["url"]), None)
    if link:
        rule["link"] = link
    return rule


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

- `{style}/<Group><Label>.yml`: one rule per term to avoid (level `error`) or to use with care
  (level `warning`), swapping it for the recommended term. Terms acceptable only when naming the
  offence in law are warnings: Vale cannot see the legal context, you decide. A term to use with
  care that has no single replacement ("age of sexual consent") is an `existence` rule whose
  message says why.
- Every message ends with what the term's band rests on: checked against a named secondary
  source, sources that disagree (the stricter band is used), or not yet checked (the project's
  reading); the rule's `link` opens the first source.

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
                    "review": vocab.review(label),
                    "checked_against": _checked_against(vocab.review(label)),
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
                    "review_status": vocab.review(concept)["status_label"],
                    "checked_against": _checked_against(vocab.review(concept)),
                    "terms": terms,
                }
            )
        if entries:
            label = group.label(lang or "en") if group else "other terms"
            groups.append({"label": label, "concepts": entries})
    return {"title": _TITLE, "intro": _INTRO, "lang": lang or "en", "groups": groups}


def _checked_against(review: dict[str, Any]) -> str:
    """The status in words and its sources' short names.

    "checked against a secondary source: INTERPOL; NAPAC (2016)".
    """
    names = []
    for source in review["sources"]:
        year = f" ({source['date'][:4]})" if source["date"] else ""
        names.append(f"{source['publisher'] or source['title']}{year}")
    return f"{review['status_label']}: {'; '.join(names)}" if names else review["status_label"]


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mnr_graph.terminology", "templates"),
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
        writer.writerow(
            [
                *columns,
                "legal_context_only",
                "use_instead",
                "definition",
                "review",
                "review_sources",
            ]
        )
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
                            term["review"]["status"],
                            " ".join(s["url"] or s["iri"] for s in term["review"]["sources"]),
                        ]
                    )
        return out.getvalue()
    return _environment().get_template(f"glossary.{fmt}.j2").render(**context)
