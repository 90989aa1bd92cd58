"""AZW3, MOBI and PDF, read through the converters a fan may have installed.

MOBI/AZW3 go through Calibre's ``ebook-convert`` to EPUB and then the EPUB reader (an AO3 AZW3
is the same HTML as the AO3 EPUB). PDF goes through poppler's ``pdftotext`` (Calibre when that is
missing); an AO3 PDF's preface labels are read from the text. Without either tool the error says
what to install. The converter runs on a private copy in a temporary folder with a time limit;
nothing is written anywhere else.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ficlens.errors import ReadError, UnsupportedFormat
from ficlens.readers import ao3, epub, tags
from ficlens.readers.plaintext import decode
from ficlens.story import Metadata, Story

PRIORITY = 30
TIMEOUT_S = 300
_MOBI_MAGIC = (b"BOOKMOBI", b"TEXtREAd")


def sniff(head: bytes, path: Path) -> bool:
    return head.startswith(b"%PDF") or head[60:68] in _MOBI_MAGIC


def read(path: Path, data: bytes) -> Story:
    if data.startswith(b"%PDF"):
        pdftotext = shutil.which("pdftotext")
        if pdftotext:
            return _pdf_text(path, data, pdftotext)
        return _via_epub(path, data, ".pdf", "PDF: install poppler-utils (pdftotext) or Calibre (ebook-convert)")
    suffix = ".azw3" if path.suffix.lower() == ".azw3" else ".mobi"
    return _via_epub(path, data, suffix, "MOBI/AZW3 e-book: install Calibre (ebook-convert) or download the EPUB")


def _run(args: list[str], path: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(args, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise ReadError(
            f"{Path(args[0]).name} took over {TIMEOUT_S} s; the file may be damaged", path=str(path)
        ) from None
    except OSError as e:
        raise ReadError(f"cannot run {args[0]} ({e.strerror or e})", path=str(path)) from None
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise ReadError(f"{Path(args[0]).name} failed: {last[:200]}", path=str(path))
    return done


def _via_epub(path: Path, data: bytes, suffix: str, missing: str) -> Story:
    tool = shutil.which("ebook-convert")
    if not tool:
        raise UnsupportedFormat(f"{missing} to read it", path=str(path))
    with tempfile.TemporaryDirectory(prefix="ficlens-") as tmp:
        src, out = Path(tmp) / f"book{suffix}", Path(tmp) / "book.epub"
        src.write_bytes(data)
        _run([tool, str(src), str(out)], path)
        if not out.is_file():
            raise ReadError("ebook-convert wrote no EPUB; the file may be damaged", path=str(path))
        story = epub.read(path, out.read_bytes())
    story.meta.extra["converted_from"] = suffix[1:]
    return story


_AO3_LABEL = re.compile(
    r"^(Ratings?|Archive Warnings?|Categor(?:y|ies)|Fandoms?|Relationships?|Characters?|Additional Tags|Language|"
    r"Series|Collections|Stats):[ \t]*",
    re.M,
)


def _pdf_text(path: Path, data: bytes, tool: str) -> Story:
    with tempfile.TemporaryDirectory(prefix="ficlens-") as tmp:
        src = Path(tmp) / "book.pdf"
        src.write_bytes(data)
        text, _ = decode(_run([tool, "-enc", "UTF-8", str(src), "-"], path).stdout, path)
    if not text.strip():
        raise ReadError("the PDF has no text layer (scanned pages?); ficlens cannot read images", path=str(path))
    meta = Metadata(extra={"format": "pdf"})
    if "Posted originally on the" in text[:5000]:
        meta.extra["format"] = "ao3_pdf"
        _ao3_preface(text[:8000], meta)
    return tags.finish(Story(text, meta, source=str(path)))


def _ao3_preface(head: str, meta: Metadata) -> None:
    """The AO3 preface as text: ``Label: value`` (value on the same or the following lines)."""
    before, _, after = head.partition("Posted originally on the")
    title_lines = [ln.strip() for ln in before.splitlines() if ln.strip()]
    meta.title = title_lines[-1] if title_lines else None
    url = re.search(r"https?://\S+/works/\d+", after)
    ao3.set_work_url(meta, url.group().rstrip(".") if url else None)
    labels = list(_AO3_LABEL.finditer(head))
    for m, nxt in zip(labels, [*labels[1:], None], strict=True):
        end = nxt.start() if nxt else head.find("\n\n", m.end())
        value = " ".join(head[m.end() : end if end > 0 else None].split())
        label = m.group(1).lower()
        key = ao3.LABELS.get(label)
        if key == "stats":
            ao3.apply_stats(meta, value)
        elif key == "language":
            meta.language = value
        elif key == "rating":
            meta.rating = value
        elif key in ("warnings", "categories", "fandoms", "relationships", "characters", "additional_tags"):
            setattr(meta, key, [v.strip() for v in value.split(", ") if v.strip()])
