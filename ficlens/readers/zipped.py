"""A zip archive that is not an EPUB: a bulk download holding one story, read as that story.

Archives of several stories are for batch commands (``ficlens info``), which open them member by
member through ``archive.iter_sources``; reading one as a single story says so.
"""

from __future__ import annotations

from pathlib import Path

from ficlens.errors import UnsupportedFormat
from ficlens.readers import epub
from ficlens.readers.archive import is_zip, iter_members
from ficlens.story import Story

PRIORITY = 15


def sniff(head: bytes, path: Path) -> bool:
    return is_zip(head) and not epub.sniff(head, path)


def read(path: Path, data: bytes) -> Story:
    from ficlens.readers import read_bytes

    members = list(iter_members(path, data))
    names = {name for name, _ in members}
    if "word/document.xml" in names or "content.xml" in names:
        raise UnsupportedFormat(
            "a word-processor document (.docx/.odt); save it as HTML or plain text to read it", path=str(path)
        )
    if len(members) != 1:
        raise UnsupportedFormat(
            f"zip archive holds {len(members)} files, not one story; list them with `ficlens info {path}` "
            "or unzip it and pass the folder",
            path=str(path),
        )
    name, member = members[0]
    return read_bytes(member, path / name)
