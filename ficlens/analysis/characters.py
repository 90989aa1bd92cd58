"""Characters stage: who is in the story, under every name the text (and its fandom) gives them.

Mentions come from ``names.scan`` (capitalised runs plus cues), ``nominals`` (unnamed people) and
a pronoun regex. Each distinct name is judged once for the whole story (fandom pack, place
lists, then the person-name model); ``clusters`` groups the names into characters and ``gender``
reads their pronouns from the text. Prominence (mentions, paragraph share, main, co-presence) is
counted here. Everything is a few regex passes over the prose, linear in its length.
"""

from __future__ import annotations

import functools
import gc
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from operator import attrgetter

from ficlens import fandoms
from ficlens.analysis import names as nm
from ficlens.analysis import nominals
from ficlens.analysis.clusters import Canon, Cluster, Clusterer, Mention, assign, nicknames, real_names, unnamed
from ficlens.analysis.gender import PRONOUN_LABEL, PRONOUNS, gender_votes, pronoun_set, resolve_pronouns
from ficlens.analysis.pipeline import stage
from ficlens.story import Character, Span, Story

PRODUCER = "characters/1"

_PRON_RE = nm.words_re(PRONOUNS)
_QUOTE_RE = re.compile('["“”]')
_FRONT_LIKE = re.compile(
    r"\s*(?:summary|disclaimer|dedicat\w*|a/n|author'?s? notes?|notes?|warnings?|rating|pairings?|"
    r"characters|fandoms?|tags|beta(?:'d| read)?( by)?)\b[^\n]{0,40}?[:\-–—]",
    re.IGNORECASE,
)


def prose_paragraphs(story: Story) -> list[tuple[int, int]]:
    """Paragraphs of story prose: outside front matter, and not a "Summary:"/"A/N:" block structure missed."""
    front = [(s.start, s.end) for s in story.spans("front_matter")]
    starts = [f[0] for f in front]
    out = []
    for p in story.spans("paragraphs"):
        k = bisect_right(starts, p.start) - 1
        if k >= 0 and front[k][0] <= p.start < front[k][1]:
            continue
        if _FRONT_LIKE.match(story.text, p.start, p.end):
            continue
        out.append((p.start, p.end))
    return out


def slug(name: str) -> str:
    """A character id from a name: ASCII, lower case, words joined by underscores."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_") or "character"


def _packs(story: Story, runs: list[nm.Run]) -> list[fandoms.Pack]:
    packs = fandoms.loaded_packs()
    names = {" ".join((r.title, *r.tokens) if r.title else r.tokens) for r in runs}  # "Aunt Petunia"
    disclaimers = [story.span_text(s) for s in story.spans("front_matter") if s.label == "disclaimer"]
    tagged = [*story.meta.fandoms, *fandoms.named_in(disclaimers, packs)] if disclaimers else story.meta.fandoms
    return fandoms.detect(names, tagged, packs, nm.given_names())




def known_person(toks: tuple[str, ...], st: nm.Stats, canon: Canon, words: Words) -> bool | None:
    """What the fandom pack and the place lists settle about a name, else None (the model decides)."""
    full = " ".join(toks)
    if full.lower() in canon.not_characters:
        return False
    t = toks[0]
    if canon.get(full) and (len(toks) > 1 or st.mid[t] or st.person[t] or st.titled[t] or not words.has(t.lower())):
        return True  # a canon name, unless only ever a sentence's first word the text also uses ("Happy birthday")
    if any(t.lower() in canon.not_characters for t in toks) and not any(canon.get(t) for t in toks):
        return False
    if toks[-1] in nm.TITLES:
        return False  # "the Lord Chancellor", "Lord High Admiral": an office, not a name
    if toks[-1] in nm.PLACE_WORDS or t in nm.PLACE_WORDS:
        return False  # "Diagon Alley", "Kellynch Hall"
    places = nm.not_people()
    if full in places or any(w in places for w in toks):  # "London", "Englishman"; "Florence" may be a woman
        person, place = sum(st.person[w] for w in toks), sum(st.place[w] for w in toks)
        if any(w in nm.given_names() for w in toks):
            return None if person >= place else False
        return None if person >= 3 and person > 2 * place else False  # a nickname: "Turkey said"
    return None


class Words:
    """The story's lower-case words, collected only when a name needs the check ("Send" vs "send")."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words: set[str] | None = None

    def has(self, word: str) -> bool:
        if self.words is None:
            self.words = set(self.text.split())
        return any(word + p in self.words for p in _WORD_ENDS)


