"""Documents uploaded with advice: only PDF and Word (DOCX), recognised by their content.

The browser's content type and the file's extension say what the sender claims, not what the
file is, so the type is decided from the bytes: a PDF starts with `%PDF-`; a DOCX is a zip
holding `[Content_Types].xml` and `word/document.xml`. The zip's directory is read, nothing is
extracted (no zip bomb can unfold here). Pure: no I/O beyond the bytes given.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

from ehcp_engine.domain.errors import EventInvalid

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx"}
FILENAME_MAX = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")


@dataclass(frozen=True)
class CheckedDocument:
    filename: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def content_type_of(content: bytes) -> str | None:
    """PDF or DOCX by the bytes themselves; None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if not content.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    # A macro-enabled document (.docm) renamed .docx carries its macros in vbaProject.bin.
    macros = any(name.lower().endswith("vbaproject.bin") for name in names)
    if {"[Content_Types].xml", "word/document.xml"} <= names and not macros:
        return DOCX
    return None


def safe_filename(given: str, content_type: str) -> str:
    """The name shown to officers and sent on download: no folders, no control or quote
    characters (a header injection or a path), and the extension of what the file really is."""
    base = re.split(r"[\\/]", given or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:FILENAME_MAX] or "document"
    return stem + EXTENSIONS[content_type]


def format_bytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, size // 1024)} KB"


def check_document(field: str, filename: str, content: bytes, max_bytes: int) -> CheckedDocument:
    """The document, or EventInvalid naming the field with a message for the person uploading."""
    shown = filename or "The selected file"
    if not content:
        raise EventInvalid(field, f"{shown} is empty")
    if len(content) > max_bytes:
        raise EventInvalid(field, f"{shown} must be smaller than {format_bytes(max_bytes)}")
    kind = content_type_of(content)
    if kind is None:
        raise EventInvalid(field, f"{shown} must be a PDF or a Word document (.docx)")
    return CheckedDocument(
        filename=safe_filename(filename, kind),
        content_type=kind,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
