"""Zip archives read safely: EPUB containers, and zips of stories a fan downloaded in bulk.

Nothing is extracted to disk. Member names with ``..`` or absolute paths are refused, and every
member is decompressed in chunks against a bound on its size, its compression ratio and the
archive's total, so a zip bomb costs a few megabytes and milliseconds before it is refused.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path, PurePosixPath

from ficlens.errors import FiclensError, ReadError, UnsafeInput
from ficlens.story import Story

#: Bounds on decompression; a 100k-word story is ~0.6 MB of XHTML, so these leave wide room.
MAX_MEMBER_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 256 * 2**20
MAX_RATIO = 100  # uncompressed / compressed; text compresses ~4x, the worst honest case ~20x
MIN_RATIO_BYTES = 2**20  # members smaller than this are never refused for their ratio
MAX_MEMBERS = 10_000
_CHUNK = 2**16


class SafeZip:
    """A zip archive in memory whose members can only be read within the bounds above."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.path = path
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as e:
            raise ReadError(
                f"not a readable zip/EPUB archive ({e}); it may be truncated, download it again", path=str(path)
            ) from None
        if len(infos) > MAX_MEMBERS:
            raise UnsafeInput(f"archive has {len(infos)} members (limit {MAX_MEMBERS})", path=str(path))
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
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError, NotImplementedError) as e:
            raise ReadError(
                f"archive member {name!r} is damaged ({e}); download the file again", path=str(self.path)
            ) from None
        return bytes(out)


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")


def iter_sources(paths: list[str] | tuple[str, ...]) -> Iterator[tuple[str, Callable[[], Story]]]:
    """(name, reader) for each story named or found in folders; zips of stories are opened member by member.

    An archive that cannot be opened still yields one entry, whose reader raises the error, so a
    batch command reports it with the other failures.
    """
    from ficlens.readers import HEAD_BYTES, epub, iter_files, load_bytes, read, read_bytes

    for path in iter_files(paths):
        try:
            with path.open("rb") as f:
                head = f.read(HEAD_BYTES)
        except OSError:
            head = b""
        if not is_zip(head) or epub.sniff(head, path):
            yield str(path), partial(read, path)
            continue
        try:
            members = list(iter_members(path, load_bytes(path)))
        except FiclensError as e:
            yield str(path), partial(_raise, e)
            continue
        for name, data in members:
            yield str(path / name), partial(read_bytes, data, path / name)


def _raise(error: FiclensError) -> Story:
    raise error


def iter_members(path: Path, data: bytes) -> Iterator[tuple[str, bytes]]:
    """The story files inside a zip archive (hidden files and folders skipped), in name order."""
    z = SafeZip(data, path)
    for name in sorted(z.names()):
        if any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(name).parts):
            continue
        yield name, z.read(name)
