"""The JSON Schema of the front matter, and the field reference in Markdown: both from the model.

Both default to `model.Form` (the reference profile's form, documented in docs/fields.md); for another
profile pass its model (`profile.form_model`): keys, labels and validation follow the profile."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .model import Form, walk_fields
from .profiles import reference_data

SCHEMA_ID = "https://formgen.invalid/schema/form-v1.json"
REFERENCE_BODY: str = reference_data()["labels"]["conclusion"]
"""The reference profile's label of the Markdown body (自评结论), read from reference.toml."""

__all__ = ["field_reference", "form_schema"]


def form_schema(model: type[BaseModel] = Form, profile: str = "reference", body: str = REFERENCE_BODY
                ) -> dict[str, Any]:
    """JSON Schema (draft 2020-12): titles are the Chinese labels, descriptions the field docs. `profile`
    names the profile the model is of (another profile's schema has its own ``$id``), `body` its label for
    the Markdown body."""
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID if profile == "reference" else SCHEMA_ID.replace(".json", f"-{profile}.json"),
        **schema,
        "x-body": f"The Markdown body below the front matter is the {body} (the conclusion).",
        "x-profile": profile,
    }


def _rows(model: type[BaseModel], prefix: str) -> list[tuple[str, str, str, str]]:
    return [(f"`{path}`", field.info.title or "", "yes" if field.info.is_required() else "no",
             " ".join((field.info.description or "").split())) for path, field in walk_fields(model, prefix)]


def field_reference(model: type[BaseModel] = Form, body: str = REFERENCE_BODY) -> str:
    """docs/fields.md: every front-matter key with its label, whether it is required, and its doc. `body` is
    the profile's label of the Markdown body."""
    lines = [
        "# Field reference",
        "",
        "Generated from the model by `formgen schema --format markdown`; do not edit by hand",
        "(a test fails when this file and the model disagree). The Markdown body of a form file is the",
        f"{body}. See [format.md](format.md) for a worked example.",
        "",
        "| key | 标签 | required | what goes there |",
        "|---|---|---|---|",
    ]
    lines += [f"| {key} | {label} | {required} | {text} |" for key, label, required, text in _rows(model, "")]
    return "\n".join(lines) + "\n"
