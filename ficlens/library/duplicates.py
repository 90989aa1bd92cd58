"""Duplicates, versions and reused passages, from what ``add`` stored (MinHash and winnowed fingerprints).

- near-duplicates: MinHash LSH (42 bands of 3 rows) over word 3-gram shingles of the prose (notes,
  disclaimers and site boilerplate are not prose), confirmed by the estimated Jaccard similarity;
- versions: a work whose fingerprints lie mostly inside a larger one (a WIP snapshot of a later file);
- passage reuse: fingerprints two works share, chained along a diagonal, grown at both ends across
  small edits (difflib alignment) and merged, so every reported passage has offsets into both texts
  and a similarity.

Fingerprints found in the allow-list (canon quotations, song lyrics) or in too many works (stock
phrases) are not evidence of copying.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from ficlens.library import features
from ficlens.library.features import K, W
from ficlens.library.store import Library, display_name

BAND_ROWS = 3
MIN_SHARED = 3  # fingerprints two works must share before they are compared
#: A fingerprint shared by more works than this is a stock phrase, not evidence.
MAX_SHARED = 50
NEAR_DUPLICATE = 0.45  # estimated Jaccard of 3-gram shingles (a copy with 10% of words edited scores ~0.57)
CONTAINED = 0.8  # share of the smaller work's informative fingerprints found in the larger one
VERSION_RATIO = 0.9  # a version is at most this share of the other's size; closer sizes are near-duplicates
MIN_SIMILARITY = 0.8  # aligned words alike in a reported passage (stock phrases chained by chance score ~0.5)
GAP = 40  # words between two shared fingerprints of one passage
DRIFT = 12  # words inserted or deleted between them


@dataclass
class Passage:
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int  # in a
    b_words: int
    similarity: float
    a_text: str
    b_text: str


@dataclass
class Pair:
    a: int
    b: int
    kind: str  # near-duplicate | version | passage
    jaccard: float
    containment: float  # share of the smaller work inside the larger one
    coverage_a: float = 0.0  # share of a's words in reused passages
    coverage_b: float = 0.0
    titles: tuple[str | None, str | None] = (None, None)
    passages: list[Passage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def allow(lib: Library, text: str, source: str) -> int:
    """Add a canon quotation or lyric to the allow-list: its shared words are never reported as reuse."""
    words = [m.group().lower().replace("\u2019", "'") for m in features.WORD.finditer(text)]
    hashes = set(features.kgram_hashes(words, K))
    with lib.transaction() as db:
        db.executemany("INSERT OR IGNORE INTO allowlist VALUES (?,?)", [(h, source) for h in hashes])
    return len(hashes)


def _lsh_pairs(sigs: dict[int, bytes]) -> set[tuple[int, int]]:
    width = BAND_ROWS * 8
    bands = features.PERMS // BAND_ROWS
    out: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        for wid, sig in sigs.items():
            buckets[sig[band * width : (band + 1) * width]].append(wid)
        for ids in buckets.values():
            if 1 < len(ids) <= MAX_SHARED:
                out.update((x, y) for i, x in enumerate(ids) for y in ids[i + 1 :])
    return out


@dataclass
class _Shared:
    """Fingerprints works share: positions per pair, and each work's count of informative fingerprints."""

    matches: dict[tuple[int, int], list[tuple[int, int]]]
    informative: dict[int, int]


