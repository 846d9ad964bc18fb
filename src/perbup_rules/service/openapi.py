"""The OpenAPI 3.1 description of ``perbup serve`` (written out, so it says exactly what the routes do)."""

from __future__ import annotations

import html

from .. import __version__

_ERROR = {"description": "error: JSON {error: {code, message, location?, diagnostics?}}",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(desc: str, schema: dict | None = None) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def spec() -> dict:
    audit_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "perbup-rules service", "version": __version__,
                 "description": "Pre-award checks, audits by upload, and what-ifs of a Peraturan Bupati's parameters. "
                                "With --token, every /v1 request needs Authorization: Bearer <token>."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string", "description": "stable code (docs/errors.md, docs/service.md)"},
                        "message": {"type": "string"},
                        "location": {"type": "object"},
                        "diagnostics": {"type": "array", "items": {"type": "object"}}}}}},
                "Job": {"type": "object", "properties": {
                    "id": {"type": "string"}, "status": {"enum": ["queued", "running", "done", "failed"]},
                    "progress": {"type": "number", "minimum": 0, "maximum": 1}, "stage": {"type": "string"},
                    "summary": {"type": ["object", "null"]}, "error": {"type": ["object", "null"]},
                    "files": {"type": "array"}, "links": {"type": "object"}}},
                "CheckRequest": {"type": "object", "required": ["purchase"], "properties": {
                    "dataset": {"type": "string", "description": "an audit id whose uploads are the context, or 'example'",
                                "default": "example"},
                    "purchase": {"type": "object", "description": "column -> cell, as a row of purchases.csv",
                                 "additionalProperties": True}}},
                "WhatIfRequest": {"type": "object", "required": ["set"], "properties": {
                    "set": {"oneOf": [{"type": "object", "additionalProperties": {"type": "string"}},
                                      {"type": "array", "items": {"type": "string"}}],
                            "description": "NAME -> VALUE[@YYYY-MM-DD], or 'NAME=VALUE[@DATE]' strings"},
                    "dataset": {"type": ["string", "null"], "description": "audit id, 'example', or null (rules only)"},
                    "periods": {"type": "array", "items": {"type": "integer"}}}},
            },
        },
        "security": [{"bearer": []}, {}],
        "paths": {
            "/v1/health": {"get": {"summary": "The server and the draft it serves", "responses": {"200": _json("ok")}}},
            "/v1/check": {"post": {
                "summary": "Check one package before award against a context dataset",
                "description": "Per-package verdicts (each/exists clauses over purchases) and, per share clause, the "
                               "subject's standing before and after adding the package. Nothing else is judged.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}}}},
                "responses": {"200": _json("the check"), "400": _ERROR, "404": _ERROR, "422": _ERROR}}},
            "/v1/audits": {
                "post": {"summary": "Upload exports and registries; start an audit",
                         "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                             "type": "object", "required": ["files"], "properties": {
                                 "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                                 "registries": {"type": "array", "items": {"type": "string", "format": "binary"},
                                                "description": "supplier registries joined to the parties (docs/registries.md)"},
                                 "kind": {"type": "string", "description": "canonical, sirup-rup, spse-*, ocds or auto"},
                                 "engine": {"enum": ["durable", "reference"]},
                                 "stage": {"enum": ["plan", "award", "contract"]},
                                 "periods": {"type": "string", "description": "years, comma-separated"}}}}}},
                         "responses": {"202": _json("the job", {"$ref": "#/components/schemas/Job"}), "400": _ERROR,
                                       "413": _ERROR, "415": _ERROR}},
                "get": {"summary": "The latest audits", "responses": {"200": _json("jobs")}}},
            "/v1/audits/{id}": {
                "parameters": [audit_id],
                "get": {"summary": "Status and progress", "responses": {"200": _json("the job", {"$ref": "#/components/schemas/Job"}), "404": _ERROR}},
                "delete": {"summary": "Delete the job, its uploads and its reports", "responses": {"204": {"description": "deleted"}, "404": _ERROR}}},
            "/v1/audits/{id}/report.{fmt}": {"get": {
                "summary": "The report (html, json, csv or md) of a finished audit",
                "parameters": [audit_id, {"name": "fmt", "in": "path", "required": True, "schema": {"enum": ["html", "json", "csv", "md"]}}],
                "responses": {"200": {"description": "the report, the bytes `perbup audit --format fmt` writes"},
                              "404": _ERROR, "409": _ERROR}}},
            "/v1/clauses": {"get": {"summary": "Every clause: id, kind, title, citation, parameters", "responses": {"200": _json("clauses")}}},
            "/v1/clauses/{id}": {"get": {"summary": "One clause: text, citation, legal basis, parameters with values and bounds",
                                         "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                                         "responses": {"200": _json("the clause"), "404": _ERROR}}},
            "/v1/params": {"get": {"summary": "Parameters with units, dated values and legal bounds", "responses": {"200": _json("params")}}},
            "/v1/what-if": {"post": {
                "summary": "Change parameters: check, failing scenarios, flipped verdicts, redline and draft params.yaml",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WhatIfRequest"}}}},
                "responses": {"200": _json("the what-if"), "400": _ERROR, "404": _ERROR, "422": _ERROR}}},
        },
    }


def docs_html() -> str:
    """A readable list of the endpoints (no scripts, no CDN)."""
    s = spec()
    rows = []
    for path, item in s["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            rows.append(f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
                        f"<td>{html.escape(op.get('summary', ''))}</td></tr>")
    return ("<!doctype html><html lang='id'><head><meta charset='utf-8'><title>perbup API</title>"
            "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
            "td{padding:.3rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}</style></head><body>"
            f"<h1>perbup-rules API {html.escape(s['info']['version'])}</h1><p>{html.escape(s['info']['description'])}</p>"
            "<p>Deskripsi lengkap / full description: <a href='/openapi.json'>/openapi.json</a>. "
            "Contoh curl: docs/service.md.</p><table>" + "".join(rows) + "</table></body></html>")
