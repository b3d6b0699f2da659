"""Which files each kind of evidence accepts, checked by extension and by the file's first bytes.

The declared MIME type of an upload is whatever the client says; the first bytes (magic numbers)
are what the file is. A photo must be an image format a camera or phone produces, a video one a
body camera (执法记录仪) or CCTV recorder produces, and so on. Electronic data (电子数据) and
"other" accept any format: they are exports, chat logs, databases whose format is the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanxiang.common.exceptions import DomainError

#: Bytes needed to recognise every format below (an MPEG transport stream needs three packets).
SNIFF_BYTES = 4096

# ISO base media file format brands that mean a still image (HEIF / HEIC / AVIF), not a movie.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
                b"avif", b"avis"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
# QuickTime files written without an ftyp box start with one of these atoms.
_QT_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


@dataclass(frozen=True)
class Format:
    name: str
    mime: str


def sniff(head: bytes) -> Format | None:
    """The format the first bytes of a file announce, or None when they match nothing known."""
    if head.startswith(b"\xff\xd8\xff"):
        return Format("jpeg", "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Format("png", "image/png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Format("gif", "image/gif")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Format("tiff", "image/tiff")
    if head.startswith(b"BM") and len(head) >= 14:
        return Format("bmp", "image/bmp")
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": Format("webp", "image/webp"), b"AVI ": Format("avi", "video/x-msvideo"),
                b"WAVE": Format("wav", "audio/wav")}.get(head[8:12])
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return Format("heif", "image/heic" if brand.startswith(b"he") else "image/heif")
        if brand in _AUDIO_BRANDS:
            return Format("m4a", "audio/mp4")
        if brand.startswith(b"3g"):
            return Format("3gp", "video/3gpp")
        if brand == b"qt  ":
            return Format("mov", "video/quicktime")
        return Format("mp4", "video/mp4")
    if head[4:8] in _QT_ATOMS:
        return Format("mov", "video/quicktime")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Format("mkv", "video/webm" if b"webm" in head[:64] else "video/x-matroska")
    if head.startswith(b"FLV\x01"):
        return Format("flv", "video/x-flv")
    if head.startswith(b"\x00\x00\x01\xba"):
        return Format("mpeg", "video/mpeg")
    if len(head) >= 377 and head[0] == head[188] == head[376] == 0x47:
        return Format("ts", "video/mp2t")
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return Format("asf", "video/x-ms-asf")
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        return Format("mp3", "audio/mpeg")
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return Format("aac", "audio/aac")
    if head.startswith(b"#!AMR"):
        return Format("amr", "audio/amr")
    if head.startswith(b"OggS"):
        return Format("ogg", "audio/ogg")
    if head.startswith(b"fLaC"):
        return Format("flac", "audio/flac")
    if head.startswith(b"%PDF-"):
        return Format("pdf", "application/pdf")
    if head.startswith(b"PK\x03\x04"):
        return Format("zip", "application/zip")
    return None


@dataclass(frozen=True)
class KindRule:
    label: str
    extensions: frozenset[str]
    formats: frozenset[str]
    any_format: bool = False


_PHOTO = KindRule("照片", frozenset({"jpg", "jpeg", "png", "heic", "heif", "webp", "tif", "tiff", "bmp", "gif"}),
                  frozenset({"jpeg", "png", "heif", "webp", "tiff", "bmp", "gif"}))
_VIDEO = KindRule("视频", frozenset({"mp4", "m4v", "mov", "avi", "mkv", "webm", "3gp", "ts", "mts", "m2ts", "flv",
                                     "mpg", "mpeg", "wmv", "asf"}),
                  frozenset({"mp4", "mov", "avi", "mkv", "3gp", "ts", "flv", "mpeg", "asf"}))
_AUDIO = KindRule("录音", frozenset({"mp3", "m4a", "aac", "wav", "amr", "ogg", "opus", "flac", "wma", "mp4"}),
                  frozenset({"mp3", "m4a", "mp4", "aac", "wav", "amr", "ogg", "flac", "asf"}))
# Scans of documentary evidence (书证): PDF or image scans; OFD (GB/T 33190) is a zip container.
_DOCUMENT = KindRule("书证/扫描件", frozenset({"pdf", "jpg", "jpeg", "png", "tif", "tiff", "ofd"}),
                     frozenset({"pdf", "jpeg", "png", "tiff", "zip"}))

RULES: dict[str, KindRule] = {
    "photo": _PHOTO,
    "video": _VIDEO,
    "audio": _AUDIO,
    "document": _DOCUMENT,
    # The party's signed 放弃陈述申辩、听证权利 statement is documentary evidence: scanned like 书证.
    "waiver": KindRule("放弃陈述申辩、听证权利声明", _DOCUMENT.extensions, _DOCUMENT.formats),
    "electronic": KindRule("电子数据", frozenset(), frozenset(), any_format=True),
    "other": KindRule("其他", frozenset(), frozenset(), any_format=True),
}


class FileTypeRefused(DomainError):
    """The file's extension or content is not a format accepted for this kind of evidence."""

    code = "file_type_refused"
    status = 415


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_name(kind: str, filename: str) -> None:
    """Refuse, before any byte is sent, a file whose extension this kind does not accept."""
    rule = RULES[kind]
    if rule.any_format:
        return
    ext = extension(filename)
    if ext not in rule.extensions:
        allowed = "、".join(sorted(rule.extensions))
        raise FileTypeRefused(f"“{filename}”不是可作为{rule.label}上传的文件类型（允许：{allowed}）",
                              field="filename")


def check_content(kind: str, filename: str, head: bytes) -> str | None:
    """Refuse a file whose first bytes are not a format accepted for this kind.

    Returns the MIME type the content announces (None when unknown, which only electronic data
    and "other" accept).
    """
    check_name(kind, filename)
    found = sniff(head)
    rule = RULES[kind]
    if rule.any_format:
        return found.mime if found else None
    if found is None or found.name not in rule.formats:
        what = f"实际为 {found.mime}" if found else "无法识别其格式"
        raise FileTypeRefused(f"“{filename}”的文件内容与{rule.label}类型不符（{what}），已拒绝接收", field="file")
    return found.mime
