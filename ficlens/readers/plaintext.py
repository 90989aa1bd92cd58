"""Plain-text stories: copy-pasted chapters, FanFiction.net scrapes, FanFicFare TXT.

The text is the file's decoded content exactly (BOM and CRLF kept) so that gold offsets align;
the structure stage finds summary, notes, chapters and scenes in it. This reader only decodes
and reads a FanFicFare TXT header when there is one.
"""

from __future__ import annotations

import re
from pathlib import Path

from ficlens.errors import ReadError
from ficlens.readers import tags
from ficlens.story import Metadata, Story

PRIORITY = 100  # last: takes any text no other reader claimed

_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF (install poppler's pdftotext to read PDFs)",
    b"PK\x03\x04": "a zip archive that is not an EPUB",
    b"\x1f\x8b": "a gzip archive",
    b"BOOKMOBI": "a MOBI/AZW3 e-book",
}
# Bytes cp1252 leaves undefined, and control characters no text file contains.
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]|[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
# A whole multi-byte UTF-8 character (a lead byte and all its continuation bytes). Two cp1252 letters
# can look like half of one ("é”" is E9 94), so a lone lead + continuation pair proves nothing.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def sniff(head: bytes, path: Path) -> bool:
    return True


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic) or data[60:68] == magic:
            return kind
    return None


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode ``data`` as UTF-8 (BOM or not), UTF-16 (BOM) or cp1252; return (text, encoding)."""
    kind = _binary_kind(data)
    if kind:
        raise ReadError(f"not a text file (looks like {kind})", path=str(path))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        try:
            return data.decode(codec), "utf-16"
        except UnicodeDecodeError:
            raise ReadError("starts with a UTF-16 mark but is not valid UTF-16", path=str(path)) from None
    sample = data[:65536]
    if b"\x00" in sample:
        if sample.count(b"\x00") > len(sample) // 4 and len(sample) % 2 == 0:
            for codec in ("utf-16-le", "utf-16-be"):
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError:
                    continue
                if text.isprintable() or sum(c.isprintable() or c.isspace() for c in text[:2000]) > 0.95 * min(
                    len(text), 2000
                ):
                    return text, "utf-16"
        raise ReadError("not a text file (binary data: NUL bytes)", path=str(path))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    if _NOT_CP1252.search(data) or _UTF8_SEQUENCE.search(data):
        # Control bytes, or real UTF-8 sequences mixed with invalid ones: neither encoding fits.
        raise ReadError(
            f"invalid UTF-8 at byte {utf8_error.start} and not cp1252 text either; "
            "convert the file to UTF-8 (iconv -f ENCODING -t UTF-8)",
            path=str(path),
        )
    return data.decode("cp1252"), "cp1252"


_FFF_LABEL = re.compile(r"^([A-Z][A-Za-z ]{1,30}): (.*)$")
_FFF_FIELDS = {
    "Title": "title",
    "Author": "authors",
    "Summary": "summary",
    "Category": "fandoms",
    "Fandom": "fandoms",
    "Characters": "characters",
    "Relationships": "relationships",
    "Ships": "relationships",
    "Rating": "rating",
    "Rated": "rating",
    "Authors": "authors",
    "Pairing": "relationships",
    "Pairings": "relationships",
    "Warning": "warnings",
    "Tags": "additional_tags",
    "Warnings": "warnings",
    "Language": "language",
    "Words": "words",
    "Word Count": "words",
    "Chapters": "chapter_count",
    "Status": "complete",
    "Story URL": "source_url",
    "Publisher": "site",
    "Genre": "additional_tags",
}


def fanficfare_header(text: str) -> tuple[Metadata, int] | None:
    """FanFicFare TXT: ``title / by author`` then ``Label: value`` lines; returns meta and header end."""
    m = re.match(r"\A\ufeff?(?:[ \t]*\r?\n){1,5}(.+?)\r?\n[ \t]*\r?\n[ \t]*by (.+?)\r?\n", text)
    if not m:
        return None
    meta = Metadata(title=m.group(1).strip(), authors=[m.group(2).strip()], site=None)
    pos = m.end()
    lines = text[pos : pos + 20000].splitlines(keepends=True)
    seen_label = False
    for line in lines:
        stripped = line.strip()
        if stripped.upper() == "TABLE OF CONTENTS":
            break
        lm = _FFF_LABEL.match(stripped)
        if lm:
            seen_label = True
            set_label(meta, lm.group(1), lm.group(2).strip())
        elif stripped and seen_label and meta.summary is not None and not line.startswith("\t"):
            meta.summary += " " + stripped  # summary wrapped at 78 columns
        elif stripped and seen_label:
            break
        pos += len(line)
    if not seen_label:
        return None
    if meta.source_url and (wid := re.search(r"(?:/s/|/works/)(\d+)", meta.source_url)):
        meta.work_id = wid.group(1)
    meta.extra["format"] = "fanficfare_txt"
    return meta, pos


def set_label(meta: Metadata, label: str, value: str) -> None:
    """Store a ``Label: value`` header line (FanFicFare TXT, or a pasted AO3/FFN header) in ``meta``."""
    name = _FFF_FIELDS.get(label.strip().title().replace("Url", "URL"))
    if name is None:
        meta.extra[label.lower().replace(" ", "_")] = value
        return
    current = getattr(meta, name)
    if isinstance(current, list):
        values = [v.strip() for v in value.split(",") if v.strip()]
        if name == "additional_tags":  # FanFicFare's Genre mixes AO3 categories (F/M, Gen) into the tags
            meta.categories += [v for v in values if tags.is_category(v)]
            values = [v for v in values if not tags.is_category(v)]
        setattr(meta, name, values)
    elif name in ("words", "chapter_count"):
        digits = re.sub(r"[^\d]", "", value.split("/")[0])
        setattr(meta, name, int(digits) if digits else None)
    elif name == "complete":
        meta.complete = value.lower().startswith("complete")
    else:
        setattr(meta, name, value)


def read(path: Path, data: bytes) -> Story:
    text, encoding = decode(data, path)
    if not text.strip():
        raise ReadError("file has no text", path=str(path))
    header = fanficfare_header(text)
    meta = header[0] if header else Metadata()
    meta.extra["encoding"] = encoding
    story = Story(text, meta, source=str(path))
    if header:
        meta.extra["header_end"] = header[1]
        tags.finish(story)  # AO3 vocabulary for rating, warnings, categories; relationships split
    return story