_WORD_ENDS = ("", ",", ".", ";", ":", "!", "?", "'s", "’s")


_OBJECTS = frozenset("the a an my your his her its our their this that these those it me him them us you".split())


#: Capitalised words of age or praise before a name, part of the mention but not of the name: "Old Mr. Emerson",
#: "Young Anthony", "Honest Jemima".
_FOND = ("Old ", "Young ", "Little ", "Honest ", "Big ")


def _with_fond(text: str, s: int) -> int:
    """Where the mention starts when an age word stands before the name at ``s``, unless the text also writes
    it in lower case there ("Old Cotter" at a sentence start, "old Cotter" elsewhere: the name is Cotter)."""
    word = next(w for w in _FOND if text.startswith(w, s - len(w)))
    start = s - len(word)
    if start and text[start - 1].isalnum():
        return s
    name = text[s : s + 30].split(None, 1)[0]
    return s if word.lower() + name in text else start


_MONTHS = frozenset("April May June August".split())
_TIMES = frozenset("morning day days night nights evening afternoon sun sunlight sunshine weather week".split())
_WHEN = frozenset("in of next last since until till early late mid this that every by during from through".split())


def _stop(t: str, st: nm.Stats, titled: bool = False) -> bool:
    """Never a name here: a stop word, unless a surname-like one after a title ("Captain Good", "Captain John
    Good") or that the story often capitalises mid-sentence next to person cues ("said Good")."""
    return t in nm.STOP and not (t in nm.SURNAME_STOPS and (titled or st.mid[t] >= 3 and st.person[t] >= 2))


def strip_run(run: nm.Run, st: nm.Stats, canon: Canon, given: dict[str, str], words: Words) -> tuple[str, ...]:
    """Drop words that are not names ("Then", "Dear" in "Dear Lord", "Shooting" at a sentence start).

    A word seen only at sentence starts stays when it is a known first name, a canon name,
    appears after a title elsewhere, or stands alone with a person cue ("Peter said").
    """
    toks = run.tokens
    while toks:
        t = toks[0]
        if _stop(t, st, bool(run.title) and toks is run.tokens) or t in nm.TITLES and not run.title:
            toks = toks[1:]
            continue
        opener = run.initial and not run.title and toks is run.tokens
        if opener and not st.mid[t] and len(toks) == 1 and run.after in _OBJECTS:
            toks = ()  # "Mark the bad days", "Will you": a verb that starts a sentence
            break
        if opener and (len(toks) > 1 or not st.mid[t]) and t.endswith("ly") and len(t) > 5 and t not in given:
            toks = toks[1:]  # "Instantly De Griers", "Certainly," she said: an adverb
            continue
        if opener and not st.mid[t] and t not in given and not canon.get(t) and not st.titled[t]:
            # keep "Rody" in "Rody Kickham" at a sentence start unless it looks like a common word
            named_next = len(toks) > 1 and toks[1] not in given and not words.has(t.lower())
            if not (len(toks) == 1 and (st.person[t] or not words.has(t.lower()))) and not named_next:
                toks = toks[1:]
                continue
        break
    while toks and _stop(toks[-1], st, bool(run.title) and toks[0] is run.tokens[0]):  # "Shakespeare It"
        toks = toks[:-1]
    inner = next((i for i in range(1, len(toks) - 1) if toks[i] in nm.PLACE_WORDS), None)
    return toks[inner + 1 :] if inner else toks  # "Mill Street Archer": a place, then a name


def _trim_once(
    text: str, r: nm.Run, toks: tuple[str, ...], st: nm.Stats, canon: Canon, given: dict[str, str], words: Words
) -> tuple[str, ...]:
    """A name written once may have swallowed a word: the next line's first word ("Margaret / Oniton"), or a
    common word of a title-case heading ("Miss Lucy Honeychurch Drive Out"). Cut both."""
    nl = text.find("\n", r.start, r.end)
    if nl > 0:
        pos, keep = r.start, 0
        for t in toks:
            pos = text.find(t, pos)
            keep += pos < nl
        toks = toks[: max(keep, 1)]
    while (
        len(toks) > 1
        and not st.speech[toks[-1]] + st.poss[toks[-1]]
        and toks[-1] not in given
        and not canon.get(toks[-1])
    ):
        if toks[-1] in nm.PLACE_WORDS and not r.title:
            break  # "Norcombe Hill" stays whole: a place; but not "Miss Lucy Honeychurch Drive[s Out]"
        if not words.has(toks[-1].lower()):
            break
        toks = toks[:-1]
    return toks


