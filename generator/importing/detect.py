"""Which profile a file's forms are in, told from the labels the file prints (`labels.detect_profile`),
and the file read as forms of that profile: what `formgen import` does without --profile."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..profile import Profile
from ..reading import ReadError, read_text
from ..timelimit import OutOfTime, time_limit
from . import Source, is_office, is_pdf, read_source
from .labels import Detection, LabelTable, detect_profile
from .limits import Limits

__all__ = ["read_detected"]

_DETECTION_PAGES = 3
"""Pages of a PDF whose text tells its profile: a form takes one to three."""


_UNSAFE = frozenset({"import-too-large", "import-too-slow", "import-unreadable", "import-encrypted", "import-no-text"})
"""What reading a PDF for its forms reports when it is no text to look at again: over a limit, damaged, locked."""


def read_detected(path: Path, site: Profile, candidates: dict[str, Profile], preferred: str,
                   limits: Limits) -> tuple[Source, Detection]:
    """A file read as forms of the profile its labels tell. A text file is looked at first. A PDF, workbook or
    document is read as the site's profile's first, within every limit of `read_source` (what would unpack
    past them never reaches a library); then its text (a PDF's text layer, the others' cells as read) is
    looked at, and it is read again only if it is another profile's."""
    office = _is_office(path)
    if not _is_pdf(path) and not office:
        detection = detect_profile(_label_texts(path, limits), candidates, preferred)
        used = candidates[detection.profile] if detection.profile else site
        return read_source(path, used.scheme, LabelTable.of(used), limits=limits), detection
    source = read_source(path, site.scheme, LabelTable.of(site), limits=limits)
    if any(note.code in _UNSAFE for note in source.notes):
        return source, Detection(None, Decimal(0), (), ())
    texts = source.cells if office else _label_texts(path, limits)
    detection = detect_profile(texts, candidates, preferred)
    if detection.profile is not None and detection.profile != site.name:
        used = candidates[detection.profile]
        source = read_source(path, used.scheme, LabelTable.of(used), limits=limits)
    return source, detection


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(1024)
    except OSError:
        return b""  # reading it for its forms says why


def _is_office(path: Path) -> bool:
    return is_office(_head(path))


def _is_pdf(path: Path) -> bool:
    return is_pdf(_head(path))


def _label_texts(path: Path, limits: Limits) -> list[str]:
    """The text a file prints, as far as its profile can be told from it (`detect_profile`): a text file's
    lines, a PDF's first pages' text layer (a PDF `read_source` has read within its limits). Empty when it
    cannot be read: reading it for its forms says why."""
    try:
        pdf = _is_pdf(path)
        limit = limits.pdf_bytes if pdf else limits.text_bytes
        with path.open("rb") as file:
            raw = file.read(limit + 1)
        if len(raw) > limit:
            return []  # reading it for its forms says that it is too large
        if not pdf:
            return [read_text(raw)]
        from io import BytesIO

        from pypdf import PdfReader  # the text layer alone, in reading order: enough to find the labels

        with time_limit(limits.seconds):
            pages = PdfReader(BytesIO(raw)).pages
            return [page.extract_text() or "" for page in list(pages)[:_DETECTION_PAGES]]
    except (OSError, ReadError, OutOfTime):
        return []
    except Exception:  # a malformed PDF fails anywhere in pypdf; reading it for its forms reports it
        return []
