"""A site's own templates/ folder overrides the defaults by file name; site.html changes blocks only."""

from __future__ import annotations

import shutil

from generator.__main__ import main

from .conftest import CONTENT


def test_site_overrides(tmp_path, monkeypatch, capsys):
    shutil.copytree(CONTENT, tmp_path / "content")
    (tmp_path / "formgen.toml").write_text('[site]\ntitle = "某某单位"\n', encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "site.html").write_text(
        '{% extends "base.html" %}\n'
        '{% block header %}<p class="custom-header">某某单位预算公开专栏</p>{% endblock %}\n'
        '{% block footer %}{{ super() }}<p class="custom-footer">联系电话：0000-0000000</p>{% endblock %}\n',
        encoding="utf-8")
    (templates / "formgen.css").write_text("body { color: #000; }\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-pdf"]) == 0
    capsys.readouterr()
    for page in ("index.html", "forms/power-system-renovation.html", "years/2024.html"):
        html = (tmp_path / "output" / page).read_text(encoding="utf-8")
        assert '<p class="custom-header">某某单位预算公开专栏</p>' in html, page
        assert '<p class="custom-footer">' in html and "本站由 formgen 生成" in html, page  # super() kept
    form = (tmp_path / "output" / "forms" / "power-system-renovation.html").read_text(encoding="utf-8")
    assert '<h1 class="form-title">项目支出绩效目标自评表</h1>' in form  # the form inside the site's frame
    assert (tmp_path / "output/assets/formgen.css").read_text(encoding="utf-8") == "body { color: #000; }\n"