def _titled_name(toks: tuple[str, ...]) -> bool:
    """After a title, a name; not an office ("Lord Chancellor") nor a place ("Prince Edward Island"; but
    "Mrs. Hall" is a woman)."""
    return toks[-1] not in nm.TITLES and (len(toks) == 1 or toks[-1] not in nm.PLACE_WORDS)


def _place_like(word: str, st: nm.Stats, decided: dict) -> bool:
    """Judged no person on its own, or found more often after "in"/"at" than next to a person cue."""
    return decided.get((word,)) is False or st.place[word] > st.person[word]


def _is_role(toks: tuple[str, ...], canon: Canon) -> bool:
    """A singular role the fandom pack lists, after "the" ("the Death Eater")."""
    return " ".join(toks).lower() in canon.roles


_CAPS = re.compile(r"[A-Z](?<!\w.)[A-Z'’-]+(?:\.?[ \t]+[A-Z][A-Z'’-]+)*\b")


def _shouted(text: str, paras: list[tuple[int, int]], people: dict, canon: Canon) -> list[Mention]:
    """Names in capitals: shouted ("HARRY!", "MR. VILLARS") or in a heading ("I MEET SIR HENRY CURTIS") when
    the story also writes them normally as a person's, or a canon name that is spelt so ("JARVIS")."""
    out = []
    for pi, (ps, pe) in enumerate(paras):
        for m in _CAPS.finditer(text, ps, pe):
            caps = m.group()
            if not people.get((caps.capitalize(),)) and any(caps in c.names for c in canon.get(caps)):
                people[(caps,)] = True  # the pack spells it so
                out.append(Mention(m.start(), m.end(), "name", pi, 0, caps, None, (caps,)))
                continue
            words = [
                (w.start() + m.start(), w.end() + m.start(), w.group().rstrip(".").capitalize())
                for w in re.finditer(r"[^\s.]+\.?", caps)
            ]
            out += _shouted_names(text, words, people, pi)
    return out


def _shouted_names(text: str, words: list[tuple[int, int, str]], people: dict, pi: int) -> list[Mention]:
    """The names among capitalised words: runs between stop words, after their titles ("REV. MR. VILLARS")."""
    out = []
    seg: list[tuple[int, int, str]] = []
    for w in [*words, (0, 0, "The")]:
        if w[2] not in nm.STOP or w[2] in nm.TITLES:
            seg.append(w)
            continue
        i = next((k for k, w in enumerate(seg[:-1]) if w[2] in nm.TITLES), 0)  # "MEET SIR HENRY CURTIS"
        while i < len(seg) - 1 and seg[i][2] in nm.TITLES:
            i += 1
        toks = tuple(t for _, _, t in seg[i:])
        title = seg[i - 1][2] if i else None
        if toks and (people.get(toks) or title and len(toks) <= 3 and toks[-1] not in nm.TITLES):
            s = seg[i - 1][0] if i else seg[0][0]
            out.append(Mention(s, seg[-1][1], "name", pi, 0, text[s : seg[-1][1]], title, toks))
        seg = []
    return out


_READER = re.compile(r"\b[Yy]/[Nn]\b")


def _reader(text: str, paras: list[tuple[int, int]]) -> list[Mention]:
    """The reader-insert placeholder "Y/N" ("your name"): a character like any other."""
    out = []
    for pi, (ps, pe) in enumerate(paras):
        for m in _READER.finditer(text, ps, pe):
            before = text[max(ps, m.start() - 8) : m.start()].rstrip(" \t\"“'‘")
            initial = m.start() - ps < 8 and not before or before[-1:] in (".", "!", "?", "…")
            out.append(
                Mention(m.start(), m.end(), "name", pi, 0, m.group(), None, ("Y/N",), subject=True, initial=initial)
            )
    return out


#: What comes before a name that starts its clause: "and Lily ran", "..., James said".
_CLAUSE_START = frozenset(
    "and but as when while because then so until after before since though although if that where , ; : — –".split()
)
#: Pronouns that vote for the gender of the name before them: subjects and reflexives, never "her"/"his".


