"""AZW3/MOBI/PDF go through the converters a user has installed; without them, one line says what to install."""

import os
import shutil
from pathlib import Path

import pytest

import ficlens
from ficlens.errors import ReadError, UnsupportedFormat

FIX = Path(__file__).parent / "fixtures" / "formats"
MOBI = b"\0" * 60 + b"BOOKMOBI" + b"\0" * 200
PDF = b"%PDF-1.4\n%fake\n"
AO3_PDF_TEXT = """The Lighthouse Ledger
Posted originally on the Archive of Our Own at https://archiveofourown.org/works/4242.

Rating:
Teen And Up Audiences
Archive Warning:
Creator Chose Not To Use Archive Warnings
Category:
F/M, Gen
Fandom:
Tidewatch (TV)
Relationship:
Mara Quill/Tobias Wren, Edda Quill & Mara Quill
Character:
Mara Quill, Tobias Wren, Edda Quill
Additional Tags:
Alternate Universe - Canon Divergence, Slow Burn, Lighthouses
Language:
English
Stats:
Published: 2024-03-02 Completed: 2024-04-10 Words: 254 Chapters: 3/3

The Lighthouse Ledger
by saltwrit

Chapter 1: The Lamp

The lamp at Gullrock had not gone dark in forty years.
"""


CAT, CP = shutil.which("cat"), shutil.which("cp")


def fake_tool(bindir: Path, name: str, script: str) -> None:
    """A stand-in for a converter: a shell script (PATH holds only ``bindir``, so commands are absolute)."""
    tool = bindir / name
    tool.write_text("#!/bin/sh\n" + script.replace("cat ", f"{CAT} ").replace("cp ", f"{CP} ") + "\n")
    tool.chmod(0o755)


@pytest.fixture
def bindir(tmp_path, monkeypatch):
    d = tmp_path / "bin"
    d.mkdir()
    monkeypatch.setenv("PATH", str(d))
    return d


def test_without_converters_the_error_names_what_to_install(tmp_path, bindir):
    for name, data, words in [("a.azw3", MOBI, "Calibre"), ("a.pdf", PDF, "pdftotext")]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(UnsupportedFormat, match=words) as info:
            ficlens.read(path)
        assert "\n" not in str(info.value)


def test_azw3_is_converted_to_epub_and_read_as_ao3(tmp_path, bindir, monkeypatch):
    monkeypatch.setenv("FAKE_EPUB", str(FIX / "ao3.epub"))
    fake_tool(bindir, "ebook-convert", 'cp "$FAKE_EPUB" "$2"')
    book = tmp_path / "Lighthouse.azw3"
    book.write_bytes(MOBI)
    story = ficlens.read(book)
    assert story.meta.extra["format"] == "ao3_epub" and story.meta.extra["converted_from"] == "azw3"
    assert story.meta.work_id == "4242" and len(story.spans("chapters")) == 3


def test_failed_conversion_is_one_line(tmp_path, bindir):
    fake_tool(bindir, "ebook-convert", 'echo "Traceback...\nValueError: not a MOBI" >&2; exit 1')
    book = tmp_path / "bad.mobi"
    book.write_bytes(MOBI)
    with pytest.raises(ReadError, match="ebook-convert failed: ValueError: not a MOBI"):
        ficlens.read(book)


def test_ao3_pdf_preface_is_read_from_its_text(tmp_path, bindir, monkeypatch):
    text = tmp_path / "text.txt"
    text.write_text(AO3_PDF_TEXT)
    monkeypatch.setenv("FAKE_TEXT", str(text))
    fake_tool(bindir, "pdftotext", 'cat "$FAKE_TEXT"')
    pdf = tmp_path / "work.pdf"
    pdf.write_bytes(PDF)
    story = ficlens.read(pdf)
    m = story.meta
    assert m.extra["format"] == "ao3_pdf" and story.text == AO3_PDF_TEXT
    assert (m.title, m.work_id, m.rating, m.language) == (
        "The Lighthouse Ledger",
        "4242",
        "Teen And Up Audiences",
        "English",
    )
    assert m.warnings == ["Choose Not To Use Archive Warnings"]
    assert m.relationships == ["Mara Quill/Tobias Wren", "Edda Quill & Mara Quill"]
    assert m.additional_tags == ["Alternate Universe - Canon Divergence", "Slow Burn", "Lighthouses"]
    assert (m.words, m.chapter_count, m.complete) == (254, 3, True)


def test_converters_run_on_a_private_copy(tmp_path, bindir, monkeypatch):
    record = tmp_path / "args.txt"
    monkeypatch.setenv("RECORD", str(record))
    fake_tool(bindir, "pdftotext", 'echo "$3" > "$RECORD"; echo "Some text."')
    pdf = tmp_path / "mine.pdf"
    pdf.write_bytes(PDF)
    assert ficlens.read(pdf).text.strip() == "Some text."
    used = Path(record.read_text().strip())
    assert used != pdf and not used.exists()  # a temporary copy, already removed
    assert sorted(os.listdir(tmp_path)) == ["args.txt", "bin", "mine.pdf"]
