"""Characters stage: who is in the story, under every name the text (and its fandom) gives them.

Mentions come from ``names.scan`` (capitalised runs plus cues) and a pronoun regex. Names are
kept when whole-story evidence says they are people, then clustered: full names first, then
first names and surnames onto the one full name that contains them, titles ("Mr Potter") by
gender, fandom-pack aliases ("Lils", "the Dark Lord") onto their canon character, nicknames the
text ties to a name ("X, whom everyone called Y"). Gender comes from the pronouns the text uses
right after each character's names (BookNLP's idea), with title, canon and first-name priors as
fallbacks. Everything is a few regex passes over the prose, linear in its length.
"""

from __future__ import annotations

import os
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ficlens import fandoms
from ficlens.analysis import names as nm
from ficlens.analysis import nominals
from ficlens.analysis.pipeline import stage
from ficlens.story import Character, Span, Story

PRODUCER = "characters/1"

#: Pronoun -> the set it belongs to ("he", "she", "they", "xe", "ze", "fae", "i", "you").
PRONOUNS: dict[str, str] = {
    **dict.fromkeys("he him his himself".split(), "he"),
    **dict.fromkeys("she her hers herself".split(), "she"),
    **dict.fromkeys("they them their theirs themselves themself".split(), "they"),
    **dict.fromkeys("xe xem xyr xyrs xemself".split(), "xe"),
    **dict.fromkeys("ze zir zirs zirself hir hirs hirself".split(), "ze"),
    **dict.fromkeys("faer faers faerself".split(), "fae"),
    **dict.fromkeys("i me my mine myself".split(), "i"),
    **dict.fromkeys("you your yours yourself yourselves".split(), "you"),
}
#: Pet forms of common first names (the ones no prefix or "-y" rule finds).
PET_NAMES: dict[str, tuple[str, ...]] = {
    "Bill": ("William",),
    "Will": ("William",),
    "Billy": ("William",),
    "Bob": ("Robert",),
    "Bobby": ("Robert",),
    "Rob": ("Robert",),
    "Dick": ("Richard",),
    "Rick": ("Richard",),
    "Jim": ("James",),
    "Jimmy": ("James",),
    "Jamie": ("James",),
    "Tom": ("Thomas",),
    "Tommy": ("Thomas",),
    "Ned": ("Edward", "Edmund"),
    "Ted": ("Edward", "Theodore"),
    "Teddy": ("Edward", "Theodore"),
    "Jack": ("John",),
    "Johnny": ("John",),
    "Frank": ("Francis",),
    "Harry": ("Henry",),
    "Hal": ("Henry",),
    "Peggy": ("Margaret",),
    "Meg": ("Margaret",),
    "Maggie": ("Margaret",),
    "Bess": ("Elizabeth",),
    "Betsy": ("Elizabeth",),
    "Beth": ("Elizabeth",),
    "Lizzy": ("Elizabeth",),
    "Lizzie": ("Elizabeth",),
    "Eliza": ("Elizabeth",),
    "Liz": ("Elizabeth",),
    "Kitty": ("Catherine", "Katherine"),
    "Kate": ("Catherine", "Katherine"),
    "Katie": ("Catherine", "Katherine"),
    "Sally": ("Sarah",),
    "Polly": ("Mary",),
    "Molly": ("Mary",),
    "Nell": ("Eleanor", "Helen", "Ellen"),
    "Nelly": ("Eleanor", "Helen", "Ellen"),
    "Fanny": ("Frances",),
    "Sue": ("Susan",),
    "Susie": ("Susan",),
    "Dolly": ("Dorothy",),
    "Jenny": ("Jane", "Jennifer"),
    "Jen": ("Jennifer",),
    "Mike": ("Michael",),
    "Mick": ("Michael",),
    "Nick": ("Nicholas",),
    "Tony": ("Anthony",),
    "Sandy": ("Alexander", "Alexandra"),
    "Ben": ("Benjamin",),
    "Sam": ("Samuel", "Samantha"),
    "Chuck": ("Charles",),
    "Charlie": ("Charles",),
    "Andy": ("Andrew",),
    "Pete": ("Peter",),
    "Patsy": ("Patricia",),
    "Abby": ("Abigail",),
    "Gus": ("Augustus",),
    "Bertie": ("Albert", "Herbert", "Bertram"),
    "Archie": ("Archibald",),
    "Hugh": ("Hugo",),
    "Lils": ("Lily",),
}
PRONOUN_LABEL = {
    "he": "he/him",
    "she": "she/her",
    "they": "they/them",
    "xe": "xe/xem",
    "ze": "ze/zir",
    "fae": "fae/faer",
}
_PRON_RE = re.compile(r"\b(?:" + "|".join(sorted(PRONOUNS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_QUOTE_RE = re.compile('["“”]')
_SENT_END = re.compile(r"[.!?…]")
_FRONT_LIKE = re.compile(
    r"\s*(?:summary|disclaimer|dedicat\w*|a/n|author'?s? notes?|notes?|warnings?|rating|pairings?|"
    r"characters|fandoms?|tags|beta(?:'d| read)?( by)?)\b[^\n]{0,40}?[:\-–—]",
    re.IGNORECASE,
)
_CALLED = re.compile(
    rf"(?P<name>{nm._TOK}(?:\s+{nm._TOK})*),?\s+(?:whom|who|that)?\s*(?:\w+\s+){{0,5}}?"
    rf"(?:called|calls|nicknamed|dubbed|known as|aka|a\.k\.a\.)\s+(?:him|her|them)?\s*[\"“‘']?"
    rf"(?P<nick>(?:the\s+)?{nm._TOK}(?:\s+{nm._TOK})*)"
)
_APPOS = re.compile(rf"(?P<name>{nm._TOK}(?:\s+{nm._TOK})*),\s+(?P<nick>the\s+{nm._TOK}(?:\s+{nm._TOK})*)\s*[,.;]")


@dataclass
class Cluster:
    """A character while it is being built."""

    key: tuple[str, ...]
    canon: fandoms.CanonCharacter | None = None
    names: Counter = field(default_factory=Counter)  # surface -> count
    titles: Counter = field(default_factory=Counter)  # title gender votes
    mentions: list[int] = field(default_factory=list)  # indexes into the mention list
    id: str = ""
    unnamed: bool = False  # known only by descriptions ("the masked man")
    titled: bool = False  # known only by title and one name ("Mr. Elton")
    count: int = 0  # name mentions tied to it while clustering
    forms: set[tuple] = field(default_factory=set)  # (kind, title, tokens) forms tied to it alone
    title_words: set[str] = field(default_factory=set)  # titles the text puts before its names

    @property
    def first(self) -> str:
        return self.key[0]

    @property
    def last(self) -> str:
        return self.key[-1]


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    kind: str  # "name" | "nominal" | "pronoun"
    para: int
    quote: int  # quote-mark count before it in its paragraph (odd: inside a quotation)
    surface: str = ""
    title: str | None = None
    tokens: tuple[str, ...] = ()
    pron: str | None = None
    char: Cluster | None = None
    subject: bool = False  # starts its clause: "James kissed her", "... and Lily ran"
    initial: bool = False  # starts its sentence
    group: nominals.Unnamed | None = None  # the unnamed person a description belongs to


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


def _slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_") or "character"


def _packs(story: Story, runs: list[nm.Run]) -> list[fandoms.Pack]:
    env = os.environ.get(fandoms.ENV, "")
    packs = _load_packs(env)
    names = {" ".join((r.title, *r.tokens) if r.title else r.tokens) for r in runs}  # "Aunt Petunia"
    return fandoms.detect(names, story.meta.fandoms, packs, nm.given_names())


_PACK_CACHE: dict[str, list[fandoms.Pack]] = {}


def _load_packs(env: str) -> list[fandoms.Pack]:
    if env not in _PACK_CACHE:
        _PACK_CACHE[env] = fandoms.load_packs()
    return _PACK_CACHE[env]


class Canon:
    """Lookups over the detected packs: names that are people, names that are not."""

    def __init__(self, packs: list[fandoms.Pack]) -> None:
        self.packs = packs
        self.by_name: dict[str, list[fandoms.CanonCharacter]] = {}
        self.ambiguous: set[str] = set()
        self.not_characters: set[str] = set()
        self.roles: set[str] = set()
        for p in packs:
            for low, chars in p.lookup_cache.items():
                self.by_name.setdefault(low, []).extend(c for c in chars if c not in self.by_name.get(low, []))
            for c in p.characters:
                self.ambiguous.update(a.lower() for a in c.ambiguous)
            self.not_characters |= p.not_characters
            self.roles |= p.roles
        self.words = {w for n in self.by_name for w in n.split()}

    def get(self, name: str) -> list[fandoms.CanonCharacter]:
        return self.by_name.get(name.lower(), [])

    def unique(self, name: str) -> fandoms.CanonCharacter | None:
        found = self.get(name)
        return found[0] if len(found) == 1 and name.lower() not in self.ambiguous else None


def known_person(toks: tuple[str, ...], st: nm.Stats, canon: Canon) -> bool | None:
    """What the fandom pack and the place lists settle about a name, else None (the model decides)."""
    full = " ".join(toks)
    if full.lower() in canon.not_characters:
        return False
    t = toks[0]
    if canon.get(full) and (len(toks) > 1 or st.mid[t] or st.person[t] or st.titled[t] or t in nm.given_names()):
        return True  # a canon name, unless it is only ever a sentence's first word ("Happy birthday")
    if any(t.lower() in canon.not_characters for t in toks) and not any(canon.get(t) for t in toks):
        return False
    if toks[-1] in nm.PLACE_WORDS or t in nm.PLACE_WORDS:
        return False  # "Diagon Alley", "Kellynch Hall"
    places = nm.not_people()
    if full in places or any(w in places for w in toks):  # "London", "Englishman"; "Florence" may be a woman
        given = nm.given_names()
        return any(w in given for w in toks) and sum(st.person[w] for w in toks) > sum(st.place[w] for w in toks)
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


def strip_run(run: nm.Run, st: nm.Stats, canon: Canon, given: dict[str, str], words: Words) -> tuple[str, ...]:
    """Drop words that are not names ("Then", "Dear" in "Dear Lord", "Shooting" at a sentence start).

    A word seen only at sentence starts stays when it is a known first name, a canon name,
    appears after a title elsewhere, or stands alone with a person cue ("Peter said").
    """
    toks = run.tokens
    while toks:
        t = toks[0]
        if t in nm.STOP or t in nm.TITLES and not run.title:
            toks = toks[1:]
            continue
        opener = run.initial and not run.title and toks is run.tokens
        if opener and not st.mid[t] and len(toks) == 1 and run.after in _OBJECTS:
            toks = ()  # "Mark the bad days", "Will you": a verb that starts a sentence
            break
        if opener and not st.mid[t] and t not in given and not canon.get(t) and not st.titled[t]:
            # keep "Rody" in "Rody Kickham" at a sentence start unless it looks like a common word
            named_next = len(toks) > 1 and toks[1] not in given and not words.has(t.lower())
            if not (st.person[t] and len(toks) == 1) and not named_next:
                toks = toks[1:]
                continue
        break
    while toks and toks[-1] in nm.STOP:  # "Shakespeare It" across a line break
        toks = toks[:-1]
    return toks


def _is_role(toks: tuple[str, ...], canon: Canon) -> bool:
    """A singular role the fandom pack lists, after "the" ("the Death Eater")."""
    return " ".join(toks).lower() in canon.roles


_CAPS = re.compile(r"\b[A-Z][A-Z'’-]+(?:\.?[ \t]+[A-Z][A-Z'’-]+)*\b")


def _shouted(text: str, paras: list[tuple[int, int]], people: dict) -> list[Mention]:
    """Names in capitals ("HARRY!", "MR. VILLARS") that the story also writes normally as a person's."""
    out = []
    for pi, (ps, pe) in enumerate(paras):
        for m in _CAPS.finditer(text, ps, pe):
            words = m.group().replace(".", " ").split()
            title = words[0].capitalize() if words[0].capitalize() in nm.TITLES and len(words) > 1 else None
            toks = tuple(w.capitalize() for w in words[1 if title else 0 :])
            if people.get(toks):
                s = m.start()
                out.append(Mention(s, m.end(), "name", pi, 0, m.group(), title, toks))
    return out


_READER = re.compile(r"\b[Yy]/[Nn]\b")


def _reader(text: str, paras: list[tuple[int, int]]) -> list[Mention]:
    """The reader-insert placeholder "Y/N" ("your name"): a character like any other."""
    out = []
    for pi, (ps, pe) in enumerate(paras):
        for m in _READER.finditer(text, ps, pe):
            before = text[ps : m.start()].rstrip(" \t\"“'‘")
            initial = not before or before[-1] in ".!?…"
            out.append(
                Mention(m.start(), m.end(), "name", pi, 0, m.group(), None, ("Y/N",), subject=True, initial=initial)
            )
    return out


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
    names: list[tuple[nm.Run, tuple[str, ...]]] = []
    contexts: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for r in runs:
        if r.det:
            ep = "the " + " ".join(r.tokens)
            s = r.start - 4
            if canon.get(ep) or canon.get(" ".join(r.tokens)) and r.tokens[0] not in given:
                s = s if text.startswith(("the", "The"), s) else r.start
                out.append(Mention(s, r.end, "nominal", r.para, 0, text[s : r.end], None, r.tokens))
            elif text.startswith(("the ", "The "), s) and _is_role(r.tokens, canon):
                roles.append((s, r.end, r.para))
            continue
        toks = strip_run(r, st, canon, given, words)
        if toks:
            names.append((r, toks))
            ctx = contexts[toks]
            ctx["p:" + r.before] += 1
            ctx["n:" + r.after] += 1
    for r, toks in names:
        if len(toks) == 1 and toks[0][-1] == "s" and decided.get((toks[0][:-1],)):
            continue  # "Voldemorts laughter": a possessive that lost its apostrophe
        ok = decided.get(toks)
        if ok is None:
            ok = known_person(toks, st, canon)
            if ok is None:
                ok = model.prob(nm.features(toks, st, words.has), contexts[toks]) >= 0.5
            decided[toks] = ok
        if not (ok or r.title and toks[0] is r.tokens[0] and len(toks) <= 3):
            continue
        s, e = r.start, r.end
        if toks[0] is not r.tokens[0]:
            s += text[s:e].find(toks[0])
        if toks[-1] is not r.tokens[-1]:
            e = s + text[s:e].rfind(toks[-1]) + len(toks[-1])
        title = r.title if toks[0] is r.tokens[0] else None
        subject = r.initial or (r.before in _CLAUSE_START if s == r.start else False)
        out.append(Mention(s, e, "name", r.para, 0, text[s:e], title, toks, subject=subject, initial=r.initial))
    out.extend(_shouted(text, paras, decided))
    if "/" in text:
        out.extend(_reader(text, paras))
    for group in nominals.find(text, paras, roles):
        for n in group.mentions:
            surface = text[n.start : n.end]
            out.append(Mention(n.start, n.end, "nominal", n.para, 0, surface, group=group))
    for pi, (ps, pe) in enumerate(paras):
        for m in _PRON_RE.finditer(text, ps, pe):
            w = m.group()
            if w == "I" or w.lower() != "i":
                low = w.lower()
            out.append(Mention(m.start(), m.end(), "pronoun", pi, 0, low, pron=PRONOUNS[low]))
    out.sort(key=lambda m: m.start)
    _count_quotes(text, paras, out)
    return out


def _count_quotes(text: str, paras: list[tuple[int, int]], mentions: list[Mention]) -> None:
    """Set each mention's quote-mark count within its paragraph, in one sweep (odd: inside a quotation)."""
    quotes = [m.start() for m in _QUOTE_RE.finditer(text)]
    q = 0
    para, base = -1, 0
    for m in mentions:
        if m.para != para:
            para = m.para
            while q < len(quotes) and quotes[q] < paras[para][0]:
                q += 1
            base = q
        while q < len(quotes) and quotes[q] < m.start:
            q += 1
        m.quote = q - base


def _nicknames(text: str, paras: list[tuple[int, int]]) -> dict[str, str]:
    """Names the text ties to another: "Remus, whom everyone called Moony" -> {"Moony": "Remus"}."""
    out: dict[str, str] = {}
    for ps, pe in paras:
        chunk = text[ps:pe]
        if "called" not in chunk and "known as" not in chunk and ", the " not in chunk and "aka" not in chunk:
            continue
        for rx in (_CALLED, _APPOS):
            for m in rx.finditer(chunk):
                name, nick = m.group("name").split()[-2:], m.group("nick")
                if nick.split()[-1] not in nm.STOP and name[-1] not in nm.STOP:
                    out.setdefault(nick, " ".join(name))
    return out


class _Clusterer:
    """Groups name mentions into characters (see the module docstring for the order of rules)."""

    def __init__(self, canon: Canon, given: dict[str, str]) -> None:
        self.canon = canon
        self.given = given
        self.clusters: list[Cluster] = []
        self.by_canon: dict[str, Cluster] = {}
        self.form_votes: dict[tuple, Counter] = {}
        self.forms: Counter = Counter()  # (kind, title, tokens) -> mentions

    def new(self, key: tuple[str, ...], canon: fandoms.CanonCharacter | None) -> Cluster:
        c = Cluster(key, canon)
        self.clusters.append(c)
        if canon:
            self.by_canon.setdefault(canon.name, c)
        return c

    def gender_guess(self, c: Cluster, *, votes: bool = True) -> str | None:
        """Gender while clustering: titles, then pronouns after its names, canon, first-name list."""
        if c.titles:
            return c.titles.most_common(1)[0][0]
        if not votes:
            return self.prior(c)
        votes = sum((self.form_votes.get(f, Counter()) for f in c.forms), Counter())
        he, she = votes["he"], votes["she"]
        if he + she and max(he, she) >= 0.7 * (he + she):
            return "he" if he > she else "she"
        return self.prior(c)

    def prior(self, c: Cluster) -> str | None:
        if c.canon and c.canon.pronouns:
            return c.canon.pronouns.split("/")[0]
        return self.given.get(c.first)

    def containing(self, w: str) -> tuple[list[Cluster], list[Cluster]]:
        firsts = [c for c in self.clusters if len(c.key) > 1 and not c.titled and c.key[0] == w]
        lasts = [c for c in self.clusters if len(c.key) > 1 and not c.titled and c.key[-1] == w]
        return firsts, lasts

    def canon_for(self, name: str) -> fandoms.CanonCharacter | None:
        """The canon character a name means: the only one, or the first (most written) one not yet taken."""
        found = self.canon.get(name)
        if len(found) == 1:
            return found[0]
        free = [c for c in found if c.name not in self.by_canon]
        return free[0] if found and len(free) == len(found) else None

    def build(self, mentions: list[Mention], nicks: dict[str, str]) -> dict[tuple, list[Cluster]]:
        """Targets for each (title, tokens) form: one cluster, or several to choose from by recency."""
        forms = self.forms
        for m in mentions:
            if m.kind != "pronoun" and m.group is None:
                forms[(m.kind, m.title, m.tokens)] += 1
        targets: dict[tuple, list[Cluster]] = {}
        # 1. Full names, longest and most frequent first; a shorter full name joins one that contains it.
        multi = sorted((f for f in forms if f[0] == "name" and len(f[2]) > 1), key=lambda f: (-len(f[2]), -forms[f]))
        for f in multi:
            targets[f] = [self._full(f[1], f[2])]
            targets[f][0].count += forms[f]
            targets[f][0].forms.add(f)
        # 2. Titled single names ("Mr Potter", "Professor Snape"), then 3. bare single names and epithets.
        singles = sorted(
            (f for f in forms if f not in targets), key=lambda f: (f[1] is None, f[1] == "Mrs", f[0], -forms[f])
        )  # titled ones first, "Miss X" before "Mrs X" so that a mother does not take her daughter's name
        for f in singles:
            kind, title, toks = f
            w = toks[-1] if kind == "name" else "the " + " ".join(toks)
            targets[f] = self._single(kind, title, toks, w, nicks, forms[f])
            for c in targets[f]:
                c.count += forms[f]
                if len(targets[f]) == 1:
                    c.forms.add(f)
        return targets

    def _full(self, title: str | None, toks: tuple[str, ...]) -> Cluster:
        """The character for a full name: its canon one, one already made, or a new one."""
        if title == "Mrs" and self.given.get(toks[0]) != "she" and not self.canon.get(" ".join(toks)):
            return self._titled(title, " ".join(toks), None)  # "Mrs. John Knightley": his wife
        full = " ".join(toks)
        cc = self.canon.unique(full) or self.canon_for(full)
        c = self.by_canon.get(cc.name) if cc else None
        if c is None:
            c = next((k for k in self.clusters if k.key == toks), None) or next(
                (
                    k
                    for k in self.clusters
                    if len(k.key) > len(toks)
                    and k.key[0] == toks[0]
                    and k.key[-1] == toks[-1]
                    and set(toks) <= set(k.key)
                ),
                None,
            )
        c = c or self.new(toks, cc)
        if title:
            c.title_words.add(title)
            if nm.TITLES.get(title):
                c.titles[nm.TITLES[title]] += 1
        return c

    def _single(self, kind: str, title: str | None, toks: tuple[str, ...], w: str, nicks: dict[str, str], n: int):
        surface = f"{title} {w}" if title else w
        cc = self.canon.unique(surface) or self.canon.unique(w) if kind == "name" else self.canon_for(w)
        if cc and cc.name in self.by_canon:
            return [self.by_canon[cc.name]]
        if w in nicks:
            tied = next((c for c in self.clusters if nicks[w] in (" ".join(c.key), c.first, c.last)), None)
            if tied:
                return [tied]
        if kind == "name":
            own = next((c for c in self.clusters if c.key == (w,)), None)
            if own:
                return [own]
            firsts, lasts = self.containing(w)
            if title:
                own = next((c for c in self.clusters if c.key == (title, w)), None)
                ok = [c for c in lasts + firsts if not c.titled and self._fits_title(c, title, n, w)]
                same = [c for c in ok if title in c.title_words]  # "Sir John" is Sir John Middleton
                if own or not ok or len(ok) > 1 and not same:
                    return [own or self._titled(title, w, cc)]
                ok = same or ok
                if len(ok) == 1:
                    ok[0].title_words.add(title)
                return ok
            titled = [c for c in self.clusters if c.titled and c.key[-1] == w]
            if firsts or lasts or titled:
                return firsts or lasts + titled
            pet = self._pet_name(w)
            if pet:
                return [pet]
        if cc is None and kind == "name":
            cc = self.canon_for(surface) or self.canon_for(w)
            if cc and cc.name in self.by_canon:
                return [self.by_canon[cc.name]]
        if kind == "nominal" and cc is None:
            return []
        return [self.new((w,), cc)]

    def _pet_name(self, w: str) -> Cluster | None:
        """The one character whose first name ``w`` shortens or pets: Kit, Fred, Jules, Skaggsy, Frank (Francis)."""
        forms = {w, *PET_NAMES.get(w, ())}
        if len(w) >= 3 and w.endswith(("y", "ie")):
            forms.add(w.rstrip("yie") if w.endswith("ie") else w[:-1])
        short = w[:-1] if len(w) >= 4 and w.endswith("s") else w  # British "-s" pet forms: Jules, Mags
        found = {
            id(c): c
            for c in self.clusters
            if not c.unnamed
            and (
                not c.titled
                and (c.first in forms or (len(short) >= 3 and c.first != w and c.first.startswith(short)))
                or (len(c.key) > 1 and c.last in forms and c.last != w)
            )
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def _titled(self, title: str, w: str, cc: fandoms.CanonCharacter | None) -> Cluster:
        """A character known by title and one name ("Mrs. Allen"), apart from everyone else called Allen."""
        c = self.new((title, w), cc)
        c.titled = True
        c.title_words.add(title)
        if nm.TITLES.get(title):
            c.titles[nm.TITLES[title]] += 1
        return c

    def _fits_title(self, c: Cluster, title: str, n: int, w: str) -> bool:
        """Gender agrees; "Mrs" never joins someone called "Miss" (nor the reverse); a title used far more
        often than the full name belongs to someone else."""
        g = nm.TITLES.get(title)
        if g is not None and self.gender_guess(c) not in (g, None):
            return False
        if title == "Mrs" and "Mrs" not in c.title_words:
            women = [k for k in self.clusters if k.last == w and not k.titled and self.gender_guess(k) == "she"]
            if len(women) > 1 or self.forms[("name", "Miss", (w,))]:
                return False  # "Mrs. Bennet" is the mother of the Miss Bennets
        named = c.count + self.forms[("name", None, (c.first,))]
        if title == "Mr" and n > 4 * max(named, 1) and title not in c.title_words:
            return False  # "Mr. Knightley" far outnumbers "John Knightley" and "John": his brother
        clash = {"Mrs": "Miss", "Miss": "Mrs"}.get(title)
        return clash not in c.title_words


def _unnamed(cl: _Clusterer, mentions: list[Mention]) -> None:
    """One character per unnamed person, called by its first definite description ("the masked man")."""
    made: dict[int, Cluster] = {}
    surface = {m.start: m.surface for m in mentions if m.group is not None}
    for i, m in enumerate(mentions):
        if m.group is None:
            continue
        c = made.get(id(m.group))
        if c is None:
            first = next((k for k in m.group.mentions if k.definite and not k.role), m.group.mentions[0])
            name = " ".join(surface[first.start].split())
            c = made[id(m.group)] = cl.new((name[0].lower() + name[1:],), None)  # "The cloaked woman" mid-text
            c.unnamed = True
            if m.group.gender:
                c.titles[m.group.gender] += 1
        m.char = c
        c.mentions.append(i)
        c.names[" ".join(m.surface.split())] += 1


def _assign(mentions: list[Mention], targets: dict[tuple, list[Cluster]], gender: dict[int, str | None]) -> None:
    """Tie names to characters. Without ``gender``, only names with one candidate; with it, the shared
    ones: to a candidate whose gender fits the title ("Mr Quill"), the one named last."""
    last_seen: dict[int, int] = {}
    for i, m in enumerate(mentions):
        if m.kind == "pronoun":
            continue
        if m.char is not None:
            last_seen[id(m.char)] = i
            continue
        cands = targets.get((m.kind, m.title, m.tokens)) or []
        if not cands or len(cands) > 1 and not gender:
            continue
        if len(cands) > 1:
            g = nm.TITLES.get(m.title) if m.title else None
            if g is None and len(m.tokens) == 1 and all(k.last == m.tokens[0] != k.first for k in cands):
                g = "he"  # a bare surname ("Thorpe") is the family's man; the women are Miss and Mrs Thorpe
            fit = [k for k in cands if g is None or gender.get(id(k)) in (g, None)] or cands
            c = max(fit, key=lambda k: (last_seen.get(id(k), -1), len(k.mentions)))
        else:
            c = cands[0]
        m.char = c
        c.mentions.append(i)
        c.names[m.surface] += 1
        if m.title and nm.TITLES.get(m.title):
            c.titles[nm.TITLES[m.title]] += 1
        last_seen[id(c)] = i


def _gender_votes(text: str, mentions: list[Mention], key=lambda m: id(m.char) if m.char else None) -> dict:
    """Pronouns right after a name (same sentence, or starting the next), counted per ``key`` of the name:
    per character by default, per name form before there are characters. A possessive or object
    pronoun in the same sentence counts as a weak vote ("he~")."""
    votes: dict = defaultdict(Counter)
    last: Mention | None = None
    for m in mentions:
        if m.kind != "pronoun":
            last = m if m.subject and key(m) is not None else None
            continue
        if last is None or m.pron in ("i", "you"):
            continue
        if last.para == m.para and last.quote == m.quote:
            gap = text[last.end : m.start]
            ends = len(_SENT_END.findall(gap))
            if m.surface not in _SUBJECT:
                if ends == 0 and m.pron in ("he", "she"):
                    votes[key(last)][m.pron + "~"] += 1  # "Lett shook his head": weaker, "her" may be someone else
                continue
            if ends == 0 or ends == 1 and last.initial and _NEXT_SENT.fullmatch(gap):
                votes[key(last)][m.pron] += 1
        last = None
    return votes


#: What comes before a name that starts its clause: "and Lily ran", "..., James said".
_CLAUSE_START = frozenset(
    "and but as when while because then so until after before since though although if that where , ; : — –".split()
)
#: Pronouns that vote for the gender of the name before them: subjects and reflexives, never "her"/"his".
_SUBJECT = frozenset("he she they xe ze himself herself themself themselves xemself zirself hirself faerself".split())
_NEXT_SENT = re.compile(r"[^.!?…]*[.!?…][\"”’']?\s+")


def _pronouns(votes: Counter, prior: str | None) -> str | None:
    total = sum(v for k, v in votes.items() if not k.endswith("~"))
    for neo in ("xe", "ze", "fae"):
        if votes[neo] and votes[neo] * 2 >= total:
            return neo
    he, she, they = votes["he"], votes["she"], votes["they"]
    if they >= 3 and they > 3 * (he + she):
        return "they"
    need = 1 if prior is None else 2 if prior == ("he" if he > she else "she") else 3
    if he + she >= need and max(he, she) >= 0.7 * (he + she):
        return "he" if he > she else "she"
    if prior or he != she:
        return prior or ("he" if he > she else "she")
    he, she = votes["he~"], votes["she~"]
    return "he" if he > 2 * she else "she" if she > 2 * he else None


def _resolve_pronouns(mentions: list[Mention], gender: dict[int, str | None]) -> None:
    """A third-person pronoun goes to the last-named character of its gender within two paragraphs."""
    last: dict[str, Mention] = {}
    for m in mentions:
        if m.kind != "pronoun":
            if m.char is not None:
                g = gender.get(id(m.char))
                if g:
                    last[g] = m
            continue
        ref = last.get(m.pron) if m.pron not in ("i", "you") else None
        if ref is not None and m.para - ref.para <= 2:
            m.char = ref.char


def _co_presence(story: Story, paras: list[tuple[int, int]], mentions: list[Mention]) -> dict[int, Counter]:
    """How many scenes (or 20-paragraph stretches of a long scene) each pair of characters shares."""
    bounds = [s.start for s in story.spans("scenes")]
    seen: dict[tuple[int, int], set[int]] = defaultdict(set)
    for m in mentions:
        if m.char is not None and m.kind != "pronoun":
            scene = bisect_right(bounds, m.start)
            seen[(scene, m.para // 20)].add(id(m.char))
    pairs: dict[int, Counter] = defaultdict(Counter)
    for ids in seen.values():
        for a in ids:
            for b in ids:
                if a != b:
                    pairs[a][b] += 1
    return pairs


def find_characters(
    story: Story, packs: list[fandoms.Pack] | None = None, model: nm.PersonModel | None = None
) -> tuple[list[Span], list[Character]]:
    """Compute the mentions layer and the cast without touching the story (``packs=None``: detect them)."""
    text = story.text
    paras = prose_paragraphs(story)
    runs = nm.scan(text, paras)
    if packs is None:
        packs = _packs(story, runs)
    canon = Canon(packs)
    mentions = find_mentions(story, paras, canon, runs, model or nm.person_model())
    cl = _Clusterer(canon, nm.given_names())
    cl.form_votes = _gender_votes(text, mentions, key=lambda m: (m.kind, m.title, m.tokens))
    targets = cl.build(mentions, _nicknames(text, paras))
    _unnamed(cl, mentions)
    gender: dict[int, str | None] = {}
    for _ in range(2):  # names with one candidate, then the shared ones using what gender says
        _assign(mentions, targets, gender)
        votes = _gender_votes(text, mentions)
        gender = {id(c): _pronouns(votes.get(id(c), Counter()), cl.gender_guess(c, votes=False)) for c in cl.clusters}
    clusters = [c for c in cl.clusters if c.mentions]
    _resolve_pronouns(mentions, gender)
    counts: Counter = Counter()
    paras_of: dict[int, set[int]] = defaultdict(set)
    for m in mentions:
        if m.char is not None:
            counts[id(m.char)] += 1
            paras_of[id(m.char)].add(m.para)
    clusters.sort(key=lambda c: -counts[id(c)])
    used: set[str] = set()
    for c in clusters:
        c.id = _unique_id(_slug(_main_name(c)), used)
    pairs = _co_presence(story, paras, mentions)
    by_obj = {id(c): c for c in clusters}
    n_paras = max(len(paras), 1)
    top_share = max((len(paras_of[id(c)]) for c in clusters), default=0) / n_paras
    cast = []
    for c in clusters:
        share = len(paras_of[id(c)]) / n_paras
        g = gender[id(c)]
        co = [by_obj[k].id for k, n in pairs[id(c)].most_common(10) if k in by_obj]
        cast.append(
            Character(
                c.id,
                _main_name(c),
                _aliases(c, clusters),
                c.canon.name if c.canon else None,
                PRONOUN_LABEL.get(g) if g else None,
                counts[id(c)],
                share >= max(0.1, top_share / 3) and counts[id(c)] >= 3,
                {"gender": g, "paragraph_share": round(share, 3), "co_present": co},
            )
        )
    spans = [Span(m.start, m.end, attrs={"char": m.char.id if m.char else None, "kind": m.kind}) for m in mentions]
    return spans, cast


def _unique_id(base: str, used: set[str]) -> str:
    i, cid = 2, base
    while cid in used:
        cid, i = f"{base}_{i}", i + 1
    used.add(cid)
    return cid


def _main_name(c: Cluster) -> str:
    """The fullest name the text uses without a title (not shouted, no "-kun"), else its most frequent name."""
    if c.unnamed:
        return c.key[0]
    plain = [n for n in c.names if n.split()[0].rstrip(".") not in nm.TITLES and not n.startswith("the ")]
    if plain:
        best = max(plain, key=lambda n: (len(n.split()), not n.isupper(), "-" not in n, c.names[n]))
        return " ".join(best.split())
    return " ".join(c.names.most_common(1)[0][0].split()) if c.names else " ".join(c.key)


def _fold(name: str) -> str:
    return " ".join(name.replace(".", " ").split()).lower()


def _aliases(c: Cluster, cast: list[Cluster]) -> list[str]:
    """Names the text uses (most frequent first), then canon names no other cast member answers to."""
    seen = {" ".join(n.split()) for n in c.names}
    out = [n for n in sorted(seen, key=lambda n: -c.names[n])]
    if c.canon:
        others = {_fold(n) for k in cast if k is not c for n in (k.canon.names if k.canon else ())}
        others |= {_fold(n) for k in cast if k is not c for n in k.names}
        for n in c.canon.names:
            if n not in seen and _fold(n) not in others:
                out.append(n)
                seen.add(n)
    return out


@stage("characters", requires=("paragraphs",), assigns=("mentions",))
def characters(story: Story) -> Story:
    """Find the cast: names, nicknames, titles, pronouns; canon names from fandom packs."""
    spans, cast = find_characters(story)
    story.add_layer("mentions", spans, producer=PRODUCER)
    story.characters = cast
    return story


def match_character(story: Story, name: str) -> Character | None:
    """The character answering to ``name`` (its id, name or an alias, any case), or None."""
    low = " ".join(name.split()).lower()
    for c in story.characters:
        if low == c.id or low == c.name.lower() or any(low == a.lower() for a in c.aliases):
            return c
    return None
