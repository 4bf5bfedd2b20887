"""The CLI as a user runs it: exit codes, what `check` prints on the reference forms, one-run reporting."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.__main__ import main

from .conftest import CONTENT, ROOT

FORM_1 = "power-system-renovation.md"


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_content_is_clean_and_prints_the_predicted_warnings(capsys, project_root):
    code, out, _ = run(capsys, "check")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "10 forms checked: 0 errors, 19 warnings — ok"

    def warned(path, code_text):
        return [line for line in lines if line.startswith(f"content/2024/{path}:") and code_text in line]

    # rules.md section 3, as the reference forms show them
    assert warned(FORM_1, "执行率 is 70.93% with no explanation")
    assert warned("trial-support-services.md", "执行率 is 72.94% with no explanation")
    assert len(warned("trial-support-services.md", "“预算135628元”")) == 2
    assert warned("provincial-equipment-vehicles.md", "“62” has no operator (≥, ≤, ＝) and no unit")
    assert warned(FORM_1, "the date 2023年12月31日 is outside the form's year 2024")
    assert warned(FORM_1, "成本指标 amounts add up to 845,371.59 元, more than 全年执行数 599,619.76")
    assert len(warned("trial-support-services.md", "实际完成值 0 meets")) == 2
    duplicates = [line for line in lines if "has the same 项目名称" in line]
    assert len(duplicates) == 3
    assert warned("judicial-aid-two-cases.md", "the same text as 年度总体目标 实际完成情况")


def test_warning_lines_name_file_line_field_label_and_fix(capsys, project_root):
    _, out, _ = run(capsys, "check")
    line = next(line for line in out.splitlines() if "“62”" in line)
    assert re.match(r"^content/2024/provincial-equipment-vehicles\.md:\d+: warning: indicators\[4\]\.target "
                    r"\(绩效指标 第4项 年度指标值\(A\)\): .+ — write it in full", line)
    number = int(line.split(":")[1])
    source = (CONTENT / "2024" / "provincial-equipment-vehicles.md").read_text(encoding="utf-8").splitlines()
    assert '"62"' in source[number - 1]


def _copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def test_spending_above_budget_fails_naming_file_and_line(capsys, tmp_path, monkeypatch):
    content = _copy_content(tmp_path)
    form = content / "2024" / FORM_1
    text = form.read_text(encoding="utf-8")
    raised = text.replace("executed: 599619.76", "executed: 900000")  # total, fiscal and own rows alike
    assert raised != text
    form.write_text(raised, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "content")
    assert code == 1
    line_number = 1 + next(i for i, line in enumerate(raised.splitlines()) if line.strip().startswith("total:"))
    assert (f"content/2024/{FORM_1}:{line_number}: funds.total.executed (项目资金（元） 年度资金总额 全年执行数（B）): "
            "全年执行数 900,000 is above 全年预算数 845,371.59") in out
    assert out.splitlines()[-1].endswith("— failed")


def test_every_problem_in_every_file_in_one_run(capsys, tmp_path, monkeypatch):
    content = _copy_content(tmp_path)
    first = content / "2024" / FORM_1
    first.write_text(first.read_text(encoding="utf-8").replace("contact: 莫路路", "contakt: 莫路路"), encoding="utf-8")
    second = content / "2024" / "central-equipment.md"
    second.write_text(second.read_text(encoding="utf-8").replace("weight: 30", "weight: 31"), encoding="utf-8")
    (content / "2024" / "empty.md").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert "contakt (未知字段): is not a field of the form — did you mean “contact”?" in out
    assert "central-equipment.md" in out and "add up to 31, not 30" in out
    assert "content/2024/empty.md:1: the file is empty" in out
    assert "11 forms checked: 4 errors" in out  # unknown + missing contact, weights, empty file


def test_strict_turns_warnings_into_errors(capsys, project_root):
    code, out, _ = run(capsys, "check", "--strict")
    assert code == 1
    assert "(--strict: warnings count as errors)" in out


def test_usage_errors_exit_2(capsys, project_root):
    code, _, err = run(capsys, "check", "no-such-folder")
    assert code == 2
    assert "no-such-folder: no such file or folder" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--no-such-option"])
    assert exit_info.value.code == 2


def test_export_refuses_forms_with_errors(capsys, tmp_path, monkeypatch):
    content = _copy_content(tmp_path)
    form = content / "2024" / FORM_1
    form.write_text(form.read_text(encoding="utf-8").replace("weight: 30", "weight: 20"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "export")
    assert code == 1
    assert out == ""
    assert "export refused: 2 errors" in err
    assert "得分 30 is above 分值 20" in err


def test_check_json_output(capsys, project_root):
    code, out, _ = run(capsys, "check", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert (report["forms"], report["errors"], report["warnings"]) == (10, 0, 19)
    assert {"path", "line", "level", "code", "field", "label", "message", "fix"} <= set(report["findings"][0])


def test_module_and_console_script_are_the_same_cli():
    module = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    script = Path(sys.executable).parent / "formgen"
    if not script.exists():
        pytest.skip("the formgen console script is not installed in this environment")
    console = subprocess.run([str(script), "--version"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert module.stdout == console.stdout
    assert module.stdout.startswith("formgen ")
