"""The JSON Schema of the front matter, generated from the model (never written twice)."""

from __future__ import annotations

from typing import Any

from .model import Form

SCHEMA_ID = "https://formgen.invalid/schema/form-v1.json"


def form_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12): titles are the Chinese labels, descriptions the field docs."""
    schema = Form.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "x-body": "The Markdown body below the front matter is the 自评结论 (the conclusion).",
    }
