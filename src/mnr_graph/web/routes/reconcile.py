"""``/reconcile``: the W3C Reconciliation Service API 0.2, as OpenRefine calls it.

``GET /reconcile`` is the service manifest; ``GET`` or ``POST`` (form-encoded, as OpenRefine
sends it) with ``queries=<JSON>`` reconciles a batch, with ``extend=<JSON>`` extends data.
Suggest (``/reconcile/suggest/{entity,type,property}``), property proposal
(``/reconcile/extend/propose``) and the HTML preview (``/reconcile/preview?id=``) complete it.
The work is :class:`mnr_graph.terminology.reconcile.ReconciliationService`'s; URLs in the
manifest are built from the request's base URL, which carries any root path.

>>> sorted(route.path for route in get_router().routes)[:2]
['/reconcile', '/reconcile']
"""

from __future__ import annotations

import html
import json
from functools import cache
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from mnr_graph import __version__
from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.core.namespaces import BASE
from mnr_graph.terminology.reconcile import (
    ENTITY_TYPES,
    ReconciliationService,
    extend_schema,
    queries_schema,
)
from mnr_graph.web.errors import ERRORS, errors

__all__ = ["get_router", "manifest"]

_JSON_FIELDS = ("queries", "extend")
_FIELDS = {
    "queries": 'a JSON object of named queries: {"q0": {"query": "Leadership"}}',
    "extend": 'a JSON object: {"ids": [...], "properties": [{"id": "band"}]}',
    "lang": "the language of labels in a data extension (en, fr, es)",
}
_TYPE_ENUM: dict[str, Any] = {"enum": list(ENTITY_TYPES)}
_JSON_ERROR = {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorModel"}}}
}


@cache
def service() -> ReconciliationService:
    """The one service of the process (its index is built on first use)."""
    return ReconciliationService()


