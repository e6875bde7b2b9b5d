"""/api/docs: the API reference as one self-contained page rendered from the OpenAPI
document (no scripts, no styles or fonts from elsewhere; it works with no network).

Chosen over serving Swagger UI from a package, measured on 2026-12-03: this page is about
30 KB with no script; Swagger UI as shipped by fastapi-offline 1.7.7 is 1.7 MB of script
and CSS per load (plus a dependency), and swagger-ui-bundle 1.1.0 ships Swagger UI 4.15.5,
which predates the OpenAPI 3.1 documents FastAPI writes. The interactive "try it" is
replaced by a curl line per operation.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cellchain.dashboard.deps import Dash

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")


def _type(schema: dict) -> str:
    """A short type label: ``integer [1990..2100]``, ``string``, ``Scenario``..."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    label = schema.get("type", "any")
    if "enum" in schema:
        values = schema["enum"]
        shown = ", ".join(map(str, values[:10]))
        return f"{label}: {shown}" + (f", ... ({len(values)} in all)" if len(values) > 10
                                      else "")
    if label == "object" and schema.get("properties"):
        fields = ", ".join(f"{k}: {_type(v)}" for k, v in schema["properties"].items())
        return f"object {{{fields}}}"
    if label == "array":
        label = f"array of {_type(schema.get('items', {}))}"
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        label += f" [{'' if low is None else low}..{'' if high is None else high}]"
    return label


def _example(media: str, value) -> str:
    """An example body as it is sent: YAML for the YAML types, JSON otherwise."""
    if "yaml" in media:
        import yaml

        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
    return json.dumps(value, indent=1)


def operations(doc: dict) -> list[dict]:
    """The document's operations, in path order, flattened for the template."""
    out = []
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody")
            out.append({
                "id": op.get("operationId", f"{method}-{path}"),
                "method": method.upper(), "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", "").replace("``", ""),
                "parameters": [{"name": p["name"], "in": p["in"],
                                "required": p.get("required", False),
                                "type": _type(p.get("schema", {})),
                                "description": p.get("description", "")}
                               for p in op.get("parameters", [])],
                "body": None if body is None else {
                    "description": body.get("description", ""),
                    "content": [{"media": media, "type": _type(spec.get("schema", {})),
                                 "example": _example(media, spec["example"])
                                 if "example" in spec else None}
                                for media, spec in body.get("content", {}).items()]},
                "responses": [{"status": status, "description": r.get("description", ""),
                               "types": sorted({_type(c.get("schema", {}))
                                                for c in r.get("content", {}).values()})}
                              for status, r in sorted(op.get("responses", {}).items())],
            })
    return out


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, dash: Dash):
    doc = request.app.openapi()
    schemas = {name: json.dumps(schema, indent=1)
               for name, schema in sorted(doc.get("components", {}).get("schemas", {})
                                          .items())}
    return dash.templates.TemplateResponse(request, "api_docs.html.j2", {
        "info": doc.get("info", {}), "operations": operations(doc), "schemas": schemas,
        "base": str(request.base_url).rstrip("/")})
