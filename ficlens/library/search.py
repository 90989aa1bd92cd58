"""Search the library: full text (FTS5, BM25) over the stories themselves, plus filters on what they say.

A ``Query`` is plain data (it is what saved searches store). Every filter can be included or
excluded; several values of one filter must all match (``--character Lily --character James``),
and an excluded value drops every work where it matches. Names match a character's full name,
an alias, the canon name or any single word of them, case-insensitively.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

from ficlens.errors import LibraryError
from ficlens.library.store import Library

_RATINGS = {"g": "general audiences", "t": "teen and up audiences", "m": "mature", "e": "explicit", "nr": "not rated"}
_PERSONS = {"1": "first", "1st": "first", "2": "second", "2nd": "second", "3": "third", "3rd": "third"}


def _tag(kind: str | None) -> str:
    kind_sql = f"t.kind = '{kind}' AND " if kind else ""
    return (
        f"EXISTS (SELECT 1 FROM tags t WHERE t.work = w.id AND {kind_sql}"
        "(t.value = ? OR t.value LIKE ? ESCAPE '\\'))"
    )


def _escape_like(v: str) -> str:
    return re.sub(r"([%_\\])", r"\\\1", v)


def _prefix(v: str) -> tuple[str, str]:
    """A tag matches itself exactly or as the first words of a longer tag ('harry potter' -> 'harry potter - j. k.')."""
    return v, _escape_like(v) + " %"


def _named(join: str, extra: str = "") -> str:
    return f"EXISTS (SELECT 1 FROM names n {join} WHERE n.work = w.id AND n.name = ?{extra})"


def _relationship(v: str) -> tuple[str, ...]:
    people = [p.strip() for p in re.split(r"\s*(?:/|&| x )\s*", v) if p.strip()] or [v]
    x, y = people[0], people[1] if len(people) > 1 else ""
    like = [f"%{_escape_like(p)}%" for p in (x, y)]
    return (*like, x, y, y, y, x, x)


#: filter name -> (SQL condition on works ``w`` with ``?`` placeholders, value -> parameters)
FILTERS: dict[str, tuple[str, Any]] = {
    "fandom": (_tag("fandom"), _prefix),
    "rating": (_tag("rating"), lambda v: _prefix(_RATINGS.get(v, v))),
    "warning": (_tag("warning"), _prefix),
    "category": (_tag("category"), _prefix),
    "tag": (_tag(None), _prefix),
    "author": (_tag("author"), _prefix),
    "language": (
        "(coalesce(w.language, '') = ? OR coalesce(w.language, '') LIKE ? ESCAPE '\\')",
        lambda v: (v, _escape_like(v) + "%"),
    ),
    "character": (f"({_named('')} OR {_tag('character')})", lambda v: (v, *_prefix(v))),
    "main": (
        _named("JOIN characters c ON c.work = n.work AND c.char_id = n.char_id", " AND c.main = 1"),
        lambda v: (v,),
    ),
    "speaker": (_named("JOIN quotes q ON q.work = n.work AND q.speaker = n.char_id"), lambda v: (v,)),
    "narrator": (_named("JOIN scenes s ON s.work = n.work AND s.narrator = n.char_id"), lambda v: (v,)),
    "focal": (_named("JOIN scenes s ON s.work = n.work AND s.focal = n.char_id"), lambda v: (v,)),
    "pov": ("EXISTS (SELECT 1 FROM scenes s WHERE s.work = w.id AND s.person = ?)", lambda v: (_PERSONS.get(v, v),)),
    "tense": ("EXISTS (SELECT 1 FROM scenes s WHERE s.work = w.id AND s.tense = ?)", lambda v: (v,)),
    "relationship": (
        "(EXISTS (SELECT 1 FROM tags t WHERE t.work = w.id AND t.kind = 'relationship'"
        " AND t.value LIKE ? ESCAPE '\\' AND t.value LIKE ? ESCAPE '\\')"
        " OR EXISTS (SELECT 1 FROM pairs p JOIN names na ON na.work = p.work AND na.char_id = p.a"
        " JOIN names nb ON nb.work = p.work AND nb.char_id = p.b WHERE p.work = w.id"
        " AND ((na.name = ? AND (nb.name = ? OR ? = '')) OR (nb.name = ? AND (na.name = ? OR ? = '')))))",
        _relationship,
    ),
}
SORTS = {
    "relevance": "bm25(fts, 5.0, 2.0, 1.0), w.id",
    "newest": "w.added DESC, w.id DESC",
    "oldest": "w.added, w.id",
    "updated": "coalesce(w.updated, '') DESC, w.id DESC",
    "longest": "w.words DESC, w.id",
    "shortest": "w.words, w.id",
    "title": "lower(coalesce(w.title, '')), w.id",
    "chapters": "w.chapters DESC, w.id",
}


@dataclass
class Query:
    """A search: full text plus filters; plain data, so it can be saved and loaded as JSON."""

    text: str | None = None
    include: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    min_words: int | None = None
    max_words: int | None = None
    min_chapters: int | None = None
    max_chapters: int | None = None
    complete: bool | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = 20
    all_versions: bool = False
    use_exclusions: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Query:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def merged(self, other: Query) -> Query:
        """This query with ``other``'s text, filters and settings added (``other`` wins on conflicts)."""
        base = self.to_dict()
        extra = other.to_dict()
        default = Query().to_dict()
        for key in ("include", "exclude"):
            for f, vals in extra[key].items():
                base[key][f] = [*base[key].get(f, []), *vals]
        for key, v in extra.items():
            if key not in ("include", "exclude") and v != default[key]:
                base[key] = v
        return Query.from_dict(base)


