"""The library: analysed stories in one SQLite file (stdlib ``sqlite3``, WAL), safe to interrupt.

Each story goes in with one transaction, so a crash or Ctrl-C leaves either the whole story or none
of it; a file whose bytes are already stored (same content hash) is skipped, so re-running ``add``
after an interruption finishes the job without duplicates. Several files of the same work (same
work id, URL, or title + author) are all kept as versions; the newest is ``current`` and is what
search, similar and export see by default.

Schema (``PRAGMA user_version`` = ``SCHEMA_VERSION``; ``docs/library.md`` describes every column):

    works(id, content_hash UNIQUE, work_key, current, source, format, added, title, authors, summary,
          rating, language, words, chapters, complete, source_url, work_id, site, updated, pov, tense,
          story BLOB, minhash BLOB, shingles, fp_count)
    texts(work, title, meta, body)              the story text exactly, and what FTS indexes
    fts                                         FTS5 (porter, unicode61) over texts, external content
    tags(work, kind, value, name)               fandom, relationship, character, rating, warning, category,
                                                freeform, author; value is lower-cased for matching
    chapters(work, idx, title, start, end)      scenes(work, idx, start, end, label, person, narrator, focal, tense)
    characters(work, char_id, name, key, canon, aliases, pronouns, mentions, main)
    names(work, char_id, name)                  every name, alias and their words, lower-cased
    quotes(work, idx, start, end, kind, speaker, addressees, cue, confidence)
    pairs(work, a, b, weight)                   relationships detected from dialogue and main co-presence
    terms(term, work, weight)                   top content words, unit-length log-tf (similar)
    term_df(term, n)                            how many works have each term in ``terms``
    fingerprints(work, pos, hash)               winnowed 5-word fingerprints (passage reuse, containment);
                                                kept in work order, not hash order: adding stays fast
    saved_searches(name, query)  exclusions(field, value)  allowlist(hash, source)
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ficlens.errors import LibraryError
from ficlens.library import features
from ficlens.story import Character, Story

SCHEMA_VERSION = 1
APPLICATION_ID = 0x46434C4E  # "FCLN": tells a ficlens library from any other SQLite file

_SCHEMA = """
CREATE TABLE works (
    id INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    work_key TEXT,
    current INTEGER NOT NULL DEFAULT 1,
    source TEXT, format TEXT, added REAL NOT NULL,
    title TEXT, authors TEXT NOT NULL DEFAULT '[]', summary TEXT, rating TEXT, language TEXT,
    words INTEGER NOT NULL DEFAULT 0, chapters INTEGER NOT NULL DEFAULT 0, complete INTEGER,
    source_url TEXT, work_id TEXT, site TEXT, updated TEXT, pov TEXT, tense TEXT,
    story BLOB NOT NULL, minhash BLOB NOT NULL, shingles INTEGER NOT NULL, fp_count INTEGER NOT NULL
);
CREATE INDEX works_key ON works(work_key);
CREATE INDEX works_current ON works(current, added);
CREATE TABLE texts (
    work INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    title TEXT NOT NULL, meta TEXT NOT NULL, body TEXT NOT NULL
);
CREATE VIRTUAL TABLE fts USING fts5(
    title, meta, body, content='texts', content_rowid='work', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE tags (work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE, kind TEXT NOT NULL,
    value TEXT NOT NULL, name TEXT NOT NULL);
CREATE INDEX tags_work ON tags(work, kind, value);
CREATE INDEX tags_value ON tags(kind, value);
CREATE TABLE chapters (work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    title TEXT, start INTEGER NOT NULL, "end" INTEGER NOT NULL, PRIMARY KEY (work, idx)) WITHOUT ROWID;
CREATE TABLE scenes (work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, label TEXT, person TEXT, narrator TEXT, focal TEXT,
    tense TEXT, PRIMARY KEY (work, idx)) WITHOUT ROWID;
CREATE TABLE characters (work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE, char_id TEXT NOT NULL,
    name TEXT NOT NULL, key TEXT NOT NULL, canon TEXT, aliases TEXT NOT NULL, pronouns TEXT,
    mentions INTEGER NOT NULL, main INTEGER NOT NULL, PRIMARY KEY (work, char_id)) WITHOUT ROWID;
CREATE TABLE names (work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE, char_id TEXT NOT NULL,
    name TEXT NOT NULL, PRIMARY KEY (work, name, char_id)) WITHOUT ROWID;
CREATE TABLE quotes (work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, kind TEXT, speaker TEXT, addressees TEXT NOT NULL,
    cue TEXT, confidence REAL, PRIMARY KEY (work, idx)) WITHOUT ROWID;
CREATE INDEX quotes_speaker ON quotes(work, speaker);
CREATE TABLE pairs (work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE, a TEXT NOT NULL,
    b TEXT NOT NULL, weight INTEGER NOT NULL, PRIMARY KEY (work, a, b)) WITHOUT ROWID;
CREATE TABLE terms (term TEXT NOT NULL, work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    weight REAL NOT NULL, PRIMARY KEY (term, work)) WITHOUT ROWID;
CREATE INDEX terms_work ON terms(work);
CREATE TABLE term_df (term TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE fingerprints (work INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE, pos INTEGER NOT NULL,
    hash INTEGER NOT NULL, PRIMARY KEY (work, pos)) WITHOUT ROWID;
CREATE TABLE saved_searches (name TEXT PRIMARY KEY, query TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE exclusions (field TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (field, value)) WITHOUT ROWID;
CREATE TABLE allowlist (hash INTEGER PRIMARY KEY, source TEXT NOT NULL);
"""
#: Tables with a ``work`` column that must point at an existing work.
CHILD_TABLES = ("texts", "tags", "chapters", "scenes", "characters", "names", "quotes", "pairs", "terms",
                "fingerprints")
_TAG_FIELDS = {
    "fandom": "fandoms", "relationship": "relationships", "character": "characters", "warning": "warnings",
    "category": "categories", "freeform": "additional_tags", "author": "authors",
}
_NAME_STOP = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord", "the", "of", "de", "van", "von"})


def default_path() -> Path:
    """``$FICLENS_LIBRARY``, else the per-user data directory (XDG, macOS or Windows convention)."""
    env = os.environ.get("FICLENS_LIBRARY")
    return Path(env).expanduser() if env else _per_user_path()


def _per_user_path() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ficlens" / "library.db"


@dataclass
class Prepared:
    """A story analysed and reduced to what the library stores; built in a worker, written by the parent."""

    content_hash: str
    source: str
    text: str
    #: The contract JSON without its text, zlib-compressed: the whole analysis, kept to rebuild the Story.
    blob: bytes
    #: The parts of the contract the tables are made from (metadata, chapters, scenes, characters, quotes).
    story: dict[str, Any]
    words: int
    minhash: bytes
    shingles: int
    fingerprints: list[tuple[int, int]]
    terms: dict[str, float]


def prepare(story: Story, content_hash: str) -> Prepared:
    """Everything the library keeps about an analysed story (pure; runs in worker processes)."""
    words = features.words(story)
    wh = features.word_hashes(words)
    sig, n = features.minhash(wh)
    d = story.to_dict()
    text = d.pop("text")
    tables = {k: d[k] for k in ("metadata", "chapters", "scenes", "characters", "quotes")}
    # the summary states the premise: its words count twice for `similar` (it may not be in the text at all)
    premise = [w.lower() for w in features.WORD.findall(story.meta.summary or "")] * 2
    return Prepared(
        content_hash, story.source or "", text, zlib.compress(json.dumps(d).encode(), 6), tables, len(words), sig, n,
        features.winnow(wh), features.term_weights(words + premise),
    )


def work_key(meta: dict[str, Any]) -> str | None:
    """What makes two files versions of one work: AO3/FFN id or URL, else title + authors."""
    url = (meta.get("source_url") or "").strip().lower()
    for pattern, site in ((r"archiveofourown\.org/works/(\d+)", "ao3"), (r"fanfiction\.net/s/(\d+)", "ffn")):
        m = re.search(pattern, url)
        if m:
            return f"{site}:{m.group(1)}"
    if meta.get("work_id"):
        site = (meta.get("site") or "").lower()
        site = "ao3" if "archiveofourown" in site or site == "ao3" else site or "work"
        return f"{site}:{meta['work_id']}"
    if url:
        return "url:" + re.sub(r"^[a-z]+://(www\.)?|[?#].*$|/chapters/\d+.*$|/+$", "", url)
    title, authors = _norm(meta.get("title") or ""), sorted(_norm(a) for a in meta.get("authors") or [])
    if title and authors:
        return f"ta:{title}|{','.join(authors)}"
    return None


def display_name(title: str | None, source: str | None) -> str:
    """A work's title, or its file name when the file has no title."""
    return title or Path(source or "?").name


def _norm(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


def _names_of(c: dict[str, Any]) -> set[str]:
    """Lower-cased full names and aliases of a character, and their single words (so 'Lily' finds 'Lily Potter')."""
    full = {n.strip().lower() for n in [c["name"], c.get("canon") or "", *c.get("aliases", [])] if n and n.strip()}
    words = {w for n in full for w in re.findall(r"\w[\w'-]*", n) if len(w) > 1 and w not in _NAME_STOP}
    return full | words


def _dominant(scenes: list[dict[str, Any]], key: str) -> str | None:
    share: dict[str, int] = {}
    for s in scenes:
        if s.get(key):
            share[s[key]] = share.get(s[key], 0) + s["end"] - s["start"]
    return max(share, key=share.__getitem__) if share else None


def _pairs(d: dict[str, Any]) -> dict[tuple[str, str], int]:
    """Relationships the analysis detects: who speaks to whom (twice or more), and main characters together."""
    counts: dict[tuple[str, str], int] = {}
    for q in d["quotes"]:
        for to in q.get("addressees") or []:
            if q.get("speaker") and to and to != q["speaker"]:
                pair = tuple(sorted((q["speaker"], to)))
                counts[pair] = counts.get(pair, 0) + 1
    mains = {c["id"]: c for c in d["characters"] if c.get("main")}
    for cid, c in mains.items():
        for other in c.get("co_present") or []:
            if other in mains and other != cid:
                pair = tuple(sorted((cid, other)))
                counts[pair] = counts.get(pair, 0) + 2
    return {p: n for p, n in counts.items() if n >= 2}


class Library:
    """A library file. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True) -> None:
        """Open (or, with ``create``, start) a library. Only the per-user default gets its folders made: a
        path someone typed whose folder is missing is more likely a typo than a wish for new folders."""
        self.path = Path(path).expanduser() if path is not None else default_path()
        if not self.path.exists():
            if not create:
                option = "" if path is None else f" --library {self.path}"
                raise LibraryError(f"no library at {self.path}; add stories first: `ficlens add PATH{option}`")
            if self.path == _per_user_path():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            elif not self.path.parent.is_dir():
                raise LibraryError(f"folder {self.path.parent} does not exist; create it (mkdir -p "
                                   f"{self.path.parent}) or give --library a path in an existing folder")
        try:
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        except sqlite3.DatabaseError as e:
            raise LibraryError(f"cannot open the library ({e}); check the path and its permissions",
                               path=str(self.path)) from None
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            self._init_schema()
        except sqlite3.DatabaseError as e:
            self.db.close()
            if "fts5" in str(e):
                raise LibraryError(
                    f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5 full-text search; "
                    "use a Python built with a standard SQLite (python.org, Debian/Ubuntu, conda)"
                ) from None
            raise LibraryError(f"{self.path} is not a usable ficlens library ({e}); pass another --library") from None
        except LibraryError:
            self.db.close()
            raise

    def _init_schema(self) -> None:
        """Create the schema in a new file; refuse any file whose schema this version does not write exactly.

        The check comes before anything is written, so a library is never touched by a version that
        would misread it.
        """
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and app_id == 0:
            tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise LibraryError(f"{self.path} is an SQLite file but not a ficlens library; pass another --library")
            self.db.execute("PRAGMA journal_mode = WAL")
            try:
                self.db.executescript(
                    f"BEGIN IMMEDIATE; {_SCHEMA}; PRAGMA application_id = {APPLICATION_ID};"
                    f" PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                )
            except sqlite3.OperationalError as e:  # another process created it first
                if "already exists" not in str(e):
                    raise
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                return self._init_schema()
        elif app_id != APPLICATION_ID:
            raise LibraryError(f"{self.path} is an SQLite file but not a ficlens library; pass another --library")
        elif version > SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path} has library schema {version}, newer than this ficlens reads ({SCHEMA_VERSION}); "
                "upgrade ficlens (pip install -U ficlens)"
            )
        elif version < SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path} has library schema {version}, older than this ficlens reads ({SCHEMA_VERSION}); "
                "add your stories to a new library (`ficlens add PATH --library NEW.db`) or use the older ficlens"
            )
        # NORMAL is crash-safe in WAL mode; a larger WAL between checkpoints makes bulk adds ~1.5x faster
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA wal_autocheckpoint = 10000")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside is committed together or not at all."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:  # the first write is where a busy or read-only library shows
            raise LibraryError(f"cannot write to the library ({e}); check its permissions, or wait for the other "
                               "ficlens using it to finish", path=str(self.path)) from None
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- adding ---------------------------------------------------------------------------------

    def has(self, content_hash: str) -> bool:
        return self.db.execute("SELECT 1 FROM works WHERE content_hash = ?", (content_hash,)).fetchone() is not None

    def add(self, p: Prepared) -> int | None:
        """Store one prepared story in one transaction; returns its id, or None when these bytes are stored."""
        d = p.story
        meta = d["metadata"]
        scenes = d["scenes"]
        key = work_key(meta)
        with self.transaction() as db:
            if self.has(p.content_hash):
                return None
            text = p.text
            chapter_count = meta.get("chapter_count") or len(d["chapters"]) or 1
            cur = db.execute(
                "INSERT INTO works (content_hash, work_key, source, format, added, title, authors, summary, rating,"
                " language, words, chapters, complete, source_url, work_id, site, updated, pov, tense, story,"
                " minhash, shingles, fp_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    p.content_hash, key, p.source, meta.get("format"), time.time(), meta.get("title"),
                    json.dumps(meta.get("authors") or []), meta.get("summary"), meta.get("rating"),
                    (meta.get("language") or "").lower() or None, meta.get("words") or p.words, chapter_count,
                    None if meta.get("complete") is None else int(bool(meta["complete"])), meta.get("source_url"),
                    meta.get("work_id"), meta.get("site"), _updated(meta), _dominant(scenes, "person"),
                    _dominant(scenes, "tense"), p.blob, p.minhash,
                    p.shingles, len(p.fingerprints),
                ),
            )
            wid = cur.lastrowid
            tagged = {**meta, "fandoms": meta.get("fandoms") or meta.get("fandoms_detected") or []}
            tag_rows = [
                (wid, kind, v.strip().lower(), v.strip())
                for kind, field in _TAG_FIELDS.items()
                for v in tagged.get(field) or []
                if isinstance(v, str) and v.strip()
            ]
            if meta.get("rating"):
                tag_rows.append((wid, "rating", meta["rating"].strip().lower(), meta["rating"].strip()))
            db.executemany("INSERT INTO tags VALUES (?,?,?,?)", tag_rows)
            fts_meta = "\n".join([meta.get("summary") or "", *(r[3] for r in tag_rows), *meta.get("notes", [])])
            row = (wid, meta.get("title") or "", fts_meta, text)
            db.execute("INSERT INTO texts VALUES (?,?,?,?)", row)
            db.execute("INSERT INTO fts (rowid, title, meta, body) VALUES (?,?,?,?)", row)
            db.executemany(
                "INSERT INTO chapters VALUES (?,?,?,?,?)",
                [(wid, i, c.get("title"), c["start"], c["end"]) for i, c in enumerate(d["chapters"])],
            )
            db.executemany(
                "INSERT INTO scenes VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (wid, i, s["start"], s["end"], s.get("label"), s.get("person"), s.get("narrator"),
                     s.get("focal"), s.get("tense"))
                    for i, s in enumerate(scenes)
                ],
            )
            chars = d["characters"]
            db.executemany(
                "INSERT OR IGNORE INTO characters VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (wid, c["id"], c["name"], (c.get("canon") or c["name"]).lower(), c.get("canon"),
                     json.dumps(c.get("aliases") or []), c.get("pronouns"), c.get("mentions") or 0,
                     int(bool(c.get("main"))))
                    for c in chars
                ],
            )
            db.executemany(
                "INSERT OR IGNORE INTO names VALUES (?,?,?)",
                [(wid, c["id"], n) for c in chars for n in _names_of(c)],
            )
            db.executemany(
                "INSERT INTO quotes VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (wid, i, q["start"], q["end"], q.get("kind"), q.get("speaker"),
                     json.dumps(q.get("addressees") or []), q.get("cue"), q.get("confidence"))
                    for i, q in enumerate(d["quotes"])
                ],
            )
            db.executemany("INSERT INTO pairs VALUES (?,?,?,?)", [(wid, a, b, n) for (a, b), n in _pairs(d).items()])
            db.executemany("INSERT INTO terms VALUES (?,?,?)", [(t, wid, w) for t, w in p.terms.items()])
            db.executemany(
                "INSERT INTO term_df VALUES (?, 1) ON CONFLICT (term) DO UPDATE SET n = n + 1", [(t,) for t in p.terms]
            )
            db.executemany(
                "INSERT INTO fingerprints VALUES (?,?,?)", [(wid, pos, h) for h, pos in p.fingerprints]
            )
            if key:
                self._elect_current(key)
        return wid

    def _elect_current(self, key: str) -> None:
        """Make the newest file of a work current: latest update date, then most chapters, words, latest added."""
        rows = self.db.execute(
            "SELECT id FROM works WHERE work_key = ? ORDER BY coalesce(updated, '') DESC, chapters DESC, words DESC,"
            " added DESC, id DESC",
            (key,),
        ).fetchall()
        if rows:
            self.db.execute("UPDATE works SET current = (id = ?) WHERE work_key = ?", (rows[0][0], key))

    # -- reading --------------------------------------------------------------------------------

    def story(self, wid: int) -> Story:
        """The stored Story of work ``wid`` exactly as it was analysed."""
        row = self.db.execute(
            "SELECT w.story, t.body FROM works w JOIN texts t ON t.work = w.id WHERE w.id = ?", (wid,)
        ).fetchone()
        if row is None:
            raise LibraryError(f"no work with id {wid} in {self.path}; `ficlens search` lists ids")
        d = json.loads(zlib.decompress(row[0]))
        d["text"] = row[1]
        return Story.from_dict(d)

    def work(self, wid: int) -> sqlite3.Row:
        row = self.db.execute("SELECT * FROM works WHERE id = ?", (wid,)).fetchone()
        if row is None:
            raise LibraryError(f"no work with id {wid} in {self.path}; `ficlens search` lists ids")
        return row

    def characters(self, wid: int) -> list[Character]:
        return self.story(wid).characters

    def count(self, current_only: bool = True) -> int:
        where = " WHERE current = 1" if current_only else ""
        return self.db.execute(f"SELECT count(*) FROM works{where}").fetchone()[0]

    # -- maintenance ----------------------------------------------------------------------------

    def remove(self, ids: Iterable[int]) -> int:
        """Delete works in one transaction, all or none; a removed current version hands over to the next newest.

        An id given twice is removed once; an unknown id removes nothing and names every unknown id.
        """
        wanted = list(dict.fromkeys(ids))
        with self.transaction() as db:
            rows = {}
            for wid in wanted:
                rows[wid] = db.execute(
                    "SELECT w.work_key, t.title, t.meta, t.body FROM works w JOIN texts t ON t.work = w.id"
                    " WHERE w.id = ?",
                    (wid,),
                ).fetchone()
            missing = [str(wid) for wid, row in rows.items() if row is None]
            if missing:
                what = f"work with id {missing[0]}" if len(missing) == 1 else f"works with ids {', '.join(missing)}"
                raise LibraryError(f"no {what} in {self.path}; nothing was removed (`ficlens search` lists ids)")
            for wid, row in rows.items():
                db.execute(
                    "INSERT INTO fts (fts, rowid, title, meta, body) VALUES ('delete', ?, ?, ?, ?)",
                    (wid, row[1], row[2], row[3]),
                )
                db.execute(
                    "UPDATE term_df SET n = n - 1 WHERE term IN (SELECT term FROM terms WHERE work = ?)", (wid,)
                )
                db.execute("DELETE FROM works WHERE id = ?", (wid,))
                if row[0]:
                    self._elect_current(row[0])
        return len(wanted)

    def info(self) -> dict[str, Any]:
        q = self.db.execute
        fandoms = q(
            "SELECT t.name, count(*) n FROM tags t JOIN works w ON w.id = t.work WHERE t.kind = 'fandom'"
            " AND w.current GROUP BY t.value ORDER BY n DESC LIMIT 5"
        ).fetchall()
        return {
            "path": str(self.path),
            "schema": SCHEMA_VERSION,
            "works": self.count(),
            "files": self.count(current_only=False),
            "words": q("SELECT coalesce(sum(words), 0) FROM works WHERE current").fetchone()[0],
            "characters": q("SELECT count(*) FROM characters").fetchone()[0],
            "quotes": q("SELECT count(*) FROM quotes").fetchone()[0],
            "fingerprints": q("SELECT count(*) FROM fingerprints").fetchone()[0],
            "top_fandoms": {r[0]: r[1] for r in fandoms},
            "saved_searches": q("SELECT count(*) FROM saved_searches").fetchone()[0],
            "exclusions": q("SELECT count(*) FROM exclusions").fetchone()[0],
            "allowlist": q("SELECT count(*) FROM allowlist").fetchone()[0],
            "bytes": sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*")),
        }

    def check(self) -> list[str]:
        """Problems found in the store (an empty list means consistent)."""
        q = self.db.execute
        problems = [r[0] for r in q("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {tuple(r)}" for r in q("PRAGMA foreign_key_check")]
        for table in CHILD_TABLES:
            n = q(f"SELECT count(*) FROM {table} WHERE work NOT IN (SELECT id FROM works)").fetchone()[0]
            if n:
                problems.append(f"{n} rows of {table} belong to no work")
        n = q("SELECT count(*) FROM works WHERE id NOT IN (SELECT work FROM texts)").fetchone()[0]
        if n:
            problems.append(f"{n} works have no text")
        try:
            q("INSERT INTO fts (fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as e:
            problems.append(f"full-text index does not match the texts ({e}); run `ficlens library check --fix`")
        bad = q(
            "SELECT work_key, sum(current) c FROM works WHERE work_key IS NOT NULL GROUP BY work_key HAVING c != 1"
        ).fetchall()
        problems += [f"work {r[0]!r} has {r[1]} current versions" for r in bad]
        n = q("SELECT count(*) FROM works WHERE work_key IS NULL AND current != 1").fetchone()[0]
        if n:
            problems.append(f"{n} stand-alone works are not current")
        n = q(
            "SELECT count(*) FROM works w WHERE fp_count != (SELECT count(*) FROM fingerprints f WHERE f.work = w.id)"
        ).fetchone()[0]
        if n:
            problems.append(f"{n} works have missing fingerprints")
        n = q(
            "SELECT count(*) FROM (SELECT term, count(*) c FROM terms GROUP BY term) x"
            " LEFT JOIN term_df d USING (term) WHERE d.n IS NOT x.c"
        ).fetchone()[0]
        if n:
            problems.append(f"{n} term counts are wrong; run `ficlens library check --fix`")
        return problems

    def rebuild(self) -> None:
        """Rebuild what can be derived: the full-text index and the term counts."""
        with self.transaction() as db:
            db.execute("INSERT INTO fts (fts) VALUES ('rebuild')")
            db.execute("DELETE FROM term_df")
            db.execute("INSERT INTO term_df SELECT term, count(*) FROM terms GROUP BY term")

    # -- saved searches and exclusions ----------------------------------------------------------

    def save_search(self, name: str, query: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO saved_searches VALUES (?,?,?)", (name, json.dumps(query), time.time()))

    def saved_search(self, name: str) -> dict[str, Any]:
        row = self.db.execute("SELECT query FROM saved_searches WHERE name = ?", (name,)).fetchone()
        if row is None:
            known = ", ".join(self.saved_searches()) or "none yet"
            raise LibraryError(f"no saved search {name!r} (saved: {known}); save one with `ficlens search ... --save`")
        return json.loads(row[0])

    def saved_searches(self) -> dict[str, dict[str, Any]]:
        rows = self.db.execute("SELECT name, query FROM saved_searches ORDER BY name")
        return {r[0]: json.loads(r[1]) for r in rows}

    def delete_search(self, name: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount > 0

    def exclusions(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.execute("SELECT field, value FROM exclusions ORDER BY field, value")]

    def set_exclusion(self, field: str, value: str, on: bool = True) -> None:
        from ficlens.library.search import FILTERS

        if field not in FILTERS:
            raise LibraryError(f"cannot exclude by {field!r}; fields: {', '.join(sorted(FILTERS))}")
        with self.transaction() as db:
            if on:
                db.execute("INSERT OR IGNORE INTO exclusions VALUES (?,?)", (field, value))
            else:
                db.execute("DELETE FROM exclusions WHERE field = ? AND value = ?", (field, value))


def _updated(meta: dict[str, Any]) -> str | None:
    for k in ("updated", "date_updated", "completed", "published", "date_published"):
        if meta.get(k):
            return str(meta[k])
    return None
