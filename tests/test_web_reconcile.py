"""``/reconcile``.

The W3C Reconciliation API 0.2, called as OpenRefine calls it and validated against the
specification's own JSON Schemas (vendored in tests/data/reconciliation-0.2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
import referencing
from referencing.jsonschema import DRAFT7

from mnr_graph.core.namespaces import MNR

SCHEMAS = Path(__file__).parent / "data" / "reconciliation-0.2"
TERM_LABEL, CAPABILITY, COUNTRY = str(MNR.TermLabel), str(MNR.Capability), str(MNR.Country)


def _registry() -> referencing.Registry[Any]:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        uri = contents["$id"].rstrip("#")
        resources.append((uri, referencing.Resource.from_contents(contents, DRAFT7)))
    return referencing.Registry().with_resources(resources)


REGISTRY = _registry()


def valid(instance: Any, schema_file: str) -> None:
    """Raise unless ``instance`` is valid against the specification's schema ``schema_file``."""
    schema = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, registry=REGISTRY).validate(instance)


@pytest.fixture(scope="module")
def manifest(client: Any) -> dict[str, Any]:
    response = client.get("/reconcile")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _service(manifest: dict[str, Any], kind: str) -> str:
    """The path of a sub-service, read from the manifest as a client does."""
    entry = (
        manifest["suggest"][kind] if kind != "propose" else manifest["extend"][kind + "_properties"]
    )
    url: str = entry["service_url"] + entry["service_path"]
    return url.removeprefix("http://testserver")


def _reconcile(client: Any, queries: dict[str, Any]) -> dict[str, Any]:
    valid(queries, "reconciliation-query-batch.json")  # the test sends what the spec allows
    # OpenRefine POSTs the batch form-encoded, as one field "queries"
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    valid(body, "reconciliation-result-batch.json")
    return body


def test_manifest_is_valid_and_names_the_types_from_the_ontology(manifest: dict[str, Any]) -> None:
    valid(manifest, "manifest.json")
    assert manifest["versions"] == ["0.2"]
    assert {t["id"]: t["name"] for t in manifest["defaultTypes"]}[CAPABILITY] == "Capability"
    assert manifest["suggest"]["entity"]["service_url"].endswith("/reconcile")


def test_a_wrong_manifest_fails_the_schema(manifest: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        valid({**manifest, "versions": ["0.1"]}, "manifest.json")


def test_openrefine_batch_of_capabilities_terms_and_countries(client: Any) -> None:
    body = _reconcile(
        client,
        {
            "q0": {"query": "Liderazgo", "type": CAPABILITY, "type_strict": "should", "limit": 3},
            "q1": {"query": "child pornography", "type": TERM_LABEL, "limit": 3},
            "q2": {"query": "Frnace", "type": COUNTRY},
            "q3": {
                "query": "pornographie enfantine",
                "type": TERM_LABEL,
                "properties": [{"pid": "band", "v": "avoid"}, {"pid": "lang", "v": "fr"}],
            },
            "q4": {"query": "XA"},
        },
    )
    capability = body["q0"]["result"][0]
    assert (capability["id"], capability["match"], capability["score"]) == (
        "https://w3id.org/mnr-graph/id/C01",
        True,
        100.0,
    )
    term = body["q1"]["result"][0]
    assert term["id"] == "https://w3id.org/mnr-graph/label/en-child-pornography"
    assert term["description"].startswith("avoid (en)")
    assert len(body["q1"]["result"]) <= 3
    country = body["q2"]["result"][0]
    assert (country["id"].rsplit("/", 1)[-1], country["match"]) == ("FR", False)
    assert 70 <= country["score"] < 100
    french = body["q3"]["result"]
    assert french
    assert all("avoid (fr)" in c["description"] for c in french)
    assert body["q4"]["result"][0]["id"] == "https://w3id.org/mnr-graph/data/country/XA"


def test_get_with_queries_answers_as_post(client: Any) -> None:
    queries = json.dumps({"q": {"query": "Leadership"}})
    response = client.get(f"/reconcile?queries={quote(queries)}")
    assert response.status_code == 200
    assert response.json()["q"]["result"][0]["name"] == "C01 Leadership"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"queries": "{not json"}, "parameter 'queries'"),
        ({"queries": json.dumps({"q": {"query": "x", "type": "mnr:Nope"}})}, "type"),
        ({"queries": json.dumps({"q": {"limit": 3}})}, "queries.q"),
        ({"queries": json.dumps({"q": {"query": "x", "type": ""}})}, "type"),
        ({"queries": json.dumps({"q": {"query": "x", "limit": 2.5}})}, "queries.q"),
        ({"queries": "[]"}, "queries"),
        (
            {"extend": json.dumps({"ids": [], "properties": [{"id": "colour"}]})},
            "extend.properties",
        ),
        ({"queries": "{}", "extend": "{}"}, "parameters"),
        ({"queries": "{}", "callbak": "x"}, "form"),
    ],
)
def test_bad_requests_are_400_saying_where(client: Any, data: dict[str, str], where: str) -> None:
    response = client.post("/reconcile", data=data)
    assert response.status_code == 400, response.text
    assert response.json()["where"] == where


