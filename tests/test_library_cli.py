import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from library_helpers import prose, write_stories

from ficlens.cli import main
from ficlens.library.search import Query, search
from ficlens.library.store import Library

EXAMPLES = Path(__file__).parents[1] / "examples"


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def stored(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT source FROM works")]
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        con.close()


def test_killed_add_loses_and_duplicates_nothing_and_search_works_meanwhile(tmp_path):
    files = write_stories(tmp_path / "fics", 250)
    db = tmp_path / "lib.db"
    cmd = [sys.executable, "-m", "ficlens", "add", str(tmp_path / "fics"), "--library", str(db), "-q", "--jobs", "1",
           "--stages", "structure"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while len(stored(db)) < 5 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    with Library(db, create=False) as lib:  # a reader while the writer is busy
        hits = search(lib, Query(text="title")).total
    proc.kill()
    proc.wait()
    at_kill = len(stored(db))
    assert 0 < at_kill < len(files), "add must be stopped midway for this test to mean anything"
    assert hits >= 5
    run("add", tmp_path / "fics", "--library", db, "-q", "--jobs", "2", "--stages", "structure")
    sources = stored(db)
    assert sorted(sources) == sorted(str(f) for f in files)
    assert run("library", "check", "--library", db).output.strip() == "consistent"


def test_ctrl_c_stops_add_cleanly(tmp_path):
    write_stories(tmp_path / "fics", 250)
    db = tmp_path / "lib.db"
    cmd = [sys.executable, "-m", "ficlens", "add", str(tmp_path / "fics"), "--library", str(db), "-q", "--jobs", "2",
           "--stages", "structure"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while len(stored(db)) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "run the same command to finish" in err and "Traceback" not in err
    assert 0 < len(stored(db)) < 250
    assert run("library", "check", "--library", db).output.strip() == "consistent"


def test_bad_files_are_reported_and_skipped_and_the_store_stays_consistent(tmp_path):
    fics = tmp_path / "fics"
    write_stories(fics, 3)
    (fics / "empty.txt").write_text("")
    (fics / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with zipfile.ZipFile(fics / "bundle.zip", "w") as z:
        z.writestr("a.txt", "Zipped\n\n" + prose(90, 80))
        z.writestr("b.txt", "Zipped too\n\n" + prose(91, 80))
        z.writestr("bad.txt", b"\x00\x01\x02" * 50)
    db = tmp_path / "lib.db"
    result = run("add", fics, "--library", db, "--stages", "structure", ok=False)
    assert result.exit_code == 1
    assert "empty.txt: file is empty" in result.output and "picture.txt" in result.output
    assert "bundle.zip!bad.txt" in result.output
    assert "added 5, already stored 0, failed 3" in result.output
    assert run("library", "check", "--library", db).output.strip() == "consistent"
    again = run("add", fics, "--library", db, "--json", "--stages", "structure", ok=False)
    assert json.loads(again.stdout)["added"] == 0 and json.loads(again.stdout)["skipped"] == 5


def test_search_similar_duplicates_export_and_saved_searches_from_the_command_line(tmp_path, monkeypatch):
    fics = tmp_path / "fics"
    write_stories(fics, 4)
    monkeypatch.setenv("FICLENS_LIBRARY", str(tmp_path / "env.db"))
    run("add", fics, "-q", "--stages", "structure")
    out = json.loads(run("search", "Title", "--sort", "title", "--per-page", "2", "--json").stdout)
    assert out["total"] == 4 and len(out["hits"]) == 2
    run("search", "Title", "--words", ">10", "--save", "mine")
    assert json.loads(run("search", "--saved", "mine", "--json").stdout)["total"] == 4
    assert "mine:" in run("search", "--list-saved").output
    run("library", "exclude", "author", "nobody")
    assert "author\tnobody" in run("library", "exclude").output
    first = out["hits"][0]["id"]
    sims = json.loads(run("similar", str(first), "--json").stdout)
    assert all("reasons" in s for s in sims)
    assert json.loads(run("duplicates", "--json").stdout) == []
    run("export", "--format", "csv", "-o", tmp_path / "out")
    assert (tmp_path / "out" / "works.csv").read_text().count("\n") == 5
    run("export", "--format", "jsonl", "-o", tmp_path / "out", "--tables", "works")
    assert len((tmp_path / "out" / "works.jsonl").read_text().splitlines()) == 4
    info = json.loads(run("library", "info", "--json").stdout)
    assert info["works"] == 4 and info["saved_searches"] == 1
    bad = run("search", "(unclosed", ok=False)
    assert bad.exit_code == 1 and "error: [FL301]" in bad.output
    assert run("similar", "999", ok=False).exit_code == 1


@pytest.mark.shared
def test_seeds_and_samples_in_a_library(tmp_path, shared):
    db = tmp_path / "lib.db"
    paths = [shared / "seeds", *([EXAMPLES] if EXAMPLES.is_dir() else [])]
    run("add", *paths, "--library", db, "-q", ok=False)
    with Library(db) as lib:
        ids = {Path(r[1]).name[:3]: r[0] for r in lib.db.execute("SELECT id, source FROM works")}
        hits = search(lib, Query(text="Lily survived")).hits
        assert hits[0].id == ids["000"]
        narrated = search(lib, Query(include={"pov": ["first"], "narrator": ["Lily"]})).hits
        assert ids["003"] in [h.id for h in narrated]
    sims = [m["id"] for m in json.loads(run("similar", ids["000"], "--library", db, "--json", "-n", "50").stdout)]
    samples = [wid for name, wid in ids.items() if name not in ("000", "001", "003")]
    assert all(sims.index(ids["001"]) < sims.index(s) for s in samples if s in sims)


def test_default_library_location_follows_the_environment(tmp_path, monkeypatch):
    from ficlens.library.store import default_path

    monkeypatch.delenv("FICLENS_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_path() == tmp_path / "ficlens" / "library.db"
    monkeypatch.setenv("FICLENS_LIBRARY", os.fspath(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"


def test_parquet_export_or_a_clear_error_without_pyarrow(tmp_path, monkeypatch):
    write_stories(tmp_path / "fics", 2)
    db = tmp_path / "lib.db"
    run("add", tmp_path / "fics", "--library", db, "-q", "--stages", "structure")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    missing = run("export", "--format", "parquet", "-o", tmp_path / "pq", "--library", db, ok=False)
    assert missing.exit_code == 1 and "pip install 'ficlens[parquet]'" in missing.output
    monkeypatch.undo()
    pq = pytest.importorskip("pyarrow.parquet")
    run("export", "--format", "parquet", "-o", tmp_path / "pq", "--library", db)
    assert pq.read_table(tmp_path / "pq" / "works.parquet").num_rows == 2


def test_remove_from_the_command_line_says_what_it_did(tmp_path):
    write_stories(tmp_path / "fics", 2)
    db = tmp_path / "lib.db"
    run("add", tmp_path / "fics", "--library", db, "-q", "--stages", "structure")
    unknown = run("library", "remove", "1", "7", "--library", db, ok=False)
    assert unknown.exit_code == 1 and unknown.stderr.startswith("error: [FL301] no work with id 7 in ")
    assert "nothing was removed" in unknown.stderr and len(stored(db)) == 2
    twice = run("library", "remove", "1", "1", "--library", db)
    assert twice.stdout == "removed 1\n" and "id 1 given more than once, removed once" in twice.stderr


def test_a_library_path_in_a_missing_folder_is_one_line_saying_what_to_do(tmp_path):
    result = run("add", EXAMPLES, "--library", tmp_path / "nowhere" / "lib.db", ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert f"folder {tmp_path / 'nowhere'} does not exist; create it (mkdir -p" in result.stderr
