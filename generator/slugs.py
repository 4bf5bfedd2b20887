"""Names from Chinese text: the ASCII names of files and pages, and the names PDFs download under.

Everything formgen names after a title or a unit is named here, the same way: the form file `formgen
new` and `formgen import` write (and so the form's page and PDF), a unit's page (``units/…``) and its
bundles (``pdf/bundles/…``). A slug is the text in pinyin, lowercase ASCII, a syllable a word:
平塘县人民法院 → ``ping-tang-xian-ren-min-fa-yuan``.

A syllable a word, not a Chinese word a word (``pingtang-xian-renmin-fayuan``): words need a segmenter,
and the one pypinyin has cuts 人民法院 into characters but 重庆市长寿区 into 重庆 | 市长 | 寿 — a name
grouped half right reads worse than one grouped the same way throughout; jieba segments better but
weighs more than formgen's other dependencies together and is no longer maintained. Syllables joined
without hyphens (``pingtangxianrenminfayuan``) are shorter, but hard to read and ambiguous (xian is 县,
xi'an 西安). A syllable a word is what `formgen import` has always written; a reader of Chinese reads
it back to the characters, one by one.

The readings are pypinyin's, with the phrase dictionary it ships (长安 chang-an, 重庆 chong-qing); its
dictionaries are loaded on first use (about 0.1 s), so only commands that name something pay for it.

A PDF downloads under its 项目名称 (`download_name`): the link's ``download`` attribute names the file
the browser saves, as a static site cannot send a Content-Disposition header; the file on the server
keeps its slug.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from .reading import ascii_digits

__all__ = ["MAX_SLUG_CHARS", "PROFILE_NAME", "SLUG_CHARS", "derived_slug", "download_name", "form_slug", "is_slug",
           "load_dictionaries", "pinyin_order", "slug", "unit_slugs", "words"]

SLUG_CHARS = 60
"""Characters of pinyin at most in a slug (before a form's year): long titles make unwieldy file names
and URLs, and 60 characters are about 12 Chinese characters, which tell most names apart."""

MAX_SLUG_CHARS = 120
"""The longest slug a form may have: its pages' and PDFs' file names (slug.html, slug.pdf, in bundles' parts
with more) stay far below the 255 bytes file systems allow. `check` refuses a longer one (`checks.check_slug`),
so what formgen writes itself (`form_slug`) stays within it."""

_NAME_ROOM = MAX_SLUG_CHARS - len("-9999-2024")
"""Characters a form slug's name may take: the rest is for the year, and a number where two imported forms
would have the same name (`importing.plan`)."""

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
"""What a slug is made of: safe in every URL and on every file system, whoever wrote it."""

PROFILE_NAME = re.compile(r"[a-z][a-z0-9-]*")
"""A profile's name (its file's name without .toml): a slug that starts with a letter, as it is also written
in the pages' CSS classes."""

DOWNLOAD_CHARS = 80
"""Characters at most of a download name before ``.pdf``: 80 Chinese characters are 240 bytes in UTF-8,
within the 255 bytes a file name may have on Linux and macOS (and the 255 UTF-16 units of Windows)."""


def words(text: str) -> list[str]:
    """`text` as lowercase ASCII words: pinyin a syllable a word (电力 → dian, li), Latin letters and
    digits as written (full-width ones and other scripts' digits as ASCII, accents dropped), everything
    else a break between words."""
    from pypinyin import lazy_pinyin  # its dictionaries take a moment to load: only naming needs them

    spelled = "-".join(lazy_pinyin(ascii_digits(unicodedata.normalize("NFKC", text))))
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii").lower()
    return [word for word in re.split(r"[^a-z0-9]+", ascii_text) if word]


def load_dictionaries() -> None:
    """Load pypinyin's dictionaries now (a tenth of a second or more): a build does it while its workers read
    the forms, before it names the units and sorts them, which would otherwise wait for them."""
    words("电力")


def pinyin_order(text: str) -> tuple[tuple[str, ...], str]:
    """The key that sorts names as a Chinese index does, by pinyin (罗甸 luo before 平塘 ping, where code
    points put 平 first): the name's `words`, syllable by syllable, then the name itself, so that names that
    read alike (长安, 常安) still come in one fixed order."""
    return tuple(words(text)), text


def is_slug(text: str) -> bool:
    """Whether `text` is a slug a form may have: lowercase letters, digits and hyphens, starting with a letter or
    digit, at most `MAX_SLUG_CHARS` characters."""
    return len(text) <= MAX_SLUG_CHARS and _SLUG.fullmatch(text) is not None  # not match(): "$" accepts a "\n"


