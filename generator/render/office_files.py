"""What the Excel and Word files share: the same bytes for the same input.

An .xlsx or .docx is a zip of XML parts. openpyxl stamps docProps/core.xml with the time of saving, and
zip entries carry their own times: both are set here to the form's date, so that exporting the same
forms twice gives byte-identical files (a clerk's folder under version control does not change for nothing).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

__all__ = ["fixed_time", "stable_zip"]

_STAMPS = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def fixed_time(day: date | None) -> datetime:
    """The time written into a file's properties: its form's 填报日期, else 2000-01-01 (never the clock)."""
    return datetime(day.year, day.month, day.day) if day is not None else datetime(2000, 1, 1)


def stable_zip(data: bytes, when: datetime) -> bytes:
    """The zip `data` again, its entries in the same order with the time `when`, and the created and modified
    times of docProps/core.xml set to `when` too."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _STAMPS.sub(lambda match: match.group(1) + stamp + match.group(2), content)
            entry = zipfile.ZipInfo(item.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()
