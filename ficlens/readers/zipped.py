"""A zip archive that is not an EPUB: a bulk download holding one story, read as that story.

Archives of several stories are for batch commands (``ficlens info``, ``analyze``, ``add``), which
open them member by member through ``archive.iter_inputs``; reading one as a single story says so.
"""

from __future__ import annotations

from pathlib import Path

from ficlens.errors import UnsupportedFormat
from ficlens.readers import epub
from ficlens.readers.archive import NO_STORY, SafeZip, is_zip, members
from ficlens.story import Story

PRIORITY = 15


def sniff(head: bytes, path: Path) -> bool:
    return is_zip(head) and not epub.sniff(head, path)


def read(path: Path, data: bytes) -> Story:
    found = list(members(SafeZip(data, path)))
    if not found:
        raise UnsupportedFormat(NO_STORY, path=str(path))
    if len(found) != 1:
        raise UnsupportedFormat(
            f"zip archive holds {len(found)} files, not one story; list them with `ficlens info {path}` "
            "or unzip it and pass the folder",
            path=str(path),
        )
    return found[0].read()
