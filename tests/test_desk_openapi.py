"""The desk's OpenAPI document: valid, complete, and true to what the API answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from openapi_spec_validator import validate

from desk_support import INCIDENT, csrf, example_bundle, running_desk, settle, upload


def _validator(spec: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    text = json.dumps(spec["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/")
    return jsonschema.Draft202012Validator({"$defs": json.loads(text), "$ref": f"#/$defs/{name}"})


async def test_the_document_is_valid_and_lists_every_api_route(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        response = await client.get("/api/openapi.json")
        assert response.status == 200
        spec = await response.json()
        validate(spec)
        served = {(route.method, route.resource.canonical) for route in client.app.router.routes()
                  if route.resource is not None and route.resource.canonical.startswith("/api/")
                  and route.method != "HEAD"}
        documented = {(method.upper(), path) for path, operations in spec["paths"].items() for method in operations}
        assert served == documented
        assert "multipart/form-data" in spec["paths"]["/api/cases"]["post"]["requestBody"]["content"]


async def test_answers_match_the_documented_schemas(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as client:
        spec = await (await client.get("/api/openapi.json")).json()
        token = await csrf(client)
        _, case = await upload(client, example_bundle(), token, incident_at=INCIDENT, title="t")
        await settle(client)
        answers = {
            "Case": await (await client.get(f"/api/cases/{case['id']}")).json(),
            "CaseList": await (await client.get("/api/cases")).json(),
            "Run": await (await client.get(f"/api/cases/{case['id']}/runs/1")).json(),
            "SessionInfo": await (await client.get("/api/session")).json(),
        }
        for name, answer in answers.items():
            errors = list(_validator(spec, name).iter_errors(answer))
            assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"
        assert answers["Run"]["result"]["reports"], "a finished run must carry its reports"
        # and a schema that could fail: a case without its id is not a Case
        del answers["Case"]["id"]
        assert list(_validator(spec, "Case").iter_errors(answers["Case"]))
