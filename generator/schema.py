"""The JSON Schema of the front matter, and the field reference in Markdown: both from the model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .model import Form, inner_model

SCHEMA_ID = "https://formgen.invalid/schema/form-v1.json"

__all__ = ["field_reference", "form_schema"]


def form_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12): titles are the Chinese labels, descriptions the field docs."""
    schema = Form.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "x-body": "The Markdown body below the front matter is the 自评结论 (the conclusion).",
    }


def _rows(model: type[BaseModel], prefix: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        inner = inner_model(info.annotation)
        is_list = getattr(info.annotation, "__origin__", None) is list
        required = "yes" if info.is_required() else "no"
        description = " ".join((info.description or "").split())
        rows.append((f"`{key}`", info.title or "", required, description))
        if inner is not None:
            rows += _rows(inner, f"{key}[]." if is_list else f"{key}.")
    return rows


def field_reference() -> str:
    """docs/fields.md: every front-matter key with its label, whether it is required, and its doc."""
    lines = [
        "# Field reference",
        "",
        "Generated from the model by `formgen schema --format markdown`; do not edit by hand",
        "(a test fails when this file and the model disagree). The Markdown body of a form file is the",
        "自评结论. See [format.md](format.md) for a worked example.",
        "",
        "| key | 标签 | required | what goes there |",
        "|---|---|---|---|",
    ]
    lines += [f"| {key} | {label} | {required} | {text} |" for key, label, required, text in _rows(Form, "")]
    return "\n".join(lines) + "\n"