def _shared_fingerprints(lib: Library, work: int | None) -> _Shared:
    """(a, b) -> [(position in a, position in b)] for fingerprints both hold (allow-listed and stock ones left out).

    A fingerprint is informative when it is not allow-listed and at most ``MAX_SHARED`` works hold it;
    containment is measured over informative fingerprints only, so stock phrases do not dilute it.
    One pass over the fingerprints in hash order (they are stored in work order, so adding stays fast).
    """
    sql = "SELECT hash, work, pos FROM fingerprints WHERE hash NOT IN (SELECT hash FROM allowlist) ORDER BY hash"
    matches: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    informative: dict[int, int] = defaultdict(int)
    group: list[tuple[int, int]] = []
    last = None

    def flush() -> None:
        works = {w for w, _ in group}
        if len(works) > MAX_SHARED:
            return
        for w in works:
            informative[w] += 1
        if len(works) > 1 and (work is None or work in works):
            for i, (wa, pa) in enumerate(group):
                for wb, pb in group[i + 1 :]:
                    if wa < wb:
                        matches[(wa, wb)].append((pa, pb))
                    elif wb < wa:
                        matches[(wb, wa)].append((pb, pa))

    for h, w, pos in lib.db.execute(sql):
        if h != last:
            flush()
            group, last = [], h
        group.append((w, pos))
    flush()
    if work is not None:
        matches = defaultdict(list, {k: v for k, v in matches.items() if work in k})
    return _Shared(matches, informative)


