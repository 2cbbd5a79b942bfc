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
