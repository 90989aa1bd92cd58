"""Malformed and hostile files: one line naming the file, a non-zero exit, quickly and in bounded memory."""

import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import ficlens
from ficlens.cli import main
from ficlens.errors import FiclensError, ReadError, UnsafeInput

FIX = Path(__file__).parent / "fixtures" / "formats"
CHAPTER = "index_split_001.html"


def rewrite_epub(src: Path, dest: Path, replace: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> Path:
    """A copy of ``src`` with members replaced (None drops them) and others added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dest


_LOL = [b"lol"] + [b"lol%d" % i for i in range(1, 10)]
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE html [\n <!ENTITY lol "lol">\n'
    + b"".join(b' <!ENTITY %s "%s">\n' % (_LOL[i], b"&%s;" % _LOL[i - 1] * 10) for i in range(1, 10))
    + b']>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>'
)


def _bad_files(tmp: Path) -> dict[str, tuple[Path, type, str]]:
    good = FIX / "ao3.epub"
    truncated = tmp / "truncated.epub"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    traversal = tmp / "traversal.epub"
    rewrite_epub(good, traversal, {}, add={"../../evil.xhtml": b"<p>x</p>"})
    return {
        "truncated zip": (truncated, ReadError, "truncated"),
        "missing OPF": (rewrite_epub(good, tmp / "noopf.epub", {"content.opf": None}), ReadError, "no OPF"),
        "broken XHTML": (
            rewrite_epub(good, tmp / "broken.epub", {CHAPTER: b"<html><body><p>The lamp</body></html>"}),
            ReadError,
            "not well-formed",
        ),
        "billion laughs": (
            rewrite_epub(good, tmp / "laughs.epub", {CHAPTER: BILLION_LAUGHS}),
            UnsafeInput,
            "entit",
        ),
        "path traversal": (traversal, UnsafeInput, "outside the archive"),
    }


def test_each_malformed_epub_is_one_line_error_naming_the_file(tmp_path):
    for case, (path, error, words) in _bad_files(tmp_path).items():
        with pytest.raises(error) as info:
            ficlens.read(path)
        message = str(info.value)
        assert "\n" not in message and str(path) in message and words in message, case


def test_cli_exits_non_zero_with_one_line_per_bad_file(tmp_path):
    files = _bad_files(tmp_path)
    for case, (path, _, _) in files.items():
        result = CliRunner().invoke(main, ["analyze", str(path)])
        assert result.exit_code == 1, case
        assert result.output.count("\n") == 1 and result.output.startswith("error: [FL10"), case


def _zip_bomb(path: Path, size: int) -> Path:
    """A member of ``size`` zero bytes, compressed to ~size/1000 on disk, written without holding it in memory."""
    chunk = bytes(2**20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr(
            "META-INF/container.xml", '<container><rootfiles><rootfile full-path="bomb.opf"/></rootfiles></container>'
        )
        with z.open("bomb.opf", "w") as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return path


def _declare_size(path: Path, member: str, size: int) -> None:
    """Patch the local and central headers of ``member`` to claim ``size`` uncompressed bytes."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        if data[local + 30 : local + 30 + len(name)] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        if data[central + 46 : central + 46 + len(name)] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def test_zip_bombs_are_refused_quickly_in_bounded_memory(tmp_path):
    real = _zip_bomb(tmp_path / "bomb.epub", 64 * 2**20)  # honest headers, 64 MiB of zeros
    declared = _zip_bomb(tmp_path / "gigabyte.epub", 2**20)
    _declare_size(declared, "bomb.opf", 2**30)  # claims 1 GiB
    assert real.stat().st_size < 200_000
    for path in (real, declared):
        tracemalloc.start()
        t0 = time.perf_counter()
        with pytest.raises(UnsafeInput, match="zip bomb"):
            ficlens.read(path)
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert elapsed < 2 and peak < 40 * 2**20, (path.name, elapsed, peak)
        result = CliRunner().invoke(main, ["info", str(path)])
        assert result.exit_code == 1 and "zip bomb" in result.output


def test_html_declared_entities_are_never_expanded(tmp_path):
    page = tmp_path / "laughs.html"
    page.write_bytes(BILLION_LAUGHS.replace(b"<html", b"<html><head></head", 1))
    story = ficlens.read(page)
    assert len(story.text) < 100


def test_errors_are_ficlens_errors_for_garbage_zip_members(tmp_path):
    garbage = tmp_path / "garbage.epub"
    rewrite_epub(FIX / "ao3.epub", garbage, {"META-INF/container.xml": b"\x00\x01not xml"})
    with pytest.raises(FiclensError):
        ficlens.read(garbage)
