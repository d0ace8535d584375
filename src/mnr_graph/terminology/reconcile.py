"""A W3C Reconciliation Service (API 0.2) over the MNR framework, the vocabulary and countries.

Data teams match free-text names to mnr-graph identifiers in OpenRefine: a capability's name
("Leadership", "C01", "Liderazgo"), a domain or outcome, a term as written in any language
("child pornography", "prostitution enfantine") or a country ("France", "FRA", "XA").

Entities and their types (ids are full IRIs, so the ``view`` template is ``{{id}}``):

- ``mnr:Capability``, ``mnr:Domain``, ``mnr:Outcome``: the shipped framework, matched on every
  ``skos:prefLabel``/``skos:altLabel`` in any language and on the notation (``C01``);
- ``mnr:TermLabel``: each SKOS-XL label of the vocabulary (one entity per written term, since the
  band belongs to the label: "child pornography" is to avoid, "child sexual abuse material" to
  use), matched on its text and its plural;
- ``mnr:Country``: ISO 3166-1 countries (names, alpha-2, alpha-3) and the user-assigned codes the
  project uses for illustrative data.

Type names come from the ontology's ``rdfs:label``, labels from the data: nothing is restated.

Scores are 0..100: 100 for an exact match ignoring case and accents (``match`` is true when it
is the only exact candidate), else rapidfuzz's token-sort ratio (edits, word order ignored),
from 70 up. Property filters narrow terms by
``band`` (use, caution, avoid) and any entity by ``lang`` (the language of the matched label).
Data extension gives, for a term, its ``band``, ``prefLabel`` (its concept's preferred label in
the language asked), ``useInstead``, ``concept`` and ``lang``; for the framework, ``notation``
and ``prefLabel``; for a country, ``code``.

>>> service = ReconciliationService()
>>> (top, *_) = service.reconcile({"q0": {"query": "Leadership"}})["q0"]["result"]
>>> top["id"].rsplit("/", 1)[-1], top["score"], top["match"]
('C01', 100.0, True)
>>> result = service.reconcile({"q": {"query": "kiddie porn", "type": str(MNR.TermLabel)}})
>>> result["q"]["result"][0]["name"]
'kiddie porn'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

import pycountry
from rapidfuzz import fuzz, process
from rdflib.query import ResultRow

from mnr_graph.core.errors import InputError, NotFoundError
from mnr_graph.core.language import pick, primary
from mnr_graph.core.namespaces import MNR
from mnr_graph.core.text import fold
from mnr_graph.framework.countries import country_iri, user_assigned_alpha3_codes
from mnr_graph.framework.countries import user_assigned_codes as user_assigned_alpha2_codes
from mnr_graph.framework.ontology import load_graph
from mnr_graph.terminology.inflection import label_variants
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

__all__ = [
    "ENTITY_TYPES",
    "EXTEND_PROPERTIES",
    "Entity",
    "ReconciliationService",
    "extend_schema",
    "queries_schema",
]

ENTITY_TYPES = tuple(
    str(MNR[name]) for name in ("Capability", "Domain", "Outcome", "TermLabel", "Country")
)
_FRAMEWORK_TYPES = ENTITY_TYPES[:3]
_TERM, _COUNTRY = ENTITY_TYPES[3], ENTITY_TYPES[4]

#: The properties of data extension and of the property filters, per type (None: every type).
EXTEND_PROPERTIES: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    "band": ("Usage band", "use, caution or avoid", (_TERM,)),
    "prefLabel": ("Preferred label", "the concept's preferred label, in the language asked", None),
    "useInstead": ("Use instead", "the recommended terms for a term to avoid or use with care",
                   (_TERM,)),
    "concept": ("Concept", "the concept a term is a label of", (_TERM,)),
    "lang": ("Language", "the language of the matched label (BCP 47)", None),
    "notation": ("Notation", "the framework's code (C01, D01, O01)", _FRAMEWORK_TYPES),
    "code": ("Country code", "the ISO 3166-1 key of the country (FR, XA, XAB)", (_COUNTRY,)),
}  # fmt: skip


def queries_schema() -> dict[str, Any]:
    """The JSON Schema of a batch of queries as this service reads it (for the OpenAPI)."""
    type_ids = {"type": "string", "enum": list(ENTITY_TYPES)}
    query = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "pattern": r"\S", "maxLength": _MAX_QUERY},
            "type": {"anyOf": [type_ids, {"type": "array", "items": type_ids}]},
            "limit": {"type": "integer", "minimum": 1},
            "properties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"pid": {"type": "string"}, "v": {}},
                    "required": ["pid", "v"],
                },
            },
            "type_strict": {"type": "string", "enum": ["any", "should", "all"]},
        },
        "required": ["query"],
    }
    return {"type": "object", "additionalProperties": query}


def extend_schema() -> dict[str, Any]:
    """The JSON Schema of a data extension request (for the OpenAPI)."""
    prop = {
        "type": "object",
        "properties": {"id": {"type": "string", "enum": list(EXTEND_PROPERTIES)}},
        "required": ["id"],
    }
    return {
        "type": "object",
        "properties": {
            "ids": {"type": "array", "items": {"type": "string"}},
            "properties": {"type": "array", "items": prop},
        },
        "required": ["ids", "properties"],
    }


_DEFAULT_LIMIT = 5
_MAX_QUERY = 500
_MAX_LIMIT = 100
_CUTOFF = 70.0
_MIN_FUZZY = 4

_FRAMEWORK_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity ?type ?label ?kind ?notation ?definition WHERE {
  VALUES ?type { %s }
  ?entity a ?type .
  { ?entity skos:prefLabel ?label BIND("pref" AS ?kind) }
  UNION { ?entity skos:altLabel ?label BIND("alt" AS ?kind) }
  OPTIONAL { ?entity skos:notation ?notation }
  OPTIONAL { ?entity skos:definition ?definition FILTER(lang(?definition) = "en") }
}
"""
_TYPE_NAMES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?type ?name WHERE { VALUES ?type { %s } ?type rdfs:label ?name FILTER(lang(?name) = "en") }
"""


@dataclass
class Entity:
    """A reconcilable entity.

    Its IRI, type, names (folded key -> (written, language)), and what data extension gives
    about it.
    """

    id: str
    type: str
    name: str
    description: str = ""
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    values: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    pref_labels: dict[str, str] = field(default_factory=dict)
    band: str | None = None

    def add_name(self, text: str, lang: str = "") -> None:
        """Make the entity matchable by ``text`` (first language given wins)."""
        self.names.setdefault(fold(" ".join(text.split())), (text, lang))


def _iris(types: tuple[str, ...]) -> str:
    return " ".join(f"<{iri}>" for iri in types)


def _framework_entities() -> list[Entity]:
    graph = load_graph()
    entities: dict[str, Entity] = {}
    rows = cast("list[ResultRow]", list(graph.query(_FRAMEWORK_QUERY % _iris(_FRAMEWORK_TYPES))))
    for row in rows:
        iri, type_, label, kind = str(row[0]), str(row[1]), row[2], str(row[3])
        entity = entities.setdefault(iri, Entity(iri, type_, iri))
        lang = getattr(label, "language", None) or ""
        if kind == "pref":
            entity.pref_labels[lang] = str(label)
        entity.add_name(str(label), lang)
        if row[4] is not None:
            entity.values["notation"] = [{"str": str(row[4])}]
            entity.add_name(str(row[4]))
        if row[5] is not None:
            entity.description = str(row[5])
    for entity in entities.values():
        entity.name = pick(entity.pref_labels, "en") or entity.id
        notation = entity.values.get("notation", [{"str": ""}])[0]["str"]
        entity.name = f"{notation} {entity.name}".strip()
    return list(entities.values())


def _term_entities(vocabulary: Vocabulary) -> list[Entity]:
    entities = []
    for label in vocabulary.labels:
        concept = vocabulary.concepts.get(label.concept)
        entity = Entity(label.iri, _TERM, label.text, band=label.band)
        entity.description = f"{label.band} ({label.lang})" + (
            f"; concept: {concept.preferred(label.lang)}" if concept else ""
        )
        entity.add_name(label.text, label.lang)
        for variant in label_variants(label.text, label.lang):
            entity.add_name(variant, label.lang)
        entity.values["band"] = [{"str": label.band}]
        entity.values["lang"] = [{"str": label.lang}]
        if concept is not None:
            entity.pref_labels = dict(concept.pref_labels)
            entity.values["concept"] = [{"id": concept.iri, "name": concept.preferred("en")}]
        entities.append(entity)
    return entities


def _country_entities() -> list[Entity]:
    entities = []
    for country in pycountry.countries:
        code = str(country.alpha_2)
        name = str(getattr(country, "common_name", None) or country.name)
        entity = Entity(country_iri(code), _COUNTRY, f"{name} ({code})", "ISO 3166-1 country")
        for attribute in ("name", "official_name", "common_name"):
            if getattr(country, attribute, None):
                entity.add_name(str(getattr(country, attribute)), "en")
        entity.add_name(code)
        entity.add_name(str(country.alpha_3))
        entity.pref_labels = {"en": name}
        entity.values["code"] = [{"str": code}]
        entities.append(entity)
    for code in ("XA", *[c for c in user_assigned_alpha2_codes() if c != "XA"]):
        if not code.startswith("X"):
            continue
        entity = Entity(country_iri(code), _COUNTRY, code, "user-assigned code: illustrative")
        entity.add_name(code)
        entity.values["code"] = [{"str": code}]
        entities.append(entity)
    for code in user_assigned_alpha3_codes():
        if code.startswith("X"):
            entity = Entity(country_iri(code), _COUNTRY, code, "user-assigned code: illustrative")
            entity.add_name(code)
            entity.values["code"] = [{"str": code}]
            entities.append(entity)
    return entities


@cache
def _type_names() -> dict[str, str]:
    graph = load_graph()
    rows = cast("list[ResultRow]", list(graph.query(_TYPE_NAMES_QUERY % _iris(ENTITY_TYPES))))
    return {str(row[0]): str(row[1]) for row in rows}


class ReconciliationService:
    """The entities and the operations of the API (plain dicts in, JSON-ready dicts out)."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        vocab = vocabulary if vocabulary is not None else load_vocabulary()
        self.vocabulary = vocab
        self.entities = _framework_entities() + _term_entities(vocab) + _country_entities()
        self.by_id = {entity.id: entity for entity in self.entities}
        self.type_names = _type_names()
        self._keys: list[tuple[str, Entity]] = [
            (key, entity) for entity in self.entities for key in entity.names
        ]

    # --- types and properties ----------------------------------------------------------------

    def types(self) -> list[dict[str, str]]:
        """Every entity type, ``{"id", "name"}``."""
        return [{"id": iri, "name": self.type_names.get(iri, iri)} for iri in ENTITY_TYPES]

    def _check_types(self, types: list[str]) -> None:
        unknown = [t for t in types if t not in ENTITY_TYPES]
        if unknown:
            raise InputError(
                f"unknown type {unknown[0]!r}; known types: {', '.join(ENTITY_TYPES)}",
                where="type",
            )

    def properties(self, type_: str | None = None) -> list[dict[str, str]]:
        """The properties data extension offers (for ``type_``, or all)."""
        if type_ is not None:
            self._check_types([type_])
        return [
            {"id": pid, "name": name, "description": description}
            for pid, (name, description, types) in EXTEND_PROPERTIES.items()
            if type_ is None or types is None or type_ in types
        ]

    # --- reconciliation ----------------------------------------------------------------------

    def _candidates(
        self, text: str, types: list[str], filters: dict[str, set[str]], limit: int
    ) -> list[tuple[float, bool, Entity, str, str]]:
        """(score, exact, entity, matched name, its language), best first, one per entity."""
        key = fold(" ".join(text.split()))
        if not key:
            return []
        pool = [
            (k, e)
            for k, e in self._keys
            if (not types or e.type in types) and self._passes(e, k, filters)
        ]
        best: dict[str, tuple[float, bool, Entity, str, str]] = {}
        # codes (FR, C01) match exactly only: a fuzzy score of two letters means nothing
        fuzzy = [(k, e) for k, e in pool if len(k) >= _MIN_FUZZY or k == key]
        found = process.extract(
            key,
            [k for k, _ in fuzzy],
            scorer=fuzz.token_sort_ratio,
            limit=None,
            score_cutoff=_CUTOFF,
        )
        for matched, score, index in found:
            entity = fuzzy[index][1]
            exact = matched == key
            written, lang = entity.names[matched]
            candidate = (100.0 if exact else round(float(score), 1), exact, entity, written, lang)
            if entity.id not in best or candidate[:2] > best[entity.id][:2]:
                best[entity.id] = candidate
        ranked = sorted(best.values(), key=lambda c: (-c[0], len(c[3]), c[2].id))
        return ranked[:limit]

    @staticmethod
    def _passes(entity: Entity, key: str, filters: dict[str, set[str]]) -> bool:
        if "band" in filters and (entity.band is None or entity.band not in filters["band"]):
            return False
        if "lang" in filters:
            lang = entity.names[key][1]
            return bool(lang) and primary(lang) in filters["lang"]
        return True

    def _query(self, query: Any, where: str) -> dict[str, Any]:
        if not isinstance(query, dict):
            raise InputError("a query must be a JSON object", where=where)
        text = query.get("query")
        if not isinstance(text, str) or not text.strip() or len(text) > _MAX_QUERY:
            raise InputError(f"'query' must be a text to match (1..{_MAX_QUERY})", where=where)
        raw_types = query.get("type", [])
        types = [raw_types] if isinstance(raw_types, str) else raw_types
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise InputError("'type' must be a type id or a list of them", where=where)
        self._check_types(types)
        limit = query.get("limit", _DEFAULT_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InputError("'limit' must be a positive integer", where=where)
        filters: dict[str, set[str]] = {}
        if query.get("type_strict", "any") not in ("any", "should", "all"):
            raise InputError("'type_strict' must be any, should or all", where=where)
        props = query.get("properties", [])
        if not isinstance(props, list):
            raise InputError("'properties' must be a list", where=where)
        for prop in props:
            if (
                not isinstance(prop, dict)
                or not isinstance(prop.get("pid"), str)
                or "v" not in prop
            ):
                raise InputError("each property needs a 'pid' and a 'v'", where=where)
            pid, values = prop["pid"], prop.get("v")
            values = values if isinstance(values, list) else [values]
            words = {str(v.get("id", "") if isinstance(v, dict) else v).strip() for v in values}
            if pid == "band":
                filters["band"] = {w.lower() for w in words}
            elif pid == "lang":
                filters["lang"] = {primary(w) for w in words}
            # other properties carry no filter here and are ignored, as the API allows
        candidates = self._candidates(text, types, filters, min(int(limit), _MAX_LIMIT))
        exact = [c for c in candidates if c[1]]
        result = []
        for score, is_exact, entity, written, lang in candidates:
            result.append(
                {
                    "id": entity.id,
                    "name": entity.name,
                    "description": entity.description
                    + (f" (matched {written!r}{f', {lang}' if lang else ''})" if written else ""),
                    "score": score,
                    "match": is_exact and len(exact) == 1,
                    "type": [{"id": entity.type, "name": self.type_names.get(entity.type, "")}],
                    "features": [{"id": "name_match", "value": score}],
                }
            )
        return {"result": result}

    def reconcile(self, queries: Any) -> dict[str, Any]:
        """Answer a batch of queries, ``{"q0": {"query": ...}, ...}``."""
        if not isinstance(queries, dict):
            raise InputError("queries must be a JSON object of named queries", where="queries")
        return {key: self._query(query, f"queries.{key}") for key, query in queries.items()}

    # --- suggest -----------------------------------------------------------------------------

    def suggest_entities(
        self, prefix: str, *, type_: str | None = None, limit: int = 10
    ) -> dict[str, Any]:
        """Entities with a name that starts with ``prefix``, or a word of it does (auto-completion).

        The shortest names first.
        """
        types = [type_] if type_ else []
        self._check_types(types)
        key = fold(" ".join(prefix.split()))
        if not key:
            return {"result": []}
        found: dict[str, tuple[int, int, Entity]] = {}
        for name, entity in self._keys:
            if types and entity.type not in types:
                continue
            if name.startswith(key):
                rank = 0
            elif f" {key}" in f" {name}":
                rank = 1
            else:
                continue
            candidate = (rank, len(name), entity)
            if entity.id not in found or candidate[:2] < found[entity.id][:2]:
                found[entity.id] = candidate
        ordered = [c[2] for c in sorted(found.values(), key=lambda c: (c[0], c[1], c[2].id))]
        return {
            "result": [
                {
                    "id": e.id,
                    "name": e.name,
                    "description": e.description,
                    "notable": [{"id": e.type, "name": self.type_names.get(e.type, "")}],
                }
                for e in ordered[:limit]
            ]
        }

    def suggest_types(self, prefix: str) -> dict[str, Any]:
        """The entity types whose name contains ``prefix``."""
        key = fold(prefix.strip())
        return {"result": [t for t in self.types() if key in fold(t["name"])]}

    def suggest_properties(self, prefix: str) -> dict[str, Any]:
        """The properties whose id or name contains ``prefix``."""
        key = fold(prefix.strip())
        return {
            "result": [
                p for p in self.properties() if key in fold(p["name"]) or key in fold(p["id"])
            ]
        }

    # --- data extension and preview ----------------------------------------------------------

    def propose_properties(self, type_: str, limit: int = 10) -> dict[str, Any]:
        """The properties to fetch for entities of ``type_``."""
        return {"type": type_, "properties": self.properties(type_)[:limit], "limit": limit}

    def entity(self, iri: str) -> Entity:
        """The entity ``iri``, or a :class:`NotFoundError` naming it."""
        try:
            return self.by_id[iri]
        except KeyError:
            raise NotFoundError(f"unknown entity id {iri[:200]!r}", where="id") from None

    def extend(self, request: Any, *, lang: str | None = None) -> dict[str, Any]:
        """Data extension: ``{"ids": [...], "properties": [{"id": "band"}, ...]}``."""
        if not isinstance(request, dict):
            raise InputError("extend must be a JSON object", where="extend")
        ids, props = request.get("ids"), request.get("properties")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InputError("'ids' must be a list of entity ids", where="extend.ids")
        if not isinstance(props, list) or not all(
            isinstance(p, dict) and isinstance(p.get("id"), str) for p in props
        ):
            raise InputError("'properties' must be a list of {id}", where="extend.properties")
        pids = [p["id"] for p in props]
        unknown = [p for p in pids if p not in EXTEND_PROPERTIES]
        if unknown:
            raise InputError(
                f"unknown property {unknown[0]!r}; known: {', '.join(EXTEND_PROPERTIES)}",
                where="extend.properties",
            )
        rows = {}
        for iri in ids:
            entity = self.entity(iri)
            rows[iri] = {pid: self._values(entity, pid, lang) for pid in pids}
        meta = [{"id": pid, "name": EXTEND_PROPERTIES[pid][0]} for pid in pids]
        return {"meta": meta, "rows": rows}

    def _values(self, entity: Entity, pid: str, lang: str | None) -> list[dict[str, str]]:
        if pid == "prefLabel":
            preferred = pick(entity.pref_labels, lang)
            return [{"str": preferred}] if preferred else []
        if pid == "useInstead" and entity.type == _TERM:
            label = next((lab for lab in self.vocabulary.labels if lab.iri == entity.id), None)
            if label is None:
                return []
            return [
                {"id": u["concept"], "name": u["label"]}
                for u in self.vocabulary.use_instead(label, lang=lang or label.lang)
            ]
        return list(entity.values.get(pid, []))

    def preview(self, iri: str) -> dict[str, str]:
        """What a preview shows of the entity: name, type, description, IRI."""
        entity = self.entity(iri)
        return {
            "id": entity.id,
            "name": entity.name,
            "type": self.type_names.get(entity.type, entity.type),
            "description": entity.description,
        }
