"""Cells a published copy prints empty, as `formgen import` writes them: a cell that is in the table but
empty is written empty ("") where the form model and the profile let it be empty — under 宁夏's judged
项目决策 in any form, an unfilled copy's 完成值, 得分 and 其他资金 row in a published one — and only a cell
that is not in the source at all is a placeholder (【待填写】) and an `import-missing` error.
"""

from __future__ import annotations

import pytest
import yaml

from generator.authoring import form_text
from generator.checks import PLACEHOLDER
from generator.findings import Level
from generator.importing.draft import Draft, Location
from generator.profile import form_model, shipped_profiles

from .test_import_cells import exported_and_imported

_ROW = {"level1": "产出指标", "level2": "数量指标", "name": "改造线路长度", "target": "12公里", "weight": "10"}


def _draft(row: dict[str, str], profile: str = "reference") -> Draft:
    chosen = shipped_profiles()[profile]
    return Draft(Location("form.pdf", page=1), 1, {"indicators": [row]}, model=form_model(chosen),
                 judged=frozenset(level1.name for level1 in chosen.scheme.level1 if level1.judged))


def _row_as_written(draft: Draft) -> dict[str, str]:
    text = form_text(draft.values, "正文", model=draft.model, empty=draft.printed_empty())
    return yaml.load(text.split("---")[1], Loader=yaml.BaseLoader)["indicators"][0]


def test_an_actual_printed_empty_is_written_empty_and_one_not_found_is_a_placeholder():
    printed = _draft({**_ROW, "actual": ""})  # the 实际完成值 cell is in the table, empty
    absent = _draft(dict(_ROW))  # no 实际完成值 cell was found
    assert _row_as_written(printed)["actual"] == ""
    assert "indicators[1].actual" not in printed.missing()
    assert _row_as_written(absent)["actual"] == PLACEHOLDER
    assert "indicators[1].actual" in absent.missing()
    printed.finish()
    absent.finish()
    # (title, funds and the rest are missing from both drafts alike: only the row's cell tells them apart)
    [empty] = [note for note in printed.notes if note.code == "import-empty"]
    assert empty.level is Level.WARNING and "第1项" in empty.message and "status: published" in empty.message
    assert not any(note.code == "import-missing" and "第1项" in note.message for note in printed.notes)
    assert any(note.code == "import-missing" and note.level is Level.ERROR and "第1项" in note.message
               for note in absent.notes)
    assert not any(note.code == "import-empty" for note in absent.notes)


def test_a_target_printed_empty_is_a_placeholder_unless_the_profile_lets_it_be_empty():
    # A 指标值 is required in every form of the reference profile, published or not: empty, it is still to fill.
    assert _row_as_written(_draft({**_ROW, "target": "", "actual": "12公里"}))["target"] == PLACEHOLDER
    # 宁夏 scores 项目决策 by judgement: its rows may print 指标值 empty (the 2021 form's 可行性 and 适当性).
    judged = _draft({"level1": "项目决策", "level2": "项目立项", "name": "可行性", "target": "",
                     "actual": "实际工作需求", "weight": "2", "score": "2"}, "ningxia")
    assert _row_as_written(judged)["target"] == ""
    judged.finish()
    # nothing to report about the row: any 宁夏 form may leave it so
    assert not any("第1项" in note.message for note in judged.notes), judged.notes


def test_ningxia_judged_rows_printed_empty_come_back_empty_from_a_workbook(capsys, tmp_path, monkeypatch):
    data, said = exported_and_imported(capsys, tmp_path, monkeypatch, "ningxia", "xlsx", as_text=True)
    targets = {row["name"]: row.get("target") for row in data["indicators"]}
    assert targets["可行性"] == "" and targets["适当性"] == "", targets
    assert PLACEHOLDER not in str(data) and "import-missing" not in said and "import-empty" not in said, said


def test_an_unfilled_sichuan_copy_comes_back_empty_with_its_report_number(capsys, tmp_path, monkeypatch):
    data, said = exported_and_imported(capsys, tmp_path, monkeypatch, "sichuan-dept", "docx", as_text=True)
    assert data["report_number"] == "510000_0013zp"  # the line above the heading
    assert [(row["actual"], row["score"]) for row in data["indicators"]] == [("", ""), ("", "")]
    assert [data["funds"]["other"][key] for key in ("initial", "budget", "executed")] == ["", "", ""]
    assert (data["stated"]["budget_score"], data["stated"]["total"]) == ("", "")
    assert PLACEHOLDER not in str(data) and "import-missing" not in said, said
    assert "[import-empty]" in said and "完成值" in said, said
    assert data["execution_reason"].startswith("（概述）印出的填表规则")  # the cell under the 原因 heading


@pytest.mark.chinese
def test_the_printed_empty_warning_is_in_chinese():
    from .chinese import chinese_share

    printed = _draft({**_ROW, "actual": ""})
    printed.finish()
    [empty] = [note.message for note in printed.notes if note.code == "import-empty"]
    assert "印为空" in empty and chinese_share(empty) >= 0.7, empty
