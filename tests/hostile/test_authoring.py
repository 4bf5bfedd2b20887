"""formgen new writes one form file: never through a link planted where the file or its year folder goes."""

from __future__ import annotations

from generator.__main__ import main

from .conftest import fingerprint


def test_new_never_writes_through_a_linked_year_folder_or_file(site, decoy, capsys):
    (site.content / "2023").symlink_to(decoy.path)
    assert main(["new", "测试项目", "--year", "2023", "--slug", "planted"]) == 2
    assert "leads outside the site" in capsys.readouterr().err
    (site.content / "2024" / "linked.md").symlink_to(decoy.secret)
    before = fingerprint(site.content)
    assert main(["new", "测试项目", "--year", "2024", "--slug", "linked", "--force"]) == 2
    assert "is a link" in capsys.readouterr().err
    assert fingerprint(site.content) == before
    assert main(["new", "测试项目", "--year", "2024", "--slug", "fine"]) == 0
    assert (site.content / "2024" / "fine.md").is_file()
