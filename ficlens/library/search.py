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


#: GLOB class for "not part of a word": anything but a digit or letter (every non-ASCII character counts as a letter).
_NOT_WORD = "[^0-9a-z\u0080-\U0010ffff]"


def _whole_words(v: str) -> tuple[str]:
    """A GLOB pattern matching ``v`` as whole words of a space-padded value: 'ann' finds 'mary ann', 'ann_b' and
    'ann (annwrites)', never 'joanna' or 'annabel'."""
    literal = re.sub(r"([*?[])", r"[\1]", " ".join(v.split()))
    return (f"*{_NOT_WORD}{literal}{_NOT_WORD}*",)


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
    "author": (
        "EXISTS (SELECT 1 FROM tags t WHERE t.work = w.id AND t.kind = 'author' AND ' ' || t.value || ' ' GLOB ?)",
        _whole_words,
    ),
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


#: Typographic double quotes, as pasted from a web page or a word processor, mean what " means.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})
_TOKEN = re.compile(r'"[^"]*"\*?|[(),]|[^\s(),"]+')
_OPS = ("AND", "OR", "NOT")
_INFIX_NEAR = re.compile(r"NEAR(?:/(\d+))?")
_SYNTAX = 'words, "a phrase", prefix*, AND / OR / NOT, (groups), -word, NEAR(Lily James, 5)'


def fts_query(text: str) -> str:
    """User syntax -> FTS5 (the syntax is ``_SYNTAX``; docs/library.md has examples).

    Every word and phrase is quoted for FTS5, so punctuation never becomes syntax (``Lily's``, ``A/B``).
    ``-word`` excludes within its group; ``Lily NEAR James`` and ``Lily NEAR/5 James`` are FTS4-style
    spellings of ``NEAR(Lily James, 5)``; ``near(`` in lower case counts too, since the parenthesis
    right after it says what was meant.
    """
    text = text.translate(_QUOTES)
    if text.count('"') % 2:
        raise LibraryError(f'unbalanced quote in search {text!r}; close the phrase with another "')
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    stack: list[tuple[list[str], list[str]]] = [([], [])]  # (terms, excluded terms) of each open group
    i = 0
    while i < len(tokens):
        tok, _, end = tokens[i]
        nxt, nxt_start = tokens[i + 1][:2] if i + 1 < len(tokens) else ("", -1)
        terms, negatives = stack[-1]
        if tok.upper() == "NEAR" and nxt == "(" and nxt_start == end:
            close = next((j for j in range(i + 2, len(tokens)) if tokens[j][0] == ")"), None)
            if close is None:
                raise LibraryError(f"unbalanced parentheses in search {text!r}")
            terms.append(_near([t for t, _, _ in tokens[i + 2 : close]], text))
            i = close + 1
            continue
        if tok == "(":
            stack.append(([], []))
        elif tok == ")":
            if len(stack) == 1:
                raise LibraryError(f"unbalanced parentheses in search {text!r}")
            stack.pop()
            stack[-1][0].append(f"({_group(terms, negatives, text)})")
        elif tok in _OPS or _INFIX_NEAR.fullmatch(tok):
            terms.append(tok)
        elif tok == "-" and nxt.startswith('"') and nxt_start == end:  # -"a phrase"
            negatives.append(nxt)
            i += 1
        elif tok.startswith("-") and re.search(r"\w", tok):
            negatives.append(_term(tok[1:]))
        elif re.search(r"\w", tok):  # '*', '""' or a lone comma would match nothing, silently
            terms.append(_term(tok))
        i += 1
    if len(stack) > 1:
        raise LibraryError(f"unbalanced parentheses in search {text!r}")
    return _group(*stack[0], text)


def _group(terms: list[str], negatives: list[str], text: str) -> str:
    """One level of a query: infix NEAR folded into NEAR groups, operators checked, exclusions added."""
    out: list[str] = []
    for i, t in enumerate(terms):
        prev = out[-1] if out else ""
        if i > 0 and _INFIX_NEAR.fullmatch(terms[i - 1]):
            continue  # the right-hand side of NEAR, already taken
        m = _INFIX_NEAR.fullmatch(t)
        if m is None:
            out.append(t)
            continue
        right = terms[i + 1] if i + 1 < len(terms) else ""
        if not (prev.startswith(('"', "NEAR(")) and right.startswith('"')):
            raise LibraryError(f"NEAR joins two words or phrases ('Lily NEAR James', 'NEAR(Lily James, 5)'): {text!r}")
        phrases = prev[5:].rsplit(",", 1)[0].rstrip(")") if prev.startswith("NEAR(") else prev
        out[-1] = f"NEAR({phrases} {right}, {m.group(1) or 10})"
    ops = [i for i, t in enumerate(out) if t in _OPS]
    if ops and (ops[0] == 0 or ops[-1] == len(out) - 1 or any(b - a == 1 for a, b in zip(ops, ops[1:], strict=False))):
        raise LibraryError(f"AND, OR and NOT join two words ('Lily NOT James'; '-James' excludes too): {text!r}")
    if not out:
        besides = " besides the excluded ones" if negatives else ""
        raise LibraryError(f"a full-text search needs a word to look for{besides}: {text!r}")
    # explicit AND between neighbours: FTS5 has no implicit AND before a parenthesis ('Lily (James OR Harry)')
    query = " ".join(f"AND {t}" if i and t not in _OPS and out[i - 1] not in _OPS else t for i, t in enumerate(out))
    return f"({query}) NOT " + " NOT ".join(negatives) if negatives else query


def _near(tokens: list[str], text: str) -> str:
    """``NEAR(a "b c", 5)`` from the tokens between its parentheses; the distance defaults to FTS5's 10."""
    distance = "10"
    if len(tokens) >= 2 and tokens[-2] == "," and tokens[-1].isdigit():
        distance, tokens = tokens[-1], tokens[:-2]
    if any(t in _OPS or t in ("(", ",") or t.startswith("-") for t in tokens) or len(tokens) < 2:
        raise LibraryError(f"NEAR takes two or more words or \"phrases\" and an optional distance, "
                           f"e.g. NEAR(Lily James, 5); got {text!r}")
    return f"NEAR({' '.join(map(_term, tokens))}, {distance})"


def _term(word: str) -> str:
    """A word (``prefix*`` kept) or an already quoted phrase, quoted for FTS5."""
    if word.startswith('"'):
        return word
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
