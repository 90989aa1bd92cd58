"""What the library keeps about a story's words: prose tokens, content terms, MinHash and fingerprints.

Everything here is computed once per story when it is added (in a worker process) and stored, so
``search``, ``similar`` and ``duplicates`` never re-read or re-analyse a file. Hashes use blake2b,
never Python's salted ``hash``: a fingerprint stored today must match one computed next year.
"""

from __future__ import annotations

import math
import operator
import re
from array import array
from collections import Counter
from hashlib import blake2b
from typing import NamedTuple

from ficlens.story import Span, Story

#: Words per fingerprint k-gram and the winnowing window: any shared run of K + W - 1 = 14 words is found.
K = 5
W = 10
#: Words per MinHash shingle (short, so a copy with 10% of its words edited still shares most shingles).
SHINGLE = 3
PERMS = 128
TERMS_PER_WORK = 150

WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
# Paragraphs that are site or author boilerplate even when a reader or stage left them in the prose.
_BOILERPLATE = re.compile(
    r"\A\s*(?:a/n\b|author'?s?'? ?notes?\b|disclaimer\b|summary:|notes?:|chapter \d+\s*\Z|"
    r"(?:please )?(?:read and )?review\b|posted (?:on|originally)\b|originally posted\b|"
    r"translation:|beta(?:'d| read)?\b|i (?:do not|don't) own\b)",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    """a about above after again against all almost also am an and any are around as at away back be because been
    before being below between both but by can could did do does doing don down during each even ever every few for
    from further get got had has have having he her here hers herself him himself his how i if in into is it its
    itself just like made make many me might more most much must my myself never no nor not now of off on once one
    only or other our ours ourselves out over own said same say says see she should so some still such than that the
    their theirs them themselves then there these they this those through to too under until up upon us very was way
    we well were what when where which while who whom why will with would yet you your yours yourself yourselves
    going know knew think thought looked look looking back come came go went something nothing anything again
    """.split()
)


class Token(NamedTuple):
    word: str
    start: int
    end: int


def stable_hash(s: str) -> int:
    """A 63-bit hash that is the same in every process and every Python version (fits SQLite INTEGER)."""
    return int.from_bytes(blake2b(s.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def prose_spans(story: Story) -> list[Span]:
    """Story prose without notes, disclaimers and site boilerplate: the paragraphs layer, filtered."""
    header_end = story.meta.extra.get("header_end") or 0
    paras = story.spans("paragraphs") or [Span(0, len(story.text))]
    return [p for p in paras if p.end > header_end and not _BOILERPLATE.match(story.text, p.start)]


def words(story: Story) -> list[str]:
    """The words of ``tokens(story)`` without their offsets (what ``add`` needs, several times faster)."""
    text = story.text
    return [w.lower().replace("\u2019", "'") for p in prose_spans(story) for w in WORD.findall(text, p.start, p.end)]


def tokens(story: Story) -> list[Token]:
    """Lower-cased words of the prose with their offsets into ``story.text`` (curly apostrophes unified)."""
    out: list[Token] = []
    text = story.text
    for p in prose_spans(story):
        for m in WORD.finditer(text, p.start, p.end):
            out.append(Token(m.group().lower().replace("\u2019", "'"), m.start(), m.end()))
    return out


_M64 = (1 << 64) - 1
_BASE = 0x100000001B3  # odd: a polynomial over word hashes, rolled one word at a time


def word_hashes(words: list[str]) -> list[int]:
    cache: dict[str, int] = {}
    return [cache[w] if w in cache else cache.setdefault(w, stable_hash(w)) for w in words]


def rolling(wh: list[int], k: int) -> list[int]:
    """Stable 63-bit hashes of every run of ``k`` words, from the words' hashes (one run if there are fewer).

    A polynomial rolled one word at a time, then splitmix64's finaliser so every bit is well mixed
    (the low bits pick MinHash bins).
    """
    if not wh:
        return []
    k = min(k, len(wh))
    top = pow(_BASE, k - 1, 1 << 64)
    h = 0
    for x in wh[:k]:
        h = (h * _BASE + x) & _M64
    out = []
    for i in range(k - 1, len(wh)):
        if i >= k:
            h = ((h - wh[i - k] * top) * _BASE + wh[i]) & _M64
        x = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
        out.append((x ^ (x >> 31)) >> 1)
    return out


def kgram_hashes(words: list[str], k: int) -> list[int]:
    return rolling(word_hashes(words), k)


def minhash(wh: list[int]) -> tuple[bytes, int]:
    """One-permutation MinHash (``PERMS`` bins, densified) of the word shingles, and how many distinct there are.

    One hash per shingle instead of ``PERMS``: the low bits pick a bin, the rest compete for its minimum.
    Empty bins borrow from the next full one, so short texts still compare fairly (Shrivastava & Li 2014).
    """
    shingles = set(rolling(wh, SHINGLE))
    empty = (1 << 63) - 1
    bins = [empty] * PERMS
    for h in shingles:
        b = h % PERMS
        v = h // PERMS
        if v < bins[b]:
            bins[b] = v
    if shingles and empty in bins:
        full = bins[:]
        for i in range(PERMS):
            step = 0
            while full[(i + step) % PERMS] == empty:
                step += 1
            if step:
                bins[i] = full[(i + step) % PERMS] | (step << 56)  # never equal to a real minimum (< 2**56)
    return array("q", bins).tobytes(), len(shingles)


def jaccard(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    return sum(map(operator.eq, array("q", sig_a), array("q", sig_b))) / PERMS


def winnow(wh: list[int]) -> list[tuple[int, int]]:
    """Winnowed fingerprints (Schleimer et al. 2003): (hash, word position) of the minimal k-gram per window."""
    hashes = rolling(wh, K)
    if len(hashes) <= W:
        return [min((h, i) for i, h in enumerate(hashes))] if hashes else []
    out: list[tuple[int, int]] = []
    j = -1  # position of the current window's minimum (the rightmost one, as the paper does)
    for i in range(len(hashes) - W + 1):
        end = i + W - 1
        if j < i:
            window = hashes[i : end + 1]
            m = min(window)
            j = end - window[::-1].index(m)
            out.append((m, j))
        elif hashes[end] <= hashes[j]:
            j = end
            out.append((hashes[j], j))
    return out


def term_weights(words: list[str]) -> dict[str, float]:
    """Unit-length log-tf weights of the story's most frequent content words (idf is applied at query time)."""
    counts = Counter(w for w in words if len(w) > 2 and w not in STOPWORDS and not w.isdigit() and "'" not in w)
    top = counts.most_common(TERMS_PER_WORK)
    weights = {t: 1.0 + math.log(c) for t, c in top}
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {t: v / norm for t, v in weights.items()}