def test_a_json_body_is_refused_with_415(client: Any) -> None:
    response = client.post("/reconcile", json={"queries": {}})
    assert response.status_code == 415
    assert response.json()["where"] == "Content-Type"


def test_suggest_entities_types_and_properties(client: Any, manifest: dict[str, Any]) -> None:
    entities = client.get(_service(manifest, "entity"), params={"prefix": "child porn"}).json()
    valid(entities, "suggest-entities-response.json")
    names = [e["name"] for e in entities["result"]]
    assert names[:2] == ["child porn", "child pornography"]
    typed = client.get(
        _service(manifest, "entity"), params={"prefix": "lead", "type": CAPABILITY}
    ).json()
    assert [e["id"].rsplit("/", 1)[-1] for e in typed["result"]] == ["C01"]
    types = client.get(_service(manifest, "type"), params={"prefix": "count"}).json()
    valid(types, "suggest-types-response.json")
    assert [t["id"] for t in types["result"]] == [COUNTRY]
    props = client.get(_service(manifest, "property"), params={"prefix": "band"}).json()
    valid(props, "suggest-properties-response.json")
    assert [p["id"] for p in props["result"]] == ["band"]


def test_data_extension_band_preferred_label_and_use_instead(
    client: Any, manifest: dict[str, Any]
) -> None:
    proposed = client.get(_service(manifest, "propose"), params={"type": TERM_LABEL}).json()
    valid(proposed, "data-extension-property-proposal.json")
    assert {"band", "prefLabel", "useInstead"} <= {p["id"] for p in proposed["properties"]}
    label = "https://w3id.org/mnr-graph/label/en-child-pornography"
    request = {
        "ids": [label, "https://w3id.org/mnr-graph/id/C01"],
        "properties": [{"id": "band"}, {"id": "prefLabel"}, {"id": "useInstead"}],
    }
    valid(request, "data-extension-query.json")
    response = client.post("/reconcile", data={"extend": json.dumps(request), "lang": "fr"})
    assert response.status_code == 200, response.text
    body = response.json()
    valid(body, "data-extension-response.json")
    row = body["rows"][label]
    assert row["band"] == [{"str": "avoid"}]
    assert row["prefLabel"] == [{"str": "matériel d'abus sexuels sur enfants"}]
    assert (
        row["useInstead"][0]["id"] == "https://w3id.org/mnr-graph/term/child-sexual-abuse-material"
    )
    assert body["rows"]["https://w3id.org/mnr-graph/id/C01"]["band"] == []


def test_preview_is_html_and_escapes(client: Any, manifest: dict[str, Any]) -> None:
    url = manifest["preview"]["url"].replace("{{id}}", quote("https://w3id.org/mnr-graph/id/C01"))
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "C01 Leadership" in response.text
    assert "<script" not in response.text
    missing = client.get("/reconcile/preview", params={"id": "<b>x</b>"})
    assert missing.status_code == 404
    assert "<b>" not in missing.headers["content-type"]


def test_an_unknown_entity_in_an_extension_is_404(client: Any) -> None:
    extend = json.dumps({"ids": ["https://example.org/x"], "properties": [{"id": "band"}]})
    response = client.post("/reconcile", data={"extend": extend})
    assert response.status_code == 404
    assert response.json()["where"] == "id"
