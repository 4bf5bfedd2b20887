"""How weights work per scheme (``[scheme] weights``): fixed per 一级指标 (the reference), or free — the unit
spreads the indicator points over its rows, and only their total per form is fixed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from generator.__main__ import main

from .conftest import ROOT

REFERENCE_FORM = ROOT / "content" / "2024" / "judicial-aid-one-case.md"


def _free_site(tmp_path: Path, forms: dict[str, str]) -> None:
    """A site whose own profile extends the reference with free weights: 90 points for the indicators."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "free.toml").write_text(
        'extends = "reference"\ntitle = "自由分值"\n\n[scheme]\nweights = "free"\n', encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "free"\n', encoding="utf-8")
    (tmp_path / "content").mkdir()
    for name, text in forms.items():
        (tmp_path / "content" / f"{name}.md").write_text(text, encoding="utf-8")


def _reweighted(weights: list[int]) -> str:
    """The reference form with its six rows' 分值 (and, all being met, 得分) replaced, in order."""
    text = REFERENCE_FORM.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    rows = [i for i, line in enumerate(lines) if line.startswith("  - {level1:")]
    assert len(rows) == len(weights)
    for i, weight in zip(rows, weights, strict=True):
        head, _, _ = lines[i].partition(" weight:")
        lines[i] = f"{head} weight: {weight}, score: {weight}}}\n"
    return "".join(lines)


def _check_json(capsys) -> dict:
    capsys.readouterr()
    code = main(["check", "--format", "json"])
    return {"code": code, **json.loads(capsys.readouterr().out)}


def test_free_weights_differ_per_form_and_add_up_to_the_fixed_total(tmp_path, capsys, monkeypatch):
    # 产出 55, 效益 25, 满意度 10 in one form; 产出 40, 效益 40, 满意度 10 in the other: neither is the
    # reference's 50/30/10, both carry 90 points, and every row is met, so both total 100.
    _free_site(tmp_path, {"a": _reweighted([15, 20, 10, 10, 25, 10]),
                          "b": _reweighted([10, 10, 10, 10, 40, 10])})
    monkeypatch.chdir(tmp_path)
    report = _check_json(capsys)
    assert report["code"] == 0, report
    assert not [f for f in report["findings"] if f["code"] == "weights-sum"]
    capsys.readouterr()
    assert main(["build", "--no-pdf"]) == 0
    feed = json.loads((tmp_path / "output" / "data" / "forms.json").read_text(encoding="utf-8"))
    assert sorted(Decimal(form["total"]) for form in feed["forms"]) == [Decimal(100), Decimal(100)]


def test_free_weights_that_miss_the_total_are_an_error_naming_it(tmp_path, capsys, monkeypatch):
    _free_site(tmp_path, {"a": _reweighted([15, 20, 10, 10, 25, 5])})
    monkeypatch.chdir(tmp_path)
    report = _check_json(capsys)
    assert report["code"] != 0
    [finding] = [f for f in report["findings"] if f["code"] == "weights-sum"]
    assert finding["level"] == "error"
    assert "add up to 85, not the fixed total 90" in finding["message"]
    assert finding["fix"] == "make the rows' 分值 add up to 90"
    # The reference's per-level rule is not applied on top: 产出 55 and 效益 25 are not errors.
    assert "产出指标" not in finding["message"]
