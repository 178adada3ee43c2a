"""Files people upload (problem attachments, project documents, activity attachments):
the types and size every app accepts, and the one check each upload goes through."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".hwp": "application/x-hwp",
    ".hwpx": "application/hwp+zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
ATTACHMENT_CONTENT_TYPES = sorted(set(ATTACHMENT_TYPES.values()))


# The first bytes of each allowed type: the extension alone is not trusted.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".hwp": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".hwpx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def check_attachment(upload: UploadedFile) -> tuple[str, int]:
    """(content type, size) of an acceptable upload, or a ValidationError saying why not."""
    name = upload.name or ""
    extension = Path(name).suffix.lower()
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": _("%(ext)s 파일은 올릴 수 없습니다. 올릴 수 있는 형식: %(allowed)s")
                % {"ext": extension or name, "allowed": ", ".join(sorted(ATTACHMENT_TYPES))}
            }
        )
    size = int(upload.size or 0)
    if size <= 0:
        raise ValidationError({"file": _("빈 파일입니다.")})
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("파일이 %(max)dMB를 넘습니다.")
                % {"max": ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in _SIGNATURES[extension]):
        raise ValidationError(
            {"file": _("파일 내용이 %(ext)s 형식이 아닙니다.") % {"ext": extension}}
        )
    return ATTACHMENT_TYPES[extension], size
