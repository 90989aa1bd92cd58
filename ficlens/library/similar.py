"""Stories like this one: TF-IDF over content words, then shared cast, relationships, fandom and POV.

Pure Python over the ``terms`` index (no numpy): the query work's most distinctive words pick the
candidates through their posting lists, and a small re-ranking adds what fans mean by "like this":
the same people, the same pairing, the same kind of narration. Each result says why it was chosen.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from ficlens.library.store import Library, display_name

#: Query words used to find candidates, and how many candidates are re-ranked.
QUERY_TERMS = 40
CANDIDATES = 200
WEIGHTS = {"text": 0.55, "cast": 0.25, "relationships": 0.1, "fandom": 0.05, "pov": 0.05}


@dataclass
class Match:
    id: int
    title: str | None
    score: float
    reasons: list[str]
    parts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _marks(xs: list[Any]) -> str:
    return ",".join("?" * len(xs))


def text_scores(lib: Library, wid: int) -> tuple[dict[int, float], dict[int, list[str]]]:
    """Cosine-like TF-IDF scores of the works sharing most distinctive words with ``wid``, and the top shared words."""
    db = lib.db
    mine = dict(db.execute("SELECT term, weight FROM terms WHERE work = ?", (wid,)).fetchall())
    if not mine:
        return {}, {}
    n = db.execute("SELECT count(*) FROM works").fetchone()[0]
    terms = list(mine)
    df = dict(db.execute(f"SELECT term, n FROM term_df WHERE term IN ({_marks(terms)})", terms))
    common = max(0.3 * n, 100)  # words in more works than this cost time and say little
    idf = {t: math.log((n + 1) / (df.get(t, 1) + 0.5)) for t in terms if 1 < df.get(t, 1) <= common}
    query = sorted(idf, key=lambda t: mine[t] * idf[t], reverse=True)[:QUERY_TERMS]
    q = {t: mine[t] * idf[t] ** 2 for t in query}
    norm = sum(mine[t] ** 2 * idf[t] ** 2 for t in query) or 1.0
    if not query:
        return {}, {}
    # the scoring runs inside SQLite: posting lists of common words can hold thousands of works
    values = ",".join("(?, ?)" for _ in query)
    rows = db.execute(
        f"WITH q(term, w) AS (VALUES {values}) SELECT t.work, sum(t.weight * q.w) s"
        " FROM terms t JOIN q ON t.term = q.term WHERE t.work != ? GROUP BY t.work ORDER BY s DESC LIMIT ?",
        [*(x for t in query for x in (t, q[t])), wid, CANDIDATES],
    ).fetchall()
    scores = {w: min(1.0, sc / norm) for w, sc in rows}
    shared: dict[int, list[tuple[float, str]]] = {}
    if scores:
        for other, term, weight in db.execute(
            f"SELECT work, term, weight FROM terms WHERE work IN ({_marks(list(scores))})"
            f" AND term IN ({_marks(query)})",
            [*scores, *query],
        ):
            shared.setdefault(other, []).append((q[term] * weight, term))
    return scores, {w: [t for _, t in sorted(s, reverse=True)[:5]] for w, s in shared.items()}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _profile(lib: Library, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Cast (main characters, else everyone), relationships (tagged and detected), fandoms and POV per work."""
    db = lib.db
    prof: dict[int, dict[str, Any]] = {
        r["id"]: {"title": display_name(r["title"], r["source"]), "key": r["work_key"], "current": r["current"],
                  "pov": (r["pov"], r["tense"]), "cast": {}, "all": {}, "rels": set(), "fandoms": set()}
        for r in db.execute(
            f"SELECT id, title, source, work_key, current, pov, tense FROM works WHERE id IN ({_marks(ids)})", ids
        )
    }
    ids = list(prof)
    for w, cid, key, name, main in db.execute(
        f"SELECT work, char_id, key, name, main FROM characters WHERE work IN ({_marks(ids)})", ids
    ):
        prof[w]["all"][cid] = (key, name)
        if main:
            prof[w]["cast"][cid] = (key, name)
    for w, a, b in db.execute(f"SELECT work, a, b FROM pairs WHERE work IN ({_marks(ids)})", ids):
        chars = prof[w]["all"]
        if a in chars and b in chars:
            prof[w]["rels"].add("/".join(sorted((chars[a][1], chars[b][1]))))
    for w, kind, name in db.execute(
        f"SELECT work, kind, name FROM tags WHERE kind IN ('relationship', 'fandom') AND work IN ({_marks(ids)})",
        ids,
    ):
        if kind == "fandom":
            prof[w]["fandoms"].add(name)
        else:
            prof[w]["rels"].add("/".join(sorted(p.strip() for p in name.replace("&", "/").split("/"))))
    for p in prof.values():
        p["cast"] = {key: name for key, name in (p["cast"] or p["all"]).values()}
    return prof


def similar(lib: Library, wid: int, limit: int = 10, *, versions: bool = False) -> list[Match]:
    """The ``limit`` works most like ``wid``, best first, each with its reasons (other versions of it left out)."""
    lib.work(wid)  # a clear error for an unknown id
    text, words = text_scores(lib, wid)
    pool = sorted(text, key=text.__getitem__, reverse=True)[:CANDIDATES]
    prof = _profile(lib, [wid, *pool])
    me = prof[wid]
    out: list[Match] = []
    for other in pool:
        p = prof.get(other)
        if p is None or (not versions and (not p["current"] or (me["key"] and p["key"] == me["key"]))):
            continue
        cast = set(me["cast"]) & set(p["cast"])
        rels = me["rels"] & p["rels"]
        fandoms = me["fandoms"] & p["fandoms"]
        parts = {
            "text": text[other],
            "cast": _jaccard(set(me["cast"]), set(p["cast"])),
            "relationships": _jaccard(me["rels"], p["rels"]),
            "fandom": 1.0 if fandoms else 0.0,
            "pov": 1.0 if me["pov"][0] and me["pov"] == p["pov"] else 0.0,
        }
        reasons = [f"shared words: {', '.join(words[other])}"]
        if cast:
            reasons.append("same cast: " + ", ".join(sorted(me["cast"][k] for k in cast)))
        if rels:
            reasons.append("same relationships: " + ", ".join(sorted(rels)))
        if fandoms:
            reasons.append("same fandom: " + ", ".join(sorted(fandoms)))
        if parts["pov"]:
            reasons.append(f"same narration: {me['pov'][0]} person" + (f", {me['pov'][1]}" if me["pov"][1] else ""))
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        out.append(Match(other, p["title"], round(score, 4), reasons, {k: round(v, 3) for k, v in parts.items()}))
    out.sort(key=lambda m: (-m.score, m.id))
    return out[:limit]