@dataclass
class Hit:
    id: int
    title: str | None
    authors: list[str]
    fandoms: list[str]
    rating: str | None
    words: int
    chapters: int
    complete: bool | None
    pov: str | None
    score: float | None
    snippet: str | None
    source: str | None


@dataclass
class Results:
    total: int
    page: int
    per_page: int
    hits: list[Hit]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fts_query(text: str) -> str:
    """User syntax -> FTS5: words, "phrases", prefix*, AND/OR/NOT, (groups), -word; other characters are quoted."""
    if text.count('"') % 2:
        raise LibraryError(f'unbalanced quote in search {text!r}; close the phrase with another "')
    out: list[str] = []
    negative: list[str] = []
    depth = 0
    for tok in re.findall(r'"[^"]*"\*?|[()]|[^\s()"]+', text):
        if tok in ("(", ")"):
            depth += 1 if tok == "(" else -1
            out.append(tok)
        elif tok in ("AND", "OR", "NOT"):
            out.append(tok)
        elif tok.startswith("-") and len(tok) > 1 and depth == 0:
            negative.append(_term(tok[1:]))
        else:
            out.append(tok if tok.startswith('"') else _term(tok))
    if not out and negative:
        raise LibraryError("a full-text search needs a word to look for besides the excluded ones")
    if depth:
        raise LibraryError(f"unbalanced parentheses in search {text!r}")
    ops = [i for i, t in enumerate(out) if t in ("AND", "OR", "NOT")]
    if ops and (ops[0] == 0 or ops[-1] == len(out) - 1 or any(b - a == 1 for a, b in zip(ops, ops[1:], strict=False))):
        raise LibraryError(f"AND, OR and NOT join two words ('Lily NOT James'; '-James' excludes too): {text!r}")
    query = " ".join(out)
    if negative:
        query = f"({query}) NOT " + " NOT ".join(negative)
    return query


def _term(word: str) -> str:
    prefix = word.endswith("*") and len(word) > 1
    word = word.rstrip("*") if prefix else word
    return '"' + word.replace('"', '""') + '"' + ("*" if prefix else "")


