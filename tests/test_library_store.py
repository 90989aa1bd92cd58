import sqlite3

import pytest
from library_helpers import add_story, edit, make_story, prose, vocabulary

from ficlens.errors import LibraryError
from ficlens.library import duplicates
from ficlens.library.search import Query, search
from ficlens.library.similar import similar
from ficlens.library.store import Library, prepare
from ficlens.story import Character


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib.db") as lib:
        yield lib


def test_same_bytes_are_stored_once(lib):
    story = make_story(prose(1, 80), title="One")
    assert lib.add(prepare(story, "h1")) is not None
    assert lib.add(prepare(story, "h1")) is None
    assert lib.count() == 1


def test_newest_version_is_current_and_older_ones_are_kept(lib):
    text = prose(2, 200)
    old = add_story(lib, make_story(text[:600], title="Wip", authors=["Ana"], extra={"updated": "2020-01-01"}))
    new = add_story(lib, make_story(text, title="WIP", authors=["ana"], extra={"updated": "2021-05-01"}))
    assert [h.id for h in search(lib, Query()).hits] == [new]
    assert {h.id for h in search(lib, Query(all_versions=True)).hits} == {old, new}
    lib.remove([new])
    assert [h.id for h in search(lib, Query()).hits] == [old]
    assert lib.check() == []


def test_a_stored_story_comes_back_exactly(lib):
    story = make_story("Mara said \u201chi\u201d.\r\n\r\nThe end.\n", title="T",
                       characters=[Character("mara", "Mara", mentions=1)])
    wid = add_story(lib, story)
    assert lib.story(wid).to_json() == story.to_json()


def _set_version(path, version: int) -> None:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


def test_a_library_of_another_schema_version_is_refused_untouched(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    Library(path).close()
    _set_version(path, 0)  # a library from before versions were kept, as a future ficlens sees version 1
    before = path.read_bytes()
    with pytest.raises(LibraryError, match="schema 0, older than this ficlens reads .*--library NEW.db"):
        Library(path)
    assert path.read_bytes() == before


def test_newer_schema_and_foreign_files_are_refused(tmp_path):
    Library(tmp_path / "a.db").close()
    db = sqlite3.connect(tmp_path / "a.db")
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(LibraryError, match="newer than this ficlens"):
        Library(tmp_path / "a.db")
    other = sqlite3.connect(tmp_path / "b.db")
    other.execute("CREATE TABLE t (x)")
    other.close()
    with pytest.raises(LibraryError, match="not a ficlens library"):
        Library(tmp_path / "b.db")
    for pragma in ("user_version = 1", "application_id = 7"):  # another program's file that uses these pragmas
        foreign = sqlite3.connect(tmp_path / "d.db")
        foreign.execute(f"PRAGMA {pragma}")
        foreign.close()
        with pytest.raises(LibraryError, match="not a ficlens library"):
            Library(tmp_path / "d.db")
    (tmp_path / "c.db").write_text("hello")
    with pytest.raises(LibraryError, match="not a usable ficlens library"):
        Library(tmp_path / "c.db")
    with pytest.raises(LibraryError, match="no library"):
        Library(tmp_path / "missing.db", create=False)


def test_similar_prefers_shared_words_and_cast_and_says_why(lib):
    vocab = vocabulary(5)
    lily = Character("lily", "Lily Potter", main=True)
    base = add_story(lib, make_story(prose(10, 300, vocab[:60]), title="A", characters=[lily]))
    like = add_story(lib, make_story(prose(11, 300, vocab[:60]), title="B", characters=[lily]))
    add_story(lib, make_story(prose(12, 300, vocab[200:]), title="C"))
    result = similar(lib, base)
    assert result[0].id == like
    assert any("same cast: Lily Potter" in r for r in result[0].reasons)
    assert all(m.id != base for m in result)


def test_duplicates_versions_and_reused_passages_with_offsets(lib):
    original = prose(20, 600)
    a = add_story(lib, make_story(original, title="Orig"))
    copy = add_story(lib, make_story(edit(original, 12), title="Repost"))
    snapshot = add_story(lib, make_story(original[: len(original) // 3], title="Snapshot"))
    donor_text = prose(21, 500)
    passage = " ".join(donor_text.split(" ")[100:330])
    recipient_text = prose(22, 300) + "\n" + edit(passage, 25) + "\n\n" + prose(23, 200)
    donor = add_story(lib, make_story(donor_text, title="Donor"))
    recipient = add_story(lib, make_story(recipient_text, title="Recipient"))
    pairs = {(p.a, p.b): p for p in duplicates.find(lib)}
    assert pairs[(a, copy)].kind == "near-duplicate"
    assert pairs[(a, snapshot)].kind == "version" and pairs[(a, snapshot)].containment > 0.9
    reuse = pairs[(donor, recipient)]
    assert reuse.kind == "passage" and len(reuse.passages) == 1
    p = reuse.passages[0]
    start = recipient_text.index(passage.split(" ")[0])
    assert abs(p.b_start - start) < 30 and p.words >= 220 and p.similarity > 0.9
    assert 0.3 < reuse.coverage_b < 0.5
    assert {p.kind for p in pairs.values()} == {"near-duplicate", "version", "passage"}
    assert [(p.a, p.b) for p in duplicates.find(lib, work=recipient)] == [(donor, recipient)]


def test_allow_listed_lyrics_are_not_reuse(lib):
    song = " ".join(prose(30, 120).split())
    for seed in (31, 32):
        add_story(lib, make_story(prose(seed, 200) + "\n" + song + "\n\n" + prose(seed + 10, 200)))
    assert [p.kind for p in duplicates.find(lib)] == ["passage"]
    duplicates.allow(lib, song, "song.txt")
    assert duplicates.find(lib) == []


def test_remove_is_all_or_nothing_and_takes_an_id_once(lib):
    a, b = (add_story(lib, make_story(prose(i, 60), title=f"t{i}")) for i in (1, 2))
    with pytest.raises(LibraryError, match=r"no works with ids 98, 99 in .*nothing was removed"):
        lib.remove([a, 98, b, 99])
    assert lib.count() == 2
    assert lib.remove([a, a]) == 1 and lib.count() == 1
    with pytest.raises(LibraryError, match=f"no work with id {a} "):
        lib.remove([b, a])
    assert lib.count() == 1 and not lib.check()


def test_a_library_in_a_missing_folder_is_an_error_unless_it_is_the_default(tmp_path, monkeypatch):
    with pytest.raises(LibraryError, match=r"folder .*typo does not exist; create it \(mkdir -p"):
        Library(tmp_path / "typo" / "lib.db")
    assert not (tmp_path / "typo").exists()
    monkeypatch.delenv("FICLENS_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("sys.platform", "linux")
    with Library() as lib:
        assert lib.path == tmp_path / "xdg" / "ficlens" / "library.db" and lib.path.exists()