def _fitting(parts: list[str], most: int) -> int:
    """How many of `parts` fit, joined with hyphens, in `most` characters (at least one)."""
    length = 0
    for count, part in enumerate(parts, start=1):
        length += len(part) + (count > 1)
        if length > most:
            return max(1, count - 1)
    return len(parts)


def slug(text: str, most: int = SLUG_CHARS) -> str:
    """`text`'s words joined with hyphens, cut after the last whole word within `most` characters (a
    single longer word is kept whole); empty when `text` has no letter or digit in pinyin."""
    parts = words(text)
    return "-".join(parts[:_fitting(parts, most)])


def form_slug(title: str, year: int | str, others: Iterable[str] = ()) -> str:
    """A form file's slug: its 项目名称 in pinyin, cut after about `SLUG_CHARS` characters but never
    before it differs from the `others` titles given (the forms imported with it), then the year (slugs
    are unique across the site's years, and a project comes back every year): 电力系统维修改造专项资金 →
    ``dian-li-xi-tong-wei-xiu-gai-zao-zhuan-xiang-zi-jin-2024``; ``form-2024`` for a title with no
    letter or digit in pinyin."""
    parts = words(title)
    keep = _fitting(parts, SLUG_CHARS)
    for other in others:
        theirs = words(other)
        if theirs == parts:
            continue
        common = next((index for index, (mine, their) in enumerate(zip(parts, theirs, strict=False))
                       if mine != their), min(len(parts), len(theirs)))
        keep = max(keep, min(common + 3, len(parts)))  # a word or so past where the titles part
    keep = min(keep, _fitting(parts, _NAME_ROOM))  # titles alike for long: `check` accepts no longer slug
    name = "-".join(parts[:keep])
    return f"{name}-{year}" if name else f"form-{year}"


def derived_slug(title: str, year: int, earlier: str | None = None, earlier_year: int | None = None) -> str:
    """The slug of a new form when none is given (`formgen new`). From an earlier form: its slug with the year
    (a trailing ``-2024`` replaced, else appended), as slugs are unique across the whole site. Otherwise the
    title in pinyin with the year, as `formgen import` names its files (办公楼维修 → ``ban-gong-lou-wei-xiu-2025``)."""
    if earlier is not None:
        if earlier_year is not None and earlier.endswith(f"-{earlier_year}"):
            earlier = earlier[: -len(f"-{earlier_year}")]
        return f"{earlier}-{year}"
    return form_slug(title, year)


def _hex(text: str, digits: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:digits]


def unit_slugs(units: Iterable[str]) -> dict[str, str]:
    """Each unit's slug, unique among `units`: its name in pinyin (`slug`). Names that read alike (长安
    and 常安 are both chang-an) or differ only past the cut each get a hyphen and 4 hex digits of the
    SHA-256 of the name — all of them, so that none depends on the order of the others or on which came
    first, and a unit's name changes only when another unit that reads the same appears. A name with no
    letter or digit in pinyin is ``u-`` and such digits."""
    names = sorted(set(units))
    plain = {name: slug(name) for name in names}
    alike = Counter(plain.values())
    chosen: dict[str, str] = {}
    for digits in (4, 8, 16, 64):  # more digits only in the unlikely case that 4 are not enough
        chosen = {name: plain[name] if plain[name] and alike[plain[name]] == 1
                  else f"{plain[name] or 'u'}-{_hex(name, digits)}" for name in names}
        if len(set(chosen.values())) == len(chosen):
            break
    return chosen


_FORBIDDEN = str.maketrans('/\\:*?"<>|', "／＼：＊？＂＜＞｜")
"""Characters Windows refuses in a file name, as their full-width forms: 办公楼维修:一期 saves as
办公楼维修：一期, which is how the name would be written in Chinese anyway."""

_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?", re.IGNORECASE)
"""Names Windows keeps for devices, whatever their extension."""


def download_name(text: str, extension: str = ".pdf") -> str:
    """The name a file downloads under, from `text` (a 项目名称): what no system refuses — no control
    characters, ``/ \\ : * ? " < > |`` as their full-width forms, no leading or trailing space or dot,
    white space as one space, at most `DOWNLOAD_CHARS` characters — then `extension`."""
    spaced = " ".join(text.translate(_FORBIDDEN).split())  # a tab or line end is a space, not nothing
    name = "".join(char for char in spaced if unicodedata.category(char)[0] != "C")[:DOWNLOAD_CHARS].strip(" .")
    if _RESERVED.fullmatch(name):
        name = f"_{name}"
    return f"{name or 'formgen'}{extension}"
