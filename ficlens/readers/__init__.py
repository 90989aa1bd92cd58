"""Readers turn a file into a Story. One module per format, each with ``sniff`` and ``read``.

A reader module defines ``PRIORITY`` (lower is tried first), ``sniff(head, path) -> bool`` that
looks at the first bytes (never the extension alone), and ``read(path, data) -> Story``. The
plain-text reader comes last and takes whatever text is left.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path, PurePosixPath
from types import ModuleType

from ficlens.errors import ReadError, UnsupportedFormat
from ficlens.story import Story

#: Files larger than this are refused before a byte is read (override: FICLENS_MAX_BYTES).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
HEAD_BYTES = 4096

_readers: list[ModuleType] | None = None


def max_bytes() -> int:
    try:
        return int(os.environ.get("FICLENS_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


def readers() -> list[ModuleType]:
    """Reader modules in the order they are tried."""
    global _readers
    if _readers is None:
        import ficlens.readers as pkg

        mods = [importlib.import_module(f"ficlens.readers.{m.name}") for m in pkgutil.iter_modules(pkg.__path__)]
        _readers = sorted((m for m in mods if hasattr(m, "sniff")), key=lambda m: m.PRIORITY)
    return _readers


def load_bytes(path: Path) -> bytes:
    """The file's bytes, after the checks every format shares: exists, readable, not empty, not huge."""
    if path.is_dir():
        raise ReadError("is a directory; pass the files inside it, or use a command that recurses", path=str(path))
    try:
        if not path.is_file() and path.exists():
            raise ReadError("not a regular file (device, pipe or socket)", path=str(path))
        size = path.stat().st_size
        if size > max_bytes():
            raise ReadError(
                f"file is too large ({size / 2**20:.0f} MiB; limit {max_bytes() / 2**20:.0f} MiB, "
                "raise it with FICLENS_MAX_BYTES)",
                path=str(path),
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError("no such file", path=str(path)) from None
    except PermissionError:
        raise ReadError("permission denied; check the file's permissions", path=str(path)) from None
    except OSError as e:
        raise ReadError(f"cannot read file ({e.strerror or e})", path=str(path)) from None
    if not data.strip():
        raise ReadError("file is empty", path=str(path))
    return data


def read(path: str | os.PathLike[str]) -> Story:
    """Read any supported file into a Story (format sniffed from its content)."""
    p = Path(path)
    return read_bytes(load_bytes(p), p)


def read_bytes(data: bytes, p: Path) -> Story:
    """Read a file already in memory (e.g. a member of a zip archive); ``p`` names it in errors."""
    head = data[:HEAD_BYTES]
    for mod in readers():
        if mod.sniff(head, p):
            story = mod.read(p, data)
            story.source = story.source or str(p)
            story.meta.extra.setdefault("format", mod.__name__.rsplit(".", 1)[-1])
            return story
    raise UnsupportedFormat("not a story file ficlens can read (text, HTML or EPUB)", path=str(p))


#: What a directory walk (or a zip of stories) picks up; a file named on the command line is always tried.
STORY_SUFFIXES = frozenset({"", ".txt", ".text", ".htm", ".html", ".xhtml", ".epub", ".zip", ".azw3", ".mobi", ".pdf"})


def is_story_name(name: str) -> bool:
    """A file name with a story extension, or none ("Chapter 2. The Lake" has no extension, only a full stop)."""
    suffix = PurePosixPath(name).suffix.lower()
    return suffix in STORY_SUFFIXES or " " in suffix


def iter_files(paths: list[str] | tuple[str, ...]) -> list[Path]:
    """The files named, with directories expanded recursively (hidden and non-story files skipped), sorted."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if not any(part.startswith(".") for part in f.relative_to(p).parts)
                    and not f.is_dir()
                    and is_story_name(f.name)
                )
            )
        else:
            out.append(p)
    return out
