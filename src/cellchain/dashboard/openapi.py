"""The OpenAPI document's hand-written parts: the scenario request body (YAML, JSON or a
multipart file), its JSON Schema generated from the scenario models, and the component
schemas they refer to."""

from __future__ import annotations

from cellchain.dashboard import limits

REF = "#/components/schemas/{model}"


def _kinds_schema(kinds: dict, defs: dict) -> dict:
    """A list entry with exactly one key, the kind, whose value is that kind's model."""
    options = []
    for kind, model in kinds.items():
        schema = model.model_json_schema(by_alias=True, ref_template=REF)
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
        options.append({"type": "object", "additionalProperties": False,
                        "required": [kind], "minProperties": 1, "maxProperties": 1,
                        "properties": {kind: {"anyOf": [
                            {"$ref": REF.format(model=model.__name__)}, {"type": "null"}]}}})
    # An entry's body or the whole list may be left empty (null): the defaults / no entries.
    return {"anyOf": [{"type": "array", "items": {"oneOf": options}}, {"type": "null"}]}


def scenario_schemas() -> dict[str, dict]:
    """Component schemas: ``Scenario`` and every shock and policy model it lists."""
    from cellchain.scenarios.schema import POLICIES, SHOCKS, Scenario

    defs: dict[str, dict] = {}
    fields = Scenario.model_json_schema(by_alias=True, ref_template=REF)["properties"]
    scenario = {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "description": "A scenario: shocks and policy rules applied to one year's chain "
                       "(docs/scenarios.md). Each list entry has exactly one key, its kind.",
        "properties": {
            "name": {**fields["name"], "minLength": 1, "pattern": r"\S"},
            "description": fields.get("description", {"type": "string"}),
            "year": fields["year"],
            "shocks": _kinds_schema(SHOCKS, defs),
            "policy": _kinds_schema(POLICIES, defs),
        }}
    for schema in defs.values():
        schema.pop("title", None)
    return {"Scenario": scenario, **defs}


SCENARIO_REF = {"$ref": REF.format(model="Scenario")}

EXAMPLE = {"name": "China bans graphite anode exports to the US", "year": 2024,
           "shocks": [{"export_ban": {"from": "CHN", "to": ["USA"], "stages": ["materials"],
                                      "products": ["anode"]}}]}


def scenario_body(form_fields: dict | None = None, multipart_only: bool = False) -> dict:
    """``openapi_extra`` of a route that reads a scenario with
    :func:`cellchain.dashboard.uploads.read_scenario`."""
    multipart = {
        "schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                   "properties": {"file": {**SCENARIO_REF}, **(form_fields or {})}},
        "encoding": {"file": {"contentType": "application/yaml, application/json"}}}
    content = {limits.MULTIPART_TYPE: multipart}
    if not multipart_only:
        for media in (*limits.YAML_TYPES, *limits.JSON_TYPES):
            content[media] = {"schema": SCENARIO_REF, "example": EXAMPLE}
    return {"requestBody": {
        "required": True, "content": content,
        "description": f"A scenario, at most {limits.MAX_UPLOAD_BYTES} bytes (the whole "
                       f"request at most {limits.MAX_REQUEST_BYTES} bytes, counted as it "
                       "arrives). Other Content-Types get 415."}}


#: Parameters whose routes also take other spellings (a facility's or entity's name,
#: ``usa`` for ``USA``): the document lists the canonical values as one alternative of
#: ``anyOf`` beside any string. The others take exactly the listed values.
LENIENT = frozenset({"facility_id", "entity_id", "market"})


def known_values(bundled: list[dict]) -> dict[str, list[str]]:
    """The values each named parameter takes in the data being served, keyed by
    parameter name; unknown values still get a 404 naming the nearest."""
    from cellchain import nomenclature as nom
    from cellchain.chain import model
    from cellchain.network.network import MARKETS

    return {"facility_id": sorted(model.facilities()), "entity_id": sorted(model.entities()),
            "market": list(MARKETS), "name": [s["id"] for s in bundled],
            "stage": list(nom.STAGES), "status": list(nom.STATUSES)}


def _list_values(doc: dict, values: dict[str, list[str]]) -> None:
    for item in doc.get("paths", {}).values():
        for op in item.values():
            for param in op.get("parameters", []):
                name = param["name"]
                if not values.get(name):
                    continue
                listed = {"type": "string", "enum": values[name]}
                if name in LENIENT:
                    listed = {"anyOf": [listed, {"type": "string"}]}
                schema = param.setdefault("schema", {})
                if "anyOf" in schema:  # optional: string | null
                    schema["anyOf"] = [s for s in schema["anyOf"] if s.get("type") != "string"]
                    schema["anyOf"][:0] = listed.get("anyOf", [listed])
                else:
                    schema.clear()
                    schema.update(listed)


def install(app, values) -> None:
    """Add the scenario component schemas, and the values of named parameters
    (``values()``: see :func:`known_values`), to the app's OpenAPI document."""
    from fastapi.openapi.utils import get_openapi

    def openapi():
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version,
                              description=app.description, routes=app.routes)
            doc.setdefault("components", {}).setdefault("schemas", {}).update(
                scenario_schemas())
            _list_values(doc, values())
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi
