"""Zips and folders as ``analyze``, ``info`` and ``library add`` see them: one reader (readers/archive.py), one
set of limits, one line per bad input and exit 1, good stories beside bad ones still read."""

import json
import os
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from library_helpers import prose

import ficlens
from ficlens.cli import main
from ficlens.readers import archive
from ficlens.readers.archive import MAX_MEMBERS, iter_inputs

COMMANDS = {"analyze": ["analyze", "--stages", "structure"], "info": ["info"],
            "add": ["add", "-q", "--stages", "structure", "--library"]}


def story(seed: int) -> str:
    return f"Chapter {seed}\n\n" + prose(seed, 120)


def invoke(command: str, path: Path, tmp: Path):
    args = [*COMMANDS[command], *([str(tmp / "lib.db")] if command == "add" else []), str(path)]
    return CliRunner().invoke(main, args)


def bulk_zip(path: Path, members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def zeros_member(path: Path, size: int) -> Path:
    """A zip whose one member is ``size`` zero bytes (about size/1000 on disk), written in chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open("story.txt", "w") as f:
        for _ in range(size // 2**20):
            f.write(bytes(2**20))
    return path


def bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    good = bulk_zip(tmp / "good.zip", {"a.txt": story(1), "b.txt": story(2)})
    truncated = tmp / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return {
        "truncated zip": (truncated, "[FL101] {path}: not a readable zip/EPUB archive"),
        "path traversal": (bulk_zip(tmp / "evil.zip", {"a.txt": story(1), "../../evil.txt": story(2)}),
                           "[FL103] {path}: archive member '../../evil.txt' points outside the archive"),
        "absolute path": (bulk_zip(tmp / "abs.zip", {"/etc/evil.txt": story(1)}),
                          "[FL103] {path}: archive member '/etc/evil.txt' points outside the archive"),
        "zip bomb": (zeros_member(tmp / "bomb.zip", 16 * 2**20), "[FL103] {path}: archive member 'story.txt' expands"),
        "nested zip only": (bulk_zip(tmp / "nested.zip", {"inner.zip": good.read_bytes()}),
                            "[FL102] {path}!inner.zip: a zip archive inside a zip archive is not opened"),
        "no stories": (bulk_zip(tmp / "pictures.zip", {"cover.jpg": b"\xff\xd8\xff" + bytes(64)}),
                       "[FL102] {path}: zip archive holds no story files"),
    }


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_bad_zip_is_one_line_and_exit_1_in_every_command(tmp_path, command):
    for case, (path, message) in bad_inputs(tmp_path).items():
        result = invoke(command, path, tmp_path)
        assert result.exit_code == 1, (case, result.output)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: " + message.format(path=path)), (case, lines)


def test_zip_bombs_cost_little_time_and_memory_in_every_command(tmp_path):
    bomb = zeros_member(tmp_path / "bomb.zip", 64 * 2**20)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_STORED) as z:
        for i in range(MAX_MEMBERS + 1):
            z.writestr(f"{i}.txt", b"x")
    assert bomb.stat().st_size < 200_000
    for path, words in ((bomb, "zip bomb"), (many, f"more than {MAX_MEMBERS} members")):
        for command in COMMANDS:
            tracemalloc.start()
            t0 = time.perf_counter()
            result = invoke(command, path, tmp_path)
            elapsed = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert result.exit_code == 1 and words in result.stderr, (command, result.output)
            assert elapsed < 3 and peak < 40 * 2**20, (path.name, command, elapsed, peak)


def test_an_archive_is_bounded_as_a_whole_not_only_member_by_member(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 2**20)
    path = bulk_zip(tmp_path / "big.zip", {f"{i}.txt": story(i) * 600 for i in range(3)})  # ~0.5 MiB each
    [source] = iter_inputs([str(path)])
    assert "archive unpacks to" in str(source.error) and "(limit 1 MiB)" in str(source.error)


def named(error_line: str) -> str:
    """The file an ``error: [FLxxx] FILE: message`` line names."""
    return re.match(r"error: \[FL\d+\] (.+?): ", error_line).group(1)


def mixed_folder(tmp: Path) -> Path:
    """Stories as fans keep them: loose files, a zip of more, and things that are not stories."""
    fics = tmp / "fics"
    (fics / "sub").mkdir(parents=True)
    (fics / "loose.txt").write_text(story(1))
    (fics / "sub" / "Chapter 2. The Lake").write_text(story(2))  # a full stop, not an extension
    (fics / "empty.txt").write_text("")
    (fics / "cover.jpg").write_bytes(b"\xff\xd8\xff" + bytes(64))
    (fics / "notes.docx").write_bytes(b"PK\x03\x04")
    (fics / "lib.db-wal").write_bytes(b"\x00" * 32)  # a library kept beside the stories
    (fics / ".hidden.txt").write_text(story(3))
    inner = bulk_zip(tmp / "inner.zip", {"x.txt": story(4)})
    bulk_zip(fics / "bundle.zip", {
        "a.txt": story(5), "dir/b.html": f"<html><body><p>{prose(6, 80)}</p></body></html>",
        "cover.jpg": b"\xff\xd8\xff", "__MACOSX/._a.txt": b"\x00\x05", ".DS_Store": b"\x00", "bad.txt": b"\x00" * 90,
        "inner.zip": inner.read_bytes(),
    })
    return fics


def test_a_mixed_folder_reads_every_story_and_reports_each_bad_one_once(tmp_path):
    fics = mixed_folder(tmp_path)
    good = {f"{fics}/loose.txt", f"{fics}/sub/Chapter 2. The Lake", f"{fics}/bundle.zip!a.txt",
            f"{fics}/bundle.zip!dir/b.html"}
    bad = {f"{fics}/empty.txt", f"{fics}/bundle.zip!bad.txt", f"{fics}/bundle.zip!inner.zip"}

    info = invoke("info", fics, tmp_path)
    assert info.exit_code == 1
    assert {line.split(": ")[0] for line in info.stdout.splitlines()} == good
    errors = info.stderr.splitlines()
    assert {named(e) for e in errors[:-1]} == bad and errors[-1] == "3 of 7 files failed"

    analyzed = invoke("analyze", fics, tmp_path)
    assert analyzed.exit_code == 1 and analyzed.stderr == info.stderr

    as_json = CliRunner().invoke(main, ["analyze", "--json", "--stages", "structure", str(fics)])
    assert len(as_json.stdout.splitlines()) == 4 and json.loads(as_json.stdout.splitlines()[0])["text"]

    added = invoke("add", fics, tmp_path)
    assert added.exit_code == 1 and "added 4, already stored 0, failed 3" in added.stdout
    assert {named(e) for e in added.stderr.splitlines()} == bad


def test_a_zip_that_stores_an_epub_uncompressed_is_a_zip_of_stories_not_an_epub(tmp_path):
    epub = Path(__file__).parent / "fixtures" / "formats" / "ao3.epub"
    bundle = bulk_zip(tmp_path / "stored.zip", {"a_book.epub": epub.read_bytes(), "b.txt": story(1)},
                      zipfile.ZIP_STORED)  # Python's default: the EPUB's own container name is in the zip's head
    result = invoke("info", bundle, tmp_path)
    assert result.exit_code == 0, result.output
    assert [line.split(" | ")[0] for line in result.stdout.splitlines()] == [
        f"{bundle}!a_book.epub: ao3_epub", f"{bundle}!b.txt: plaintext"]
    assert "added 2, already stored 0, failed 0" in invoke("add", bundle, tmp_path).stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_named_pipe_is_one_line_not_a_hang(tmp_path, command):
    os.mkfifo(tmp_path / "story.txt")  # opening it to sniff would wait forever for a writer
    result = invoke(command, tmp_path / "story.txt", tmp_path)
    assert result.exit_code == 1 and "not a regular file" in result.stderr


def test_add_keeps_only_hashes_of_zip_members_until_their_turn(tmp_path):
    from ficlens.library.ingest import Failure, _Archive, collect

    bundle = bulk_zip(tmp_path / "bundle.zip", {"a.txt": story(1), "b.txt": story(2)})
    items = list(collect([str(bundle)]))
    assert [i.source for i in items] == [f"{bundle}!a.txt", f"{bundle}!b.txt"]
    assert all(i.data is None for i in items)  # a batch of big zips is not held in memory while it waits
    assert _Archive().with_data(items[0]).data.decode() == story(1)
    bulk_zip(bundle, {"a.txt": story(3), "b.txt": story(2)})  # edited between hashing and analysis
    changed = _Archive().with_data(items[0])
    assert isinstance(changed, Failure) and "changed while being added" in changed.message


def test_a_zip_storing_one_epub_reads_the_book_inside(tmp_path):
    book = (Path(__file__).parent / "fixtures" / "formats" / "book.epub").read_bytes()
    wrapped = bulk_zip(tmp_path / "wrapped.zip", {"book.epub": book}, zipfile.ZIP_STORED)
    assert ficlens.read(wrapped).meta.title == "Notes from the Breakwater"