def manifest(base: str) -> dict[str, Any]:
    """The service manifest, its URLs under ``base`` (the API's root, ending with ``/``)."""
    reconcile = f"{base}reconcile"
    return {
        "versions": ["0.2"],
        "name": "mnr-graph: MNR framework, terminology and countries",
        "identifierSpace": BASE,
        "schemaSpace": f"{BASE}def/",
        "documentation": f"{base}docs#/reconciliation",
        "serviceVersion": __version__,
        "view": {"url": "{{id}}"},
        "defaultTypes": service().types(),
        "preview": {"url": f"{reconcile}/preview?id={{{{id}}}}", "width": 400, "height": 160},
        "suggest": {
            kind: {"service_url": reconcile, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": reconcile, "service_path": "/extend/propose"},
            "property_settings": [],
        },
    }


def _json_field(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            where=f"parameter {name!r}",
        ) from None


async def _fields(request: Request) -> dict[str, str]:
    """The API's parameters from the query string and a form-encoded body, each at most once."""
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raise UnsupportedMediaTypeError(
                "send the parameters form-encoded (application/x-www-form-urlencoded)",
                where="Content-Type",
            )
        form = await request.form()
        unknown = sorted({key for key in form if key not in _FIELDS})
        if unknown:
            raise InputError(
                f"unknown form field(s) {', '.join(map(repr, unknown))[:200]}; "
                f"known: {', '.join(_FIELDS)}",
                where="form",
            )
        pairs += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise InputError("given more than once", where=f"parameter {key!r}")
        fields[key] = value
    return fields


def get_router() -> APIRouter:
    """The reconciliation routes."""
    router = APIRouter(tags=["reconciliation"])

    async def endpoint(request: Request) -> dict[str, Any]:
        fields = await _fields(request)
        given = [name for name in _JSON_FIELDS if name in fields]
        if len(given) > 1:
            raise InputError("give either 'queries' or 'extend', not both", where="parameters")
        if not given:
            return manifest(str(request.base_url))
        name = given[0]
        payload = _json_field(name, fields[name])
        if name == "queries":
            return service().reconcile(payload)
        return service().extend(payload, lang=fields.get("lang"))

    description = (
        "Without parameters: the service manifest. With `queries` (a JSON object of named "
        "queries): their candidates, scored. With `extend` (`{ids, properties}`): the values "
        "of the properties for each entity (`lang` picks the language of labels)."
    )
    json_fields = {"queries": queries_schema(), "extend": extend_schema()}
    in_query = [
        {"name": "queries", "in": "query", "required": False, "description": _FIELDS["queries"],
         "content": {"application/json": {"schema": json_fields["queries"]}}},
    ]  # fmt: skip
    # In a form, each JSON field is a string holding JSON (OpenAPI 3.1: contentSchema);
    # one of queries and extend, or neither for the manifest.
    form_schema = {
        "type": "object",
        "properties": {
            **{
                name: {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": schema,
                    "description": _FIELDS[name],
                }
                for name, schema in json_fields.items()
            },
            "lang": {"type": "string", "description": _FIELDS["lang"]},
        },
        "additionalProperties": False,
    }
    form = {"application/x-www-form-urlencoded": {"schema": form_schema}}
    router.add_api_route(
        "/reconcile",
        endpoint,
        methods=["GET"],
        summary="Reconciliation service: the manifest, or the candidates of queries",
        description=description + " (`extend` and `lang` are also read here, as the API allows.)",
        responses=errors(400, 404),
        openapi_extra={"parameters": in_query},
    )
    router.add_api_route(
        "/reconcile",
        endpoint,
        methods=["POST"],
        summary="Reconciliation service, parameters form-encoded (as OpenRefine sends them)",
        description=description,
        responses=errors(400, 404, 413, 415),
        openapi_extra={"requestBody": {"required": True, "content": form}},
    )

    @router.get("/reconcile/suggest/entity", responses=errors(400))
    def suggest_entity(
        prefix: str = Query(..., max_length=200, description="what the user typed so far"),
        type: str | None = Query(
            None, description="only entities of this type", json_schema_extra=_TYPE_ENUM
        ),
        limit: int = Query(10, ge=1, le=100),
    ) -> dict[str, Any]:
        """Entities whose name (or a word of it) starts with ``prefix``."""
        return service().suggest_entities(prefix, type_=type, limit=limit)

    @router.get("/reconcile/suggest/type", responses=errors(400))
    def suggest_type(prefix: str = Query(..., max_length=200)) -> dict[str, Any]:
        """The entity types whose name contains ``prefix``."""
        return service().suggest_types(prefix)

    @router.get("/reconcile/suggest/property", responses=errors(400))
    def suggest_property(prefix: str = Query(..., max_length=200)) -> dict[str, Any]:
        """The properties data extension offers whose id or name contains ``prefix``."""
        return service().suggest_properties(prefix)

    @router.get("/reconcile/extend/propose", responses=errors(400))
    def propose_properties(
        type: str = Query(..., description="an entity type", json_schema_extra=_TYPE_ENUM),
        limit: int = Query(10, ge=1, le=100),
    ) -> dict[str, Any]:
        """The properties to fetch for entities of ``type``."""
        return service().propose_properties(type, limit)

    @router.get(
        "/reconcile/preview",
        response_class=HTMLResponse,
        responses={code: {"description": ERRORS[code], **_JSON_ERROR} for code in (400, 404)},
    )
    def preview(id: str = Query(..., max_length=2000)) -> HTMLResponse:
        """A small HTML card of the entity, for OpenRefine's preview pop-up."""
        shown = {k: html.escape(v) for k, v in service().preview(id).items()}
        body = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{shown['name']}</title></head><body>"
            f'<p><a href="{shown["id"]}" target="_blank">{shown["name"]}</a></p>'
            f"<p>{shown['type']}</p><p>{shown['description']}</p></body></html>\n"
        )
        return HTMLResponse(body)

    return router