def find_mentions(
    story: Story, paras: list[tuple[int, int]], canon: Canon, runs: list[nm.Run], model: nm.PersonModel
) -> list[Mention]:
    """Name, epithet and pronoun mentions in reading order (names not yet tied to characters)."""
    text = story.text
    st = nm.stats(runs)
    given = nm.given_names()
    decided: dict[tuple[str, ...], bool] = {}
    words = Words(text)
    out: list[Mention] = []
    roles: list[tuple[int, int, int]] = []
    described: list[nm.Run] = []
    names: list[list] = []  # [run, name words]
    contexts: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    cut: dict[tuple, tuple[int, int]] = {}  # strip_run once per distinct run: the slice of its words kept
    for r in runs:
        if r.det:
            ep = "the " + " ".join(r.tokens)
            s = r.start - 4
            if canon.get(ep) or canon.get(" ".join(r.tokens)) and r.tokens[0] not in given:
                s = s if text.startswith(("the", "The"), s) else r.start
                out.append(Mention(s, r.end, "nominal", r.para, 0, text[s : r.end], None, r.tokens))
            elif text.startswith(("the ", "The "), s) and _is_role(r.tokens, canon):
                roles.append((s, r.end, r.para))
            elif len(r.tokens) == 1 and r.tokens[0] in nm.RANKS and text.startswith(("the ", "The "), s):
                # "the General": the story's one General, if it has one (clusters.Clusterer._single)
                out.append(Mention(s, r.end, "nominal", r.para, 0, "the " + r.tokens[0], None, r.tokens))
            elif r.before.isalpha() and r.before not in nm.DETERMINERS:
                described.append(r)  # "the late John Jacob Astor", "the poet Syme": a name if it is one elsewhere
            continue
        key = (r.tokens, r.initial, not r.title, r.after in _OBJECTS)  # all of the run strip_run reads
        if key not in cut:
            toks = strip_run(r, st, canon, given, words)
            i = next(k for k, t in enumerate(r.tokens) if t is toks[0]) if toks else 0
            cut[key] = (i, i + len(toks))
        i, j = cut[key]
        if j:
            names.append([r, r.tokens[i:j]])
    seen = Counter(toks for _, toks in names)
    for i, (r, toks) in enumerate(names):
        if len(toks) > 1 and seen[toks] == 1:
            toks = names[i][1] = _trim_once(text, r, toks, st, canon, given, words)
        ctx = contexts[toks]
        ctx["p:" + r.before] += 1
        ctx["n:" + r.after] += 1
    for toks in sorted(contexts, key=len):  # single names first: "Rowan Vale" is a person if Rowan is
        ok = True if len(toks) > 1 and decided.get(toks[:1]) else None  # "Rowan Vale", "Oliver Wood"
        last = toks[-1]
        if ok and last in nm.PLACE_WORDS and toks[0] not in given and st.person[last] <= st.place[last] + st.prep[last]:
            ok = None  # "Kellynch Hall", "Pyncheon Street": named after a family, still a place
        if ok is None or " ".join(toks).lower() in canon.not_characters:
            ok = known_person(toks, st, canon, words)
        if ok is None and len(toks) > 1 and decided.get(toks[-1:]):
            ok = True
        if ok is None:
            ok = model.prob(nm.features(toks, st, words.has), contexts[toks]) >= 0.5
        decided[toks] = ok
    for r in described:
        if decided.get(r.tokens) or len(r.tokens) > 1 and r.tokens[0] in given:
            decided[r.tokens] = True
            names.append([r, r.tokens])
    for r, toks in names:
        if (
            len(toks) > 1
            and seen[toks] == 1
            and decided[toks]
            and decided.get(toks[:-1])
            and _place_like(toks[-1], st, decided)
        ):
            toks = toks[:-1]  # "on Margaret Oniton was...": a person, then a place the text names alone
        if len(toks) == 1 and toks[0][-1] == "s" and decided.get((toks[0][:-1],)):
            continue  # "Voldemorts laughter": a possessive that lost its apostrophe
        if toks[0] in _MONTHS and len(toks) == 1 and (r.before in _WHEN or r.after.isdigit() or r.after in _TIMES):
            continue  # "in June", "next May", "April 3", "a June morning": a month that is also a girl's name
        if not (decided[toks] or r.title and toks[0] is r.tokens[0] and len(toks) <= 3 and _titled_name(toks)):
            continue
        s, e = r.start, r.end
        if toks[0] is not r.tokens[0]:
            s += text[s:e].find(toks[0])
        if toks[-1] is not r.tokens[-1]:
            e = s + text[s:e].rfind(toks[-1]) + len(toks[-1])
        title = r.title if toks[0] is r.tokens[0] else None
        if title and r.described:
            s += text[s:e].find(toks[0], len(title))  # "the Prince Prospero": the title describes, the name is Prospero
        subject = r.initial or r.speech or (r.before in _CLAUSE_START if s == r.start else False)
        if text[max(0, s - 7) : s].endswith(_FOND) and not r.described:
            s = _with_fond(text, s)
        if len(toks) > 1 and toks[0] == "Old" and not title:
            toks = toks[1:]  # "Old Horace" is Horace: the mention keeps the word, the character does not
        out.append(Mention(s, e, "name", r.para, 0, text[s:e], title, toks, subject=subject, initial=r.initial))
    out.extend(_shouted(text, paras, decided, canon))
    if "/" in text:
        out.extend(_reader(text, paras))
    for group in nominals.find(text, paras, roles):
        for n in group.mentions:
            surface = text[n.start : n.end]
            out.append(Mention(n.start, n.end, "nominal", n.para, 0, surface, group=group))
    for pi, (ps, pe) in enumerate(paras):
        for m in _PRON_RE.finditer(text, ps, pe):
            s, low = m.start(), m.group().lower()
            if low == "i" and text[s] == "i" and text[s + 1 : s + 2] in (".", ")"):
                continue  # "i.e.", "(i)"; but "i" is the narrator in fics written in lower case
            out.append(Mention(s, s + len(low), "pronoun", pi, 0, low, None, (), PRONOUNS[low]))
    out.sort(key=attrgetter("start"))
    _count_quotes(text, paras, out)
    return out