def build_sql(query: Query, exclusions: list[tuple[str, str]] = ()) -> tuple[str, list[Any]]:
    """The SQL that lists the ids of matching works in order (shown by ``ficlens search --sql``)."""
    where: list[str] = [] if query.all_versions else ["w.current = 1"]
    params: list[Any] = []
    excluded = {f: list(vs) for f, vs in query.exclude.items()}
    if query.use_exclusions:
        for f, v in exclusions:
            excluded.setdefault(f, []).append(v)
    for neg, filters in ((False, query.include), (True, excluded)):
        for name, values in filters.items():
            if name not in FILTERS:
                raise LibraryError(f"unknown search filter {name!r}; filters: {', '.join(sorted(FILTERS))}")
            sql, make = FILTERS[name]
            for v in values:
                where.append(f"NOT {sql}" if neg else sql)
                params.extend(make(v.strip().lower()))
    for col, lo, hi in (("words", query.min_words, query.max_words), ("chapters", query.min_chapters,
                                                                      query.max_chapters)):
        if lo is not None:
            where.append(f"w.{col} >= ?")
            params.append(lo)
        if hi is not None:
            where.append(f"w.{col} <= ?")
            params.append(hi)
    if query.complete is not None:
        where.append("w.complete = ?")
        params.append(int(query.complete))
    sort = query.sort or ("relevance" if query.text else "newest")
    if sort not in SORTS:
        raise LibraryError(f"unknown sort {sort!r}; sorts: {', '.join(SORTS)}")
    if query.text:
        source = "fts JOIN works w ON w.id = fts.rowid"
        where.insert(0, "fts MATCH ?")
        params.insert(0, fts_query(query.text))
        score = "bm25(fts, 5.0, 2.0, 1.0)"
    else:
        if sort == "relevance":
            sort = "newest"
        source, score = "works w", "NULL"
    sql = f"SELECT w.id, {score} FROM {source} WHERE {' AND '.join(where) or '1'} ORDER BY {SORTS[sort]}"
    return sql, params


def search(lib: Library, query: Query) -> Results:
    """Works matching ``query``, one page of them, best first."""
    sql, params = build_sql(query, lib.exclusions())
    try:
        rows = lib.db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as e:
        if "fts5" in str(e) or "syntax" in str(e):
            raise LibraryError(
                f"cannot parse full-text search {query.text!r} ({e}); quote phrases with \"...\" "
                "and use AND, OR, NOT in capitals"
            ) from None
        raise
    per_page = max(1, query.per_page)
    page_rows = rows[(max(1, query.page) - 1) * per_page :][:per_page]
    ids = [r[0] for r in page_rows]
    return Results(len(rows), query.page, per_page, hits(lib, ids, {r[0]: r[1] for r in page_rows}, query.text))


def hits(lib: Library, ids: list[int], scores: dict[int, float | None], text: str | None = None) -> list[Hit]:
    """Display rows for works ``ids`` in that order, with a text snippet when a full-text search is given."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    snippets: dict[int, str] = {}
    if text:
        snippets = dict(
            lib.db.execute(
                "SELECT rowid, snippet(fts, -1, '**', '**', '…', 16) FROM fts"
                f" WHERE fts MATCH ? AND rowid IN ({marks})",
                [fts_query(text), *ids],
            ).fetchall()
        )
    fandoms: dict[int, list[str]] = {}
    for wid, name in lib.db.execute(
        f"SELECT work, name FROM tags WHERE kind = 'fandom' AND work IN ({marks})", ids
    ):
        fandoms.setdefault(wid, []).append(name)
    rows = {r["id"]: r for r in lib.db.execute(f"SELECT * FROM works WHERE id IN ({marks})", ids)}
    return [
        Hit(
            wid, rows[wid]["title"], json.loads(rows[wid]["authors"]), fandoms.get(wid, []), rows[wid]["rating"],
            rows[wid]["words"], rows[wid]["chapters"],
            None if rows[wid]["complete"] is None else bool(rows[wid]["complete"]), rows[wid]["pov"],
            None if scores.get(wid) is None else round(-scores[wid], 3),
            " ".join(snippets[wid].split()) if wid in snippets else None, rows[wid]["source"],
        )
        for wid in ids
    ]
