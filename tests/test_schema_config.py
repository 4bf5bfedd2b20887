"""The JSON Schema of the front matter, and formgen.toml."""

from __future__ import annotations

import json
from decimal import Decimal

import frontmatter
import jsonschema
import pytest

from generator.__main__ import main
from generator.config import ConfigError, Scheme, load_config
from generator.model import MAX_TEXT_CHARS, Form
from generator.reading import discover

from .conftest import CONTENT, ROOT


def _schema(capsys):
    assert main(["schema"]) == 0
    return json.loads(capsys.readouterr().out)


def _walk_properties(schema, node, path=()):
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]]
    for name, prop in node.get("properties", {}).items():
        yield (*path, name), prop
        target = prop
        if "items" in prop:
            target = prop["items"]
        if "$ref" in target or "properties" in target:
            yield from _walk_properties(schema, target, (*path, name))


def test_every_field_has_a_chinese_label_and_a_description(capsys):
    schema = _schema(capsys)
    fields = list(_walk_properties(schema, schema))
    assert len(fields) > 30
    for path, prop in fields:
        assert prop.get("title"), path
        assert any("\u4e00" <= char <= "\u9fff" for char in prop["title"]), (path, prop["title"])
        assert prop.get("description"), path
    titles = {path: prop["title"] for path, prop in fields}
    assert titles[("funds", "total", "budget")] == "全年预算数（A）"
    assert titles[("indicators", "reason")] == "未完成原因分析"


def test_schema_is_generated_from_the_model(capsys):
    schema = _schema(capsys)
    assert set(schema["properties"]) == set(Form.model_fields)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {name for name, info in Form.model_fields.items() if info.is_required()}


def _as_an_editor_reads_it(path):
    """The front matter as a YAML-aware editor reads it (typed YAML), in JSON terms."""
    return json.loads(json.dumps(frontmatter.load(path).metadata, default=str))


def test_schema_accepts_every_reference_form(capsys):
    schema = _schema(capsys)
    validator = jsonschema.Draft202012Validator(schema)
    for path in discover([CONTENT]):
        errors = list(validator.iter_errors(_as_an_editor_reads_it(path)))
        assert not errors, (path, errors[0].message)


def test_schema_rejects_an_unknown_key(capsys):
    schema = _schema(capsys)
    data = _as_an_editor_reads_it(discover([CONTENT])[0])
    data["titel"] = "x"
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data))


def test_schema_tells_editors_the_length_of_a_field(capsys):
    """An editor using the schema flags a text over the limit `check` reports (field-text-too-long)."""
    schema = _schema(capsys)
    data = _as_an_editor_reads_it(discover([CONTENT])[0])
    data["title"] = "长" * (MAX_TEXT_CHARS + 1)
    [error] = jsonschema.Draft202012Validator(schema).iter_errors(data)
    assert error.validator == "maxLength" and list(error.path) == ["title"]


def test_without_a_config_file_the_reference_rules_apply(tmp_path):
    """No formgen.toml (none given, or none where one is looked for): the published reference scheme, its
    figures as rules.md states them, and the default title."""
    for config in (load_config(None), load_config(tmp_path / "formgen.toml")):
        scheme = config.scheme
        assert scheme.budget_weight == 10
        assert [(level1.name, level1.weight) for level1 in scheme.level1] == [
            ("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)]
        assert [(grade.name, grade.minimum) for grade in scheme.grades] == [
            ("优", 90), ("良", 80), ("中", 60), ("差", 0)]
        assert [(band.low, band.high) for band in scheme.bands] == [
            (Decimal("0.8"), 1), (Decimal("0.6"), Decimal("0.8")), (0, Decimal("0.6"))]
        assert (scheme.score_decimals, scheme.rate_decimals, scheme.weights) == (2, 2, "fixed")
        assert config.site.title == "项目支出绩效自评表"


def test_the_project_config_keeps_the_reference_scheme():
    assert load_config(ROOT / "formgen.toml").scheme == Scheme()


def test_config_errors_name_file_line_and_key(tmp_path):
    path = tmp_path / "formgen.toml"
    path.write_text('[site]\ntitle = "x"\n\n[scheme]\nbudget_weight = 20\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "add up to 110, not 100" in str(error.value)
    path.write_text('[site]\ntitel = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    finding = error.value.findings[0]
    assert (finding.line, finding.field) == (2, "site.titel")
    path.write_text('[site\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_a_different_scheme_changes_the_scores(tmp_path, capsys, monkeypatch):
    # 湖北-style budget weight 20 with 产出 40: the reference forms then fail the weight check, as they should.
    (tmp_path / "formgen.toml").write_text(
        "[scheme]\nbudget_weight = 20\n[[scheme.level1]]\nname = \"产出指标\"\nweight = 40\n"
        "[[scheme.level1]]\nname = \"效益指标\"\nweight = 30\n[[scheme.level1]]\nname = \"满意度指标\"\nweight = 10\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # CONTENT lies in the repository's site, whose own formgen.toml a content path now brings: name this one.
    assert main(["check", "--config", "formgen.toml", str(CONTENT)]) == 1
    out = capsys.readouterr().out
    assert "add up to 50, not 40" in out
