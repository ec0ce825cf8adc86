"""What an uploaded evidence file really is, from its first bytes (pure: no Django).

The extension a phone gives a file says little; the magic bytes say what a viewer will do with
it. A file is accepted when its content is one of the allowed kinds and its extension agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a phone photo at full size is 3–6 MB


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    suffix: str  # the suffix we store it under
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...]


KINDS = (
    Kind("JPEG 照片", "image/jpeg", ".jpg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    Kind("PNG 图片", "image/png", ".png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    Kind("PDF 文件", "application/pdf", ".pdf", (".pdf",), (b"%PDF-",)),
)
ALLOWED_TEXT = "JPEG、PNG 照片或 PDF 文件"


class BadFile(ValueError):
    """The reason, in Chinese, why a file is refused."""


def sniff(head: bytes) -> Kind | None:
    for kind in KINDS:
        if any(head.startswith(m) for m in kind.magic):
            return kind
    return None


def check(name: str, size: int, head: bytes, max_bytes: int = MAX_BYTES) -> Kind:
    """The file's kind, or BadFile saying what is wrong with it and which file it is."""
    if size <= 0:
        raise BadFile(f"文件「{name}」是空文件")
    if size > max_bytes:
        raise BadFile(
            f"文件「{name}」过大（{size / 1024 / 1024:.1f} MB），单个文件不能超过 "
            f"{max_bytes // 1024 // 1024} MB"
        )
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = sniff(head)
    if kind is None:
        raise BadFile(f"文件「{name}」不是允许的类型：只能上传{ALLOWED_TEXT}")
    if extension not in kind.extensions:
        raise BadFile(f"文件「{name}」的扩展名与内容不符（内容为{kind.label}），请检查后重新上传")
    return kind
