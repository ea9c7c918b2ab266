"""Documents uploaded with advice are recognised by their bytes, and their names made safe."""

from __future__ import annotations

import io
import zipfile

import pytest

from ehcp_engine.domain.documents import (
    DOCX,
    PDF,
    check_document,
    content_type_of,
    safe_filename,
)
from ehcp_engine.domain.errors import EventInvalid


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def test_types_come_from_the_content():
    assert content_type_of(b"%PDF-1.7\n...") == PDF
    assert content_type_of(_zip("[Content_Types].xml", "word/document.xml")) == DOCX
    assert content_type_of(b" %PDF-1.7") is None  # the magic must open the file
    assert content_type_of(_zip("[Content_Types].xml", "xl/workbook.xml")) is None  # a workbook
    assert content_type_of(_zip("word/document.xml")) is None
    macro = _zip("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")
    assert content_type_of(macro) is None  # a .docm renamed
    assert content_type_of(b"PK\x03\x04broken") is None


@pytest.mark.parametrize(
    ("given", "kind", "safe"),
    [
        ("report.pdf", PDF, "report.pdf"),
        ("C:\\Users\\ep\\My report.PDF", PDF, "My report.pdf"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ('evil"; filename="x.html', PDF, "evil_ filename_x.pdf"),
        ("advice.pdf", DOCX, "advice.docx"),  # the extension of what the file really is
        ("", PDF, "document.pdf"),
        ("...", DOCX, "document.docx"),
    ],
)
def test_filenames_are_made_safe(given, kind, safe):
    assert safe_filename(given, kind) == safe


def test_size_is_checked_before_type():
    with pytest.raises(EventInvalid, match="smaller than 1 KB"):
        check_document("documents", "a.pdf", b"%PDF-" + b"0" * 2000, 1024)
    checked = check_document("documents", "a.pdf", b"%PDF-1.4", 1024)
    assert (checked.content_type, checked.size, len(checked.sha256)) == (PDF, 8, 64)
