"""The OpenAPI 3.1 document of the desk's API, made from the route table and its pydantic models,
so it cannot drift from what the handlers accept and return."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .. import __version__
from .schemas import Problem

_PARAMETER = re.compile(r"{(\w+)}")


def openapi_document(routes: Sequence[Any]) -> dict[str, Any]:
    """The OpenAPI document for `routes` (`weaklink.desk.api.ROUTES`)."""
    models: set[type[BaseModel]] = {Problem}
    for route in routes:
        models.update(m for m in (route.body, route.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, schemas = models_json_schema([(m, "serialization") for m in ordered],
                                    ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        operation: dict[str, Any] = {
            "operationId": route.handler.__name__,
            "summary": route.summary,
            "responses": {str(route.status): _response(route)},
        }
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
                      for name in _PARAMETER.findall(route.path)]
        parameters += [{"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
                       for name, text in route.query.items()]
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{route.body.__name__}"}}}}
        elif route.multipart:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["bundle"],
                "properties": {name: ({"type": "string", "format": "binary", "description": text}
                                      if name in {"bundle", "scenario"} else {"type": "string", "description": text})
                               for name, text in route.multipart.items()}}}}}
        for status, meaning in _ERRORS.items():
            operation["responses"].setdefault(status, {"description": meaning, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}})
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "weaklink support desk", "version": __version__,
                 "description": "Cases, traces and escalation bundles. State-changing requests from a browser "
                                "session carry the session's CSRF token in the X-CSRF-Token header; scripts may "
                                "instead send an agent token as `Authorization: Bearer <token>`."},
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "agentToken": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "weaklink_session"},
            },
        },
        "security": [{"agentToken": []}, {"session": []}],
    }


_ERRORS = {
    "400": "Bad input: the message names the field",
    "401": "Not logged in",
    "403": "Missing or wrong CSRF token",
    "404": "No such case, run or escalation",
}


def _response(route: Any) -> dict[str, Any]:
    if route.status == 204:
        return {"description": "Done"}
    if route.response is not None:
        return {"description": route.summary, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{route.response.__name__}"}}}}
    if route.content_type == "application/json":
        return {"description": route.summary, "content": {"application/json": {"schema": {"type": "object"}}}}
    return {"description": route.summary, "content": {route.content_type: {"schema": {"type": "string",
                                                                                       "format": "binary"}}}}
