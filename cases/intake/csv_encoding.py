"""Which encoding a CSV file is in: a byte order mark, what the caller says, or what its bytes allow.

Japanese associations mostly save their lists from Excel, which writes "CSV" in the Windows code page
CP932 (Microsoft's Shift-JIS, with the NEC and IBM extensions such as ① and ～) and "CSV UTF-8" as
UTF-8 with a byte order mark. So, in this order:

1. a byte order mark decides (UTF-8 or UTF-16), whatever was asked;
2. ``--encoding`` decides next (``shift_jis``, ``sjis``, ``ms932`` and ``windows-31j`` are read as CP932,
   the superset Excel actually writes; plain Shift-JIS has no ① and refuses it);
3. otherwise a file that is valid UTF-8 throughout is UTF-8, one that is not but is valid CP932
   throughout is CP932, and one that is neither is read as UTF-8 with every line that is not valid
   refused with its line number.

The whole file is checked before it is read (a few milliseconds per megabyte: the codecs are C), so a
file whose first thousand rows are ASCII is not taken for UTF-8 and then fail on its first title.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import BinaryIO

_BLOCK = 1 << 20
#: names people give for what Excel writes; every one means CP932
_CP932_NAMES = {"shift_jis", "shift-jis", "shiftjis", "sjis", "s_jis", "ms932", "windows-31j", "windows_31j", "cp932"}


@dataclass(frozen=True)
class Encoding:
    """How a file is decoded: the codec, and why it was chosen (printed in the import's report)."""

    codec: str
    reason: str

    @property
    def name(self) -> str:
        """The encoding as people name it (the BOM variant of UTF-8 is still UTF-8)."""
        return {"utf-8-sig": "utf-8", "utf_8": "utf-8"}.get(self.codec, self.codec)

    def describe(self) -> str:
        return f"{self.name} ({self.reason})"


def _codec_of(requested: str) -> str:
    name = requested.strip().lower()
    if name in _CP932_NAMES:
        return "cp932"
    return codecs.lookup(name).name  # raises LookupError for an unknown encoding


def first_invalid_line(stream: BinaryIO, codec: str) -> int | None:
    """The line on which `stream` stops being valid in `codec` (1-based), or None if all of it is.

    Reads from the current position to the end and leaves the stream there.
    """
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    lines_before = 0
    while True:
        block = stream.read(_BLOCK)
        final = not block
        try:
            decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            # exc.start counts from the bytes the decoder held back from the previous block, if any
            held = len(exc.object) - len(block)
            start = max(0, exc.start - held)
            return lines_before + block[:start].count(b"\n") + 1
        if final:
            return None
        lines_before += block.count(b"\n")


def _has_non_ascii(stream: BinaryIO) -> bool:
    while block := stream.read(_BLOCK):
        if not block.isascii():
            return True
    return False


def detect(stream: BinaryIO, requested: str | None = None) -> tuple[Encoding, list[str]]:
    """The file's encoding and warnings about it; the stream is left at its start."""
    head = stream.read(4)
    stream.seek(0)
    warnings: list[str] = []
    asked = f" (--encoding {requested} ignored)" if requested else ""
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8-sig", f"byte order mark{asked}"), warnings
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Encoding("utf-16", f"byte order mark{asked}"), warnings
    if requested:
        codec = _codec_of(requested)
        why = "as asked" if codec == requested.strip().lower() else f"as asked: {requested} is read as {codec}"
        if codec not in {"utf-8", "utf_8"}:
            utf8_bad = first_invalid_line(stream, "utf-8")
            stream.seek(0)
            if utf8_bad is None and _has_non_ascii(stream):
                warnings.append(
                    f"the file is valid UTF-8 but is read as {codec} as asked: "
                    "if its titles come out garbled, import it again without --encoding"
                )
            stream.seek(0)
        return Encoding(codec, why), warnings
    utf8_bad = first_invalid_line(stream, "utf-8")
    stream.seek(0)
    if utf8_bad is None:
        return Encoding("utf-8", "detected: valid UTF-8"), warnings
    cp932_bad = first_invalid_line(stream, "cp932")
    stream.seek(0)
    if cp932_bad is None:
        return Encoding(
            "cp932", f"detected: not UTF-8 (line {utf8_bad}), valid CP932, the Shift-JIS Excel saves"
        ), warnings
    warnings.append(
        f"the file is neither UTF-8 (not from line {utf8_bad}) nor CP932/Shift-JIS (not from line {cp932_bad}): "
        "it is read as UTF-8 and the lines that are not are refused; save it as UTF-8 or pass --encoding"
    )
    return Encoding("utf-8", f"not detected: invalid from line {utf8_bad}"), warnings


def hint_for(raw: bytes, encoding: Encoding) -> str:
    """What to tell about a line whose bytes are not valid in `encoding`."""
    for other in ("cp932", "utf-8"):
        if other == encoding.name:
            continue
        try:
            raw.decode(other)
        except UnicodeDecodeError:
            continue
        return f"it reads as {other}: save the file as UTF-8 or pass --encoding {other}"
    return "save the file as UTF-8 or pass --encoding"