def _count_quotes(text: str, paras: list[tuple[int, int]], mentions: list[Mention]) -> None:
    """Set each mention's quote-mark count within its paragraph (odd: inside a quotation)."""
    quotes = [m.start() for m in _QUOTE_RE.finditer(text)]
    para, base = -1, 0
    for m in mentions:
        if m.para != para:
            para = m.para
            base = bisect_left(quotes, paras[para][0])
        m.quote = bisect_left(quotes, m.start) - base


def _co_presence(story: Story, paras: list[tuple[int, int]], mentions: list[Mention]) -> dict[int, Counter]:
    """How many scenes (or 20-paragraph stretches of a long scene) each pair of characters shares."""
    bounds = [s.start for s in story.spans("scenes")]
    seen: dict[tuple[int, int], dict[int, None]] = defaultdict(dict)  # a dict keeps ties in reading order
    for m in mentions:
        if m.char is not None and m.kind != "pronoun":
            scene = bisect_right(bounds, m.start)
            seen[(scene, m.para // 20)][id(m.char)] = None
    pairs: dict[int, Counter] = defaultdict(Counter)
    for ids in seen.values():
        for a in ids:
            for b in ids:
                if a != b:
                    pairs[a][b] += 1
    return pairs


def _without_gc(func):
    """Run ``func`` with the cycle collector paused: the stage makes a few hundred thousand small objects and
    no reference cycles, so collecting would only cost time (up to a tenth of the stage)."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        paused = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if paused:
                gc.enable()

    return run


@_without_gc
def find_characters(
    story: Story, packs: list[fandoms.Pack] | None = None, model: nm.PersonModel | None = None
) -> tuple[list[Span], list[Character], list[fandoms.Pack]]:
    """The mentions layer, the cast and the packs used, without touching the story (``packs=None``: detect)."""
    text = story.text
    paras = prose_paragraphs(story)
    runs = nm.scan(text, paras)
    if packs is None:
        packs = _packs(story, runs)
    canon = Canon(packs)
    mentions = find_mentions(story, paras, canon, runs, model or nm.person_model())
    cl = Clusterer(canon, nm.given_names())
    cl.form_votes = gender_votes(text, mentions, key=lambda m: (m.kind, m.title, m.tokens))
    targets = cl.build(mentions, nicknames(text, paras))
    unnamed(cl, mentions)
    gender: dict[int, str | None] = {}
    for _ in range(2):  # names with one candidate, then the shared ones using what gender says
        assign(mentions, targets, gender)
        votes = gender_votes(text, mentions)
        gender = {id(c): pronoun_set(votes.get(id(c), Counter()), cl.gender_guess(c, votes=False)) for c in cl.clusters}
    resolve_pronouns(mentions, gender)
    real_names(text, mentions, gender)
    clusters = [c for c in cl.clusters if c.mentions]
    counts: Counter = Counter()
    paras_of: dict[int, set[int]] = defaultdict(set)
    for m in mentions:
        if m.char is not None:
            counts[id(m.char)] += 1
            paras_of[id(m.char)].add(m.para)
    clusters.sort(key=lambda c: -counts[id(c)])
    used: set[str] = set()
    for c in clusters:
        c.id = _unique_id(slug(_main_name(c)), used)
    pairs = _co_presence(story, paras, mentions)
    by_obj = {id(c): c for c in clusters}
    n_paras = max(len(paras), 1)
    top_share = max((len(paras_of[id(c)]) for c in clusters), default=0) / n_paras
    answering = Counter(f for c in clusters for f in _names_of(c))
    cast = []
    for c in clusters:
        share = len(paras_of[id(c)]) / n_paras
        g = gender[id(c)]
        co = [by_obj[k].id for k, n in pairs[id(c)].most_common(10) if k in by_obj]
        cast.append(
            Character(
                c.id,
                _main_name(c),
                _aliases(c, answering),
                c.canon.name if c.canon else None,
                PRONOUN_LABEL.get(g) if g else None,
                counts[id(c)],
                share >= max(0.1, top_share / 3) and counts[id(c)] >= 3,
                {"gender": g, "paragraph_share": round(share, 3), "co_present": co},
            )
        )
    spans = [Span(m.start, m.end, None, {"char": m.char.id if m.char else None, "kind": m.kind}) for m in mentions]
    return spans, cast, packs


def _unique_id(base: str, used: set[str]) -> str:
    i, cid = 2, base
    while cid in used:
        cid, i = f"{base}_{i}", i + 1
    used.add(cid)
    return cid


def _main_name(c: Cluster) -> str:
    """The fullest name the text uses, without its title ("Miss Helen Schlegel" -> "Helen Schlegel", but
    not Mrs: "Mrs. John Knightley"); not shouted, no "-kun"; else its most frequent name."""
    if c.unnamed:
        return c.key[0]
    plain: Counter = Counter()
    for n, k in c.names.items():
        words = n.split()
        title = words[0].rstrip(".").capitalize()
        if title in nm.TITLES:  # but "Mrs. John Knightley" is not John Knightley
            words = words[1:] if len(words) > 2 and title != "Mrs" else []
        if words and words[0].lower() != "the":
            plain[" ".join(words)] += k
    if plain:
        # a long name written once may be a heading's run of capitals ("Lucy Honeychurch Drive Out ...")
        return max(
            plain,
            key=lambda n: (not n.isupper(), plain[n] > 1 or n.count(" ") < 2, n.count(" "), "-" not in n, plain[n]),
        )
    named = [n for n in c.names if not n.lower().startswith("the ")] or list(c.names)  # not "the General"
    return " ".join(max(named, key=c.names.__getitem__).split()) if named else " ".join(c.key)


def fold_name(name: str) -> str:
    """A name as compared: case, full stops and spacing ignored ("Mr. Potter" == "mr potter")."""
    return " ".join(name.replace(".", " ").split()).lower()


def _names_of(c: Cluster) -> set[str]:
    """Every name a character answers to, folded: the text's and its canon's."""
    return {fold_name(n) for n in (*c.names, *(c.canon.names if c.canon else ()))}


def _aliases(c: Cluster, answering: Counter) -> list[str]:
    """Names the text uses (most frequent first), then canon names no other cast member answers to
    (``answering``: how many cast members answer to each folded name)."""
    seen = dict.fromkeys(" ".join(n.split()) for n in c.names)  # a dict: ties stay in reading order
    out = sorted(seen, key=lambda n: -c.names[n])
    if c.canon:
        own = _names_of(c)
        for n in c.canon.names:
            f = fold_name(n)
            if n not in seen and answering[f] - (f in own) == 0:
                out.append(n)
                seen[n] = None
    return out


@stage("characters", requires=("paragraphs",), assigns=("mentions",))
def characters(story: Story) -> Story:
    """Find the cast: names, nicknames, titles, pronouns; canon names from fandom packs."""
    spans, cast, packs = find_characters(story)
    story.add_layer("mentions", spans, producer=PRODUCER)
    story.characters = cast
    story.meta.extra["fandoms_detected"] = [p.name for p in packs]
    return story


def match_character(story: Story, name: str) -> Character | None:
    """The character answering to ``name`` (its id, name or an alias, any case), or None."""
    low = " ".join(name.split()).lower()
    for c in story.characters:
        if low == c.id or low == c.name.lower() or any(low == a.lower() for a in c.aliases):
            return c
    return None
