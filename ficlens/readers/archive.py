"""Zip archives read safely: EPUB containers, and zips of stories a fan downloaded in bulk.

This is the only place ficlens opens a zip: the EPUB reader, ``analyze``/``info`` and ``library add``
all come through it, so they share one set of limits. Nothing is extracted to disk. An archive is
refused whole when it has more than ``MAX_MEMBERS`` entries, declares more than ``MAX_TOTAL_BYTES``,
or names a member with ``..``, an absolute path or a drive letter. Each member is decompressed in
chunks and refused past ``MAX_MEMBER_BYTES``, past ``MAX_RATIO`` times its compressed size (once it
is over ``MIN_RATIO_BYTES``) or past the archive's ``MAX_TOTAL_BYTES``, whatever its header claims:
a zip bomb costs a few megabytes and milliseconds before it is refused.

A zip of stories is opened like a folder: hidden files, ``__MACOSX`` and files that are not stories
by name are skipped. A zip inside a zip is not opened (one line saying to unzip the outer one).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ficlens.errors import FiclensError, ReadError, UnsafeInput, UnsupportedFormat
from ficlens.readers import HEAD_BYTES, is_story_name, iter_files, load_bytes, read, read_bytes
from ficlens.story import Story

#: Bounds on decompression; a 100k-word story is ~0.6 MB of XHTML, so these leave wide room.
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 256 * 2**20
MAX_RATIO = 100  # uncompressed / compressed; text compresses ~4x, the worst honest case ~20x
MIN_RATIO_BYTES = 2**20  # members smaller than this are never refused for their ratio
_CHUNK = 2**16
NO_STORY = "zip archive holds no story files (text, HTML or EPUB)"


class SafeZip:
    """A zip archive in memory whose members can only be read within the bounds above."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.path = path
        # counted before zipfile builds an object per entry: a 64 MiB file can list a million of them
        if data.count(b"PK\x01\x02") > MAX_MEMBERS:
            raise UnsafeInput(f"archive has more than {MAX_MEMBERS} members; unzip it and pass the folder",
                              path=str(path))
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as e:
            raise ReadError(
                f"not a readable zip/EPUB archive ({e}); it may be truncated, download it again", path=str(path)
            ) from None
        declared = 0
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
                raise UnsafeInput(f"archive member {name!r} points outside the archive; refusing it", path=str(path))
            declared += info.file_size
        if declared > MAX_TOTAL_BYTES:
            raise UnsafeInput(
                f"archive unpacks to {declared / 2**20:.0f} MiB (limit {MAX_TOTAL_BYTES // 2**20} MiB); "
                "a zip bomb or not a story archive",
                path=str(path),
            )
        self.infos = {i.filename: i for i in infos}
        self.total = 0

    def names(self) -> list[str]:
        return [n for n, i in self.infos.items() if not i.is_dir()]

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        """A member's bytes, decompressed in chunks and stopped at the first bound it crosses."""
        info = self.infos.get(name)
        if info is None:
            raise ReadError(f"archive has no member {name!r}; the file is incomplete", path=str(self.path))
        limit = min(MAX_MEMBER_BYTES, max(MIN_RATIO_BYTES, info.compress_size * MAX_RATIO))
        out = bytearray()
        try:
            with self.zf.open(info) as f:
                while chunk := f.read(_CHUNK):
                    out += chunk
                    self.total += len(chunk)
                    if len(out) > limit or self.total > MAX_TOTAL_BYTES:
                        raise UnsafeInput(
                            f"archive member {name!r} expands past {limit // 2**20 or 1} MiB "
                            f"from {info.compress_size} bytes (a zip bomb?); refusing it",
                            path=str(self.path),
                        )
        except NotImplementedError as e:
            raise ReadError(
                f"archive member {name!r} uses a compression Python cannot read ({e}); re-zip it with plain zip",
                path=str(self.path),
            ) from None
        except RuntimeError as e:  # zipfile's way of saying "encrypted"
            raise ReadError(f"archive member {name!r} cannot be read ({e}); unzip it yourself", path=str(self.path)) \
                from None
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as e:
            raise ReadError(
                f"archive member {name!r} is damaged ({e}); download the file again", path=str(self.path)
            ) from None
        return bytes(out)


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")


