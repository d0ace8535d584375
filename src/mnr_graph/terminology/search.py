"""Term search and term descriptions.

What ``GET /terms``, ``GET /terms/{id}``, the vocabulary page and ``mnr-graph terms --search`` /
``mnr-graph concept`` give.

:func:`search_terms` finds the labels that contain a text (ignoring case and accents) or that the
look-up finds (plurals, hyphens), best first, as Skosmos orders them; :func:`term_entries` lists
the labels as JSON rows with their kind and concept id; :func:`describe_term` describes one
concept by its id.

>>> [e["label"] for e in search_terms("child pornography", lang="en")][:1]
['child pornography']
>>> describe_term("child-sexual-abuse-material")["preferred"]
'child sexual abuse material'
"""

from __future__ import annotations

from typing import Any

from mnr_graph.core.errors import NotFoundError
from mnr_graph.core.language import pick
from mnr_graph.core.namespaces import TERM
from mnr_graph.core.text import fold
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

__all__ = [
    "describe_term",
    "description_to_text",
    "rank_entries",
    "search_terms",
    "term_entries",
]

_KINDS = {"pref": "preferred", "alt": "alternative", "hidden": "hidden"}
#: The keys of a label in a term's description.
_LABEL_KEYS = (
    "label",
    "lang",
    "kind",
    "band",
    "legal_context_only",
    "use_instead",
    "review_status",
    "review",
)


def term_entries(
    vocabulary: Vocabulary | None = None,
    *,
    band: str | None = None,
    lang: str | None = None,
    group: str | None = None,
) -> list[dict[str, Any]]:
    """The vocabulary's labels as JSON rows with their ``kind`` and the ``id`` of their concept.

    The rows are those of :meth:`Vocabulary.list_terms`, filtered by band, language and group;
    ``kind`` is preferred, alternative or hidden.

    >>> entry = term_entries(band="avoid", lang="en")[0]
    >>> entry["band"], entry["kind"] in ("preferred", "alternative", "hidden")
    ('avoid', True)
    """
    vocabulary = vocabulary or load_vocabulary()
    kinds = {(lab.concept, lab.text, lab.lang): lab.kind for lab in vocabulary.labels}
    rows = vocabulary.list_terms(band=band, lang=lang, group=group)
    for row in rows:
        kind = kinds.get((row["concept"], row["label"], row["lang"]), "alt")
        row["kind"] = _KINDS.get(kind, kind)
        row["id"] = str(row["concept"]).removeprefix(str(TERM))
    return rows


def rank_entries(
    entries: list[dict[str, Any]],
    q: str,
    *,
    lang: str | None = None,
    also: frozenset[tuple[str, str]] = frozenset(),
) -> list[dict[str, Any]]:
    """The entries whose label matches ``q``, best first, as Skosmos orders them.

    A label matches when it contains the text, ignoring case and accents, or when its
    ``(label, lang)`` is in ``also`` (the look-up's matches: plurals, hyphens). Order: in the asked
    language before other languages; then an exact preferred label, then an exact match ignoring
    case, then labels that start with the text, then the rest; preferred labels before others.

    >>> entries = [
    ...     {"label": "Child", "lang": "en", "kind": "alternative"},
    ...     {"label": "child", "lang": "en", "kind": "preferred"},
    ...     {"label": "enfant", "lang": "fr", "kind": "preferred"},
    ...     {"label": "childhood", "lang": "en", "kind": "preferred"},
    ...     {"label": "a child", "lang": "fr", "kind": "alternative"},
    ... ]
    >>> [e["label"] for e in rank_entries(entries, "child", lang="en")]
    ['child', 'Child', 'childhood', 'a child']
    """
    text = q.strip()
    needle = fold(text)
    ranked: list[tuple[tuple[int, int, str], dict[str, Any]]] = []
    for entry in entries:
        label = str(entry.get("label", ""))
        folded = fold(label)
        looked_up = (label, str(entry.get("lang", ""))) in also
        if needle not in folded and not looked_up:
            continue
        preferred = entry.get("kind") == "preferred"
        if label == text and preferred:
            tier = 0
        elif folded == needle or looked_up:
            tier = 1
        elif folded.startswith(needle):
            tier = 2
        else:
            tier = 3
        other_lang = 0 if lang is None or str(entry.get("lang", "")).split("-")[0] == lang else 1
        ranked.append(((other_lang, tier * 2 + (0 if preferred else 1), folded), entry))
    ranked.sort(key=lambda item: item[0])
    return [entry for _, entry in ranked]


