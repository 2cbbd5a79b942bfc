"""Scanned documents (PDF, PNG, JPEG) stored under the var dir, shared by the modules that keep
files with their records (development, inspection). The records and the access checks stay in
each module; this only checks the bytes and writes them where nobody serves them directly."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_SCAN_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {b"%PDF": ("application/pdf", "pdf"), b"\x89PNG": ("image/png", "png"),
              b"\xff\xd8\xff": ("image/jpeg", "jpg")}  # fmt: skip


def scan_dir(area: str) -> Path:
    return Path(settings.VAR_DIR) / area


def store(area: str, owner: int, content: bytes) -> tuple[str, str]:
    """Check a scan by its first bytes and write it; returns (path under the area, content type).

    If the caller's transaction rolls back, the orphan file is harmless: nothing points to it.
    """
    if not content or len(content) > MAX_SCAN_BYTES:
        raise ValidationError({"file": ["Tệp trống hoặc lớn hơn 10 MB."]})
    kind = next((v for k, v in SCAN_TYPES.items() if content.startswith(k)), None)
    if kind is None:
        raise ValidationError({"file": ["Chỉ nhận bản quét PDF, PNG hoặc JPEG."]})
    folder = scan_dir(area) / str(owner)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{kind[1]}"
    (folder / name).write_bytes(content)
    return f"{owner}/{name}", kind[0]


def open_path(area: str, path: str) -> Path | None:
    full = scan_dir(area) / path
    return full if full.is_file() else None


# Documents with text as well as scans (directives: PDF, DOCX, images up to a configurable
# size). The caller names the extension it was given; `sniff` says what the bytes really are.
_MAGIC = (
    (b"%PDF", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"II*\x00", "image/tiff", "tif"),
    (b"MM\x00*", "image/tiff", "tif"),
    (
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
)
_SAME_KIND = {"jpeg": "jpg", "tiff": "tif"}


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of what the bytes are, or None when not a known kind. A DOCX is
    a ZIP holding word/document.xml: a renamed .xlsx or any other ZIP is not one."""
    import zipfile
    from io import BytesIO

    for magic, content_type, ext in _MAGIC:
        if content.startswith(magic):
            if ext == "docx":
                try:
                    with zipfile.ZipFile(BytesIO(content)) as archive:
                        if "word/document.xml" not in archive.namelist():
                            return None
                except zipfile.BadZipFile:
                    return None
            return content_type, ext
    return None


def extension(name: str) -> str:
    ext = Path(name or "").suffix.lower().lstrip(".")
    return _SAME_KIND.get(ext, ext)


def store_as(area: str, owner: int, content: bytes, ext: str) -> str:
    """Write bytes the caller has already checked (`sniff`) with this extension; the path under
    the area. Like `store`, an orphan left by a rolled-back transaction is harmless."""
    folder = scan_dir(area) / str(owner)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{ext}"
    (folder / name).write_bytes(content)
    return f"{owner}/{name}"