#: How an EPUB starts, by its rule: an uncompressed first member ``mimetype`` saying so.
_EPUB_FIRST = b"mimetypeapplication/epub+zip"


def _is_epub_listing(z: SafeZip) -> bool:
    return z.has("META-INF/container.xml") or (z.has("mimetype") and b"epub" in z.read("mimetype"))


def _is_epub(head: bytes, path: Path) -> bool:
    from ficlens.readers import epub  # epub imports this module

    return epub.sniff(head, path)


@dataclass(frozen=True)
class Source:
    """One story to read: a file on disk, a zip member already in memory, or an input that failed to open.

    ``path`` names it in messages; a member is ``archive.zip!folder/member.html``, from ``archive``.
    """

    path: Path
    data: bytes | None = None
    error: FiclensError | None = None
    archive: Path | None = None
    member: str | None = None

    @property
    def name(self) -> str:
        return str(self.path)

    def read(self) -> Story:
        if self.error is not None:
            raise self.error
        return read(self.path) if self.data is None else read_bytes(self.data, self.path)


def member_path(archive: Path, name: str) -> Path:
    return Path(f"{archive}!{name}")


def iter_inputs(paths: list[str] | tuple[str, ...]) -> Iterator[Source]:
    """Every story named or found in folders, with zips of stories opened member by member, in order.

    An archive that cannot be opened, or holds no story, is one ``Source`` whose ``error`` says why, so
    a batch command reports it with its other failures and goes on.
    """
    for path in iter_files(paths):
        head = b""  # a pipe would block opening it; it and unreadable files fail in the reader, in its words
        if path.is_file():
            try:
                with path.open("rb") as f:
                    head = f.read(HEAD_BYTES)
            except OSError:
                pass
        if not is_zip(head) or head[30:58] == _EPUB_FIRST:
            yield Source(path)  # read later, by its reader: a folder of books is never all in memory at once
            continue
        found = False
        try:
            z = SafeZip(load_bytes(path), path)
            # the listing, not the head, tells a loose EPUB from a zip that stores one uncompressed
            for source in [Source(path)] if _is_epub_listing(z) else members(z):
                found = True
                yield source  # one member at a time: a consumer that keeps only hashes keeps little
        except FiclensError as e:
            found = True
            yield Source(path, error=e)
        if not found:
            yield Source(path, error=UnsupportedFormat(NO_STORY, path=str(path)))


def iter_sources(paths: list[str] | tuple[str, ...]) -> Iterator[tuple[str, Callable[[], Story]]]:
    """(name, reader) for each story of ``iter_inputs``, for commands that read them one by one."""
    for source in iter_inputs(paths):
        yield source.name, source.read


def members(z: SafeZip) -> Iterator[Source]:
    """The stories inside an archive in name order, skipped and refused as the module docstring says.

    A damaged member fails alone; a zip bomb ends the archive, since its budget is spent. A Word or
    OpenDocument file (a zip too) is refused whole, with what to do.
    """
    if z.has("word/document.xml") or (z.has("content.xml") and z.has("mimetype")):
        raise UnsupportedFormat(
            "a word-processor document (.docx/.odt); save it as HTML or plain text to read it", path=str(z.path)
        )
    for name in sorted(z.names()):
        parts = PurePosixPath(name).parts
        if any(p.startswith((".", "__MACOSX")) for p in parts) or not is_story_name(parts[-1]):
            continue
        where = member_path(z.path, name)
        try:
            data = z.read(name)
        except UnsafeInput as e:
            yield Source(where, error=e)
            return
        except FiclensError as e:
            yield Source(where, error=e)
            continue
        if is_zip(data) and not _is_epub(data[:HEAD_BYTES], where):
            yield Source(where, error=UnsupportedFormat(
                "a zip archive inside a zip archive is not opened; unzip the outer one and pass the folder",
                path=str(where)))
            continue
        yield Source(where, data, archive=z.path, member=name)