def search_terms(
    q: str,
    *,
    lang: str | None = None,
    band: str | None = None,
    group: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[dict[str, Any]]:
    """The labels that contain ``q`` or that the look-up finds for it, best first.

    The labels are rows of :func:`term_entries`, of any language, filtered by band and group;
    best first by :func:`rank_entries`, labels in ``lang`` first. An unknown language, band or
    group is an ``InputError`` (a group: ``NotFoundError``).

    >>> [e["lang"] for e in search_terms("enfant", lang="fr")][:1]
    ['fr']
    """
    vocabulary = vocabulary or load_vocabulary()
    entries = term_entries(vocabulary, band=band, group=group)
    found = vocabulary.lookup(q, lang=lang).to_json()["matches"]
    also = frozenset((str(m["label"]), str(m["lang"])) for m in found)
    return rank_entries(entries, q, lang=lang, also=also)


def describe_term(
    id: str, *, lang: str | None = None, vocabulary: Vocabulary | None = None
) -> dict[str, Any]:
    """One concept of the vocabulary as JSON, by its id (the slug of its IRI).

    Its preferred label, definition and scope note in ``lang`` (English, then any, when it has
    none), its sources, review, groups and every label with its band.

    >>> describe_term("no-such-term")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.NotFoundError: unknown term 'no-such-term': no concept has this id; ...
    """
    vocabulary = vocabulary or load_vocabulary()
    concept = vocabulary.concepts.get(str(TERM) + id)
    if concept is None:
        raise NotFoundError(
            f"unknown term {id!r}: no concept has this id; search the labels for it"
        )
    labels = [row for row in term_entries(vocabulary) if row["concept"] == concept.iri]
    return {
        "id": id,
        "concept": concept.iri,
        "preferred": concept.preferred(lang),
        "definition": concept.definition(lang),
        "scope_note": pick(concept.scope_notes, lang),
        "sources": list(concept.sources),
        "review_status": concept.review_status,
        "review": vocabulary.review(concept),
        "groups": [vocabulary.groups[g].slug for g in concept.groups if g in vocabulary.groups],
        "labels": [{k: row[k] for k in _LABEL_KEYS} for row in labels],
    }


def description_to_text(description: dict[str, Any]) -> str:
    """A description of :func:`describe_term` as text.

    The concept, its definition, scope note, groups and review, then one label a line (band,
    language, kind, label, what to use instead).

    >>> text = description_to_text(describe_term("child-sexual-abuse-material"))
    >>> text.splitlines()[0]
    'child sexual abuse material <https://w3id.org/mnr-graph/term/child-sexual-abuse-material>'
    """
    lines = [f"{description['preferred']} <{description['concept']}>"]
    for key, name in (("definition", "definition"), ("scope_note", "scope note")):
        if description.get(key):
            lines.append(f"{name}: {description[key]}")
    if description["groups"]:
        lines.append(f"groups: {', '.join(description['groups'])}")
    if description.get("review"):
        lines.append(f"review: {description['review']['status_label']}")
    lines.append(f"sources: {len(description['sources'])}")
    for label in description["labels"]:
        instead = "; ".join(u["label"] for u in label["use_instead"])
        legal = " (legal context only)" if label["legal_context_only"] else ""
        tail = f"  -> {instead}" if instead else ""
        lines.append(
            f"  {label['band']:<8} {label['lang']:<3} {label['kind']:<11} "
            f"{label['label']}{legal}{tail}"
        )
    return "\n".join(lines)