def _chains(matches: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Shared fingerprints grouped into runs along one diagonal (a copied passage, with small edits)."""
    chains: list[list[tuple[int, int]]] = []
    for pa, pb in sorted(matches):
        for ch in chains:
            la, lb = ch[-1]
            if 0 < pa - la <= GAP and 0 < pb - lb and abs((pb - pa) - (lb - la)) <= DRIFT:
                ch.append((pa, pb))
                break
        else:
            chains.append([(pa, pb)])
    return [c for c in chains if len(c) >= 2]


EDIT_GAP = 3  # words changed, inserted or deleted in a row that a passage still spans
_WINDOW = 40


def _grow(wa: list[str], wb: list[str]) -> tuple[int, int]:
    """How many words of ``wa`` and ``wb`` (read from their start) still align, across small edits.

    Aligned stretches of two words or more (difflib's matching blocks) are followed while the words
    skipped between them are at most ``EDIT_GAP`` on each side.
    """
    ea = eb = 0
    while True:
        blocks = difflib.SequenceMatcher(None, wa[ea : ea + _WINDOW], wb[eb : eb + _WINDOW], autojunk=False)
        da = db = 0
        for blk in blocks.get_matching_blocks():
            if blk.a - da > EDIT_GAP or blk.b - db > EDIT_GAP:
                break
            if blk.size >= 2:  # a lone word in common is chance, not alignment
                da, db = blk.a + blk.size, blk.b + blk.size
        if not da:
            return ea, eb
        ea, eb = ea + da, eb + db
        if da < _WINDOW - EDIT_GAP:
            return ea, eb


def _extend(wa: list[str], wb: list[str], a0: int, a1: int, b0: int, b1: int) -> tuple[int, int, int, int]:
    """Grow a passage at both ends while both sides agree, stepping over small edits."""
    fa, fb = _grow(wa[a1:], wb[b1:])
    ba, bb = _grow(wa[:a0][::-1], wb[:b0][::-1])
    return a0 - ba, a1 + fa, b0 - bb, b1 + fb


def _merge(spans: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Join passages that overlap or nearly touch on both sides (one passage split by an edited stretch)."""
    out: list[tuple[int, int, int, int]] = []
    for a0, a1, b0, b1 in sorted(spans):
        if out and a0 <= out[-1][1] + GAP and out[-1][2] - DRIFT <= b0 <= out[-1][3] + GAP:
            p = out[-1]
            out[-1] = (p[0], max(p[1], a1), min(p[2], b0), max(p[3], b1))
        else:
            out.append((a0, a1, b0, b1))
    return out


def passages(
    lib: Library, a: int, b: int, matches: list[tuple[int, int]], min_words: int
) -> tuple[list[Passage], int, int]:
    """Aligned reused passages of at least ``min_words`` words between works ``a`` and ``b``, and their lengths."""
    chains = _chains(matches)
    if not any(c[-1][0] + K - c[0][0] >= min_words // 2 for c in chains):  # nothing long enough to grow into one
        return [], 0, 0
    sa, sb = lib.story(a), lib.story(b)
    ta, tb = features.tokens(sa), features.tokens(sb)
    wa, wb = [t.word for t in ta], [t.word for t in tb]
    spans = _merge(
        [_extend(wa, wb, c[0][0], min(c[-1][0] + K, len(ta)), c[0][1], min(c[-1][1] + K, len(tb))) for c in chains]
    )
    out: list[Passage] = []
    for a0, a1, b0, b1 in spans:
        if a1 - a0 < min_words:
            continue
        sim = difflib.SequenceMatcher(None, wa[a0:a1], wb[b0:b1], autojunk=False).ratio()
        if sim < MIN_SIMILARITY:
            continue
        s = (ta[a0].start, ta[a1 - 1].end, tb[b0].start, tb[b1 - 1].end)
        excerpts = _excerpt(sa.text[s[0] : s[1]]), _excerpt(sb.text[s[2] : s[3]])
        out.append(Passage(*s, a1 - a0, b1 - b0, round(sim, 3), *excerpts))
    return out, len(ta), len(tb)


def _excerpt(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words) if len(words) <= 2 * n else " ".join(words[:n]) + " … " + " ".join(words[-n:])


def find(
    lib: Library, *, work: int | None = None, min_words: int = 50, threshold: float = NEAR_DUPLICATE
) -> list[Pair]:
    """Every near-duplicate, version and passage-reuse pair in the library (or involving ``work``)."""
    rows = {r["id"]: r for r in lib.db.execute("SELECT id, minhash, fp_count, title, source FROM works")}
    sigs = {wid: r["minhash"] for wid, r in rows.items()}
    candidates = _lsh_pairs(sigs)
    if work is not None:
        candidates = {p for p in candidates if work in p}
    shared = _shared_fingerprints(lib, work)
    out: list[Pair] = []
    # a pair sharing one or two fingerprints has nothing to report; most such pairs are chance
    evidence = {pair for pair, m in shared.matches.items() if len(m) >= MIN_SHARED}
    for a, b in sorted(candidates | evidence):
        ra, rb = rows[a], rows[b]
        jac = features.jaccard(ra["minhash"], rb["minhash"])
        m = shared.matches.get((a, b), [])
        na, nb = shared.informative.get(a, 0) or 1, shared.informative.get(b, 0) or 1
        small_is_a = na <= nb
        inside = {pa if small_is_a else pb for pa, pb in m}
        contained = min(1.0, len(inside) / min(na, nb))
        # a snapshot starts where the work starts: its shared fingerprints begin in its first words
        from_start = bool(inside) and min(inside) <= 0.15 * max(max(inside), 1) + W
        titles = (display_name(ra["title"], ra["source"]), display_name(rb["title"], rb["source"]))
        sizes = sorted((ra["fp_count"] or 1, rb["fp_count"] or 1))  # proportional to the prose's length
        if contained >= CONTAINED and sizes[0] / sizes[1] <= VERSION_RATIO and from_start:
            out.append(Pair(a, b, "version", round(jac, 3), round(contained, 3), titles=titles))
        elif jac >= threshold:
            out.append(Pair(a, b, "near-duplicate", round(jac, 3), round(contained, 3), titles=titles))
        elif m:
            found, la, lb = passages(lib, a, b, m, min_words)
            if found:
                cov_a = sum(p.words for p in found) / max(la, 1)
                cov_b = sum(p.b_words for p in found) / max(lb, 1)
                out.append(Pair(a, b, "passage", round(jac, 3), round(contained, 3), round(min(cov_a, 1.0), 3),
                                round(min(cov_b, 1.0), 3), titles, found))
    order = {"near-duplicate": 0, "version": 1, "passage": 2}
    out.sort(key=lambda p: (order[p.kind], -p.jaccard, -p.containment, p.a, p.b))
    return out
