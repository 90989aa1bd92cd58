"""Alias clustering: which names, titles, nicknames and descriptions belong to one character.

Full names come first (longest and most frequent first; "Harry Potter" joins "Harry James
Potter"), then titled names ("Mr. Elton" joins the one full name its title's gender fits), then
single names onto the one full name they start or end, pet names ("Kit" for Kitty), and nicknames
the text ties to a name. A name several characters share keeps every candidate; ``assign`` picks,
mention by mention, the one named last. The fandom pack links names to canon characters.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

from ficlens import fandoms
from ficlens.analysis import names as nm
from ficlens.analysis import nominals

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
    "Jake": ("Jacob",),
    "Joe": ("Joseph",),
    "Joey": ("Joseph",),
    "Dan": ("Daniel",),
    "Danny": ("Daniel",),
    "Matt": ("Matthew",),
    "Alex": ("Alexander", "Alexandra"),
    "Steve": ("Steven", "Stephen"),
    "Chris": ("Christopher", "Christine", "Christina"),
    "Becky": ("Rebecca",),
    "Greg": ("Gregory",),
    "Ron": ("Ronald",),
    "Ronnie": ("Ronald",),
    "Tim": ("Timothy",),
    "Ken": ("Kenneth",),
    "Ginny": ("Ginevra", "Virginia"),
    "Tasha": ("Natasha",),
}
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
    n: int = 0  # made n-th
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


class Canon:
    """Lookups over the detected packs: names that are people, names that are not."""

    def __init__(self, packs: list[fandoms.Pack]) -> None:
        self.by_name: dict[str, list[fandoms.CanonCharacter]] = {}
        self.ambiguous: set[str] = set()
        self.not_characters: set[str] = set()
        self.roles: set[str] = set()
        for p in packs:
            for low, chars in p.by_name.items():
                self.by_name.setdefault(low, []).extend(c for c in chars if c not in self.by_name.get(low, []))
            for c in p.characters:
                self.ambiguous.update(a.lower() for a in c.ambiguous)
            self.not_characters |= p.not_characters
            self.roles |= p.roles

    def get(self, name: str) -> list[fandoms.CanonCharacter]:
        return self.by_name.get(name.lower(), [])

    def unique(self, name: str) -> fandoms.CanonCharacter | None:
        found = self.get(name)
        return found[0] if len(found) == 1 and name.lower() not in self.ambiguous else None


def nicknames(text: str, paras: list[tuple[int, int]]) -> dict[str, str]:
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


class Clusterer:
    """Groups name mentions into characters (see the module docstring for the order of rules)."""

    def __init__(self, canon: Canon, given: dict[str, str]) -> None:
        self.canon = canon
        self.given = given
        self.clusters: list[Cluster] = []
        # Indexes over ``clusters`` (each list in the order made), so that a long story with thousands of
        # names does not compare every name with every character.
        self.by_key: dict[tuple[str, ...], Cluster] = {}
        self.by_first: dict[str, list[Cluster]] = defaultdict(list)
        self.by_last: dict[str, list[Cluster]] = defaultdict(list)
        self.by_prefix: dict[str, list[Cluster]] = defaultdict(list)  # first three letters of the first name
        self.by_canon: dict[str, Cluster] = {}
        self.form_votes: dict[tuple, Counter] = {}
        self.forms: Counter = Counter()  # (kind, title, tokens) -> mentions

    def new(self, key: tuple[str, ...], canon: fandoms.CanonCharacter | None) -> Cluster:
        c = Cluster(key, canon, n=len(self.clusters))
        self.clusters.append(c)
        self.by_key.setdefault(key, c)
        self.by_first[key[0]].append(c)
        self.by_last[key[-1]].append(c)
        self.by_prefix[key[0][:3]].append(c)
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
        prior = self.prior(c)
        need = 3 if prior and prior != ("he" if he > she else "she") else 1  # one stray "she" is not Ralph
        if he + she >= need and max(he, she) >= 0.7 * (he + she):
            return "he" if he > she else "she"
        return prior

    def prior(self, c: Cluster) -> str | None:
        if c.canon and c.canon.pronouns:
            return c.canon.pronouns.split("/")[0]
        return self.given.get(c.first)

    def containing(self, w: str) -> tuple[list[Cluster], list[Cluster]]:
        firsts = [c for c in self.by_first.get(w, ()) if len(c.key) > 1 and not c.titled]
        if not firsts and w in PET_NAMES:  # "Lizzy", "Miss Eliza": Elizabeth Bennet
            pets = [c for p in PET_NAMES[w] for c in self.by_first.get(p, ()) if len(c.key) > 1 and not c.titled]
            firsts = sorted(pets, key=attrgetter("n"))
        lasts = [c for c in self.by_last.get(w, ()) if len(c.key) > 1 and not c.titled]
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
        singles = sorted((f for f in forms if f not in targets), key=lambda f: (self._order(f), -forms[f]))
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
        for part in toks[-1].split("-") if cc is None and "-" in toks[-1] else ():
            cc = self.canon_for(" ".join((*toks[:-1], part)))  # "Hermione Granger-Weasley" is Hermione Granger
            if cc:
                break
        c = self.by_canon.get(cc.name) if cc else None
        if c is None:
            c = self.by_key.get(toks) or next(
                (
                    k
                    for k in self.by_first.get(toks[0], ())
                    if len(k.key) > len(toks) and k.key[-1] == toks[-1] and set(toks) <= set(k.key)
                ),
                None,
            )
        if c is None and len(toks) == 2:  # "Eliza Bennet" is Elizabeth Bennet, "Frank Oakley" Francis Oakley
            pets = PET_NAMES.get(toks[0], ())
            c = next(
                (
                    k
                    for k in self.by_last.get(toks[1], ())
                    if len(k.key) == 2 and (k.key[0] in pets or toks[0] in PET_NAMES.get(k.key[0], ())) and not k.titled
                ),
                None,
            )
        c = c or self.new(toks, cc)
        if title:
            c.title_words.add(title)
            if nm.TITLES.get(title):
                c.titles[nm.TITLES[title]] += 1
        return c

    def _order(self, form: tuple) -> tuple:
        """Single names with one canon character first (so "General Skywalker" can find Anakin), then titled
        ones, "Miss X" before "Mrs X" so that a mother does not take her daughter's name, then the rest."""
        kind, title, toks = form
        if kind == "name" and title is None and self.canon.unique(toks[-1]):
            return (0, False, kind)
        return (1 if title else 2, title == "Mrs", kind)

    def _single(self, kind: str, title: str | None, toks: tuple[str, ...], w: str, nicks: dict[str, str], n: int):
        surface = f"{title} {w}" if title else w
        if kind == "name":
            cc = self.canon.unique(surface) or self.canon.unique(w)
        else:  # "the Copy Ninja": a pack's nickname, with or without its article
            cc = self.canon_for(w) or self.canon_for(" ".join(toks))
        if cc and cc.name in self.by_canon:
            return [self.by_canon[cc.name]]
        present = [
            self.by_canon[c.name] for c in self.canon.get(surface) or self.canon.get(w) if c.name in self.by_canon
        ]
        if len(present) == 1 and kind == "name":
            return present  # a shared canon name ("Skywalker") with one taker in this story
        if w in nicks:
            tied = next((c for c in self.clusters if nicks[w] in (" ".join(c.key), c.first, c.last)), None)
            if tied:
                return [tied]
        if kind == "name":
            own = self.by_key.get((w,))
            if own:
                return [own]
            firsts, lasts = self.containing(w)
            if title:
                own = self.by_key.get((title, w))
                ok = [c for c in lasts + firsts if not c.titled and self._fits_title(c, title, n, w)]
                if title == "Miss" and len(ok) > 1:
                    ok = self._eldest(ok, w)
                same = [c for c in ok if title in c.title_words]  # "Sir John" is Sir John Middleton
                if own or not ok or len(ok) > 1 and not same:
                    return [own or self._titled(title, w, cc)]
                ok = same or ok
                if len(ok) == 1:
                    ok[0].title_words.add(title)
                    if nm.TITLES.get(title):
                        ok[0].titles[nm.TITLES[title]] += n  # "Mr. Bast" makes Leonard Bast a he before "Mrs. Bast"
                return ok
            titled = [c for c in self.by_last.get(w, ()) if c.titled]
            if firsts and (lasts or titled) and sum(c.count for c in titled) > 3 * sum(c.count for c in firsts):
                firsts = []  # "Weston" is Mr. Weston (400 times) more than "F. C. Weston Churchill" (twice)
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
            rank = nm.RANKS.get(toks[-1])
            holders = [c for c in self.clusters if rank in self._ranks(c)] if rank else []
            return holders if len(holders) == 1 else []  # "the General" is General Kenobi when he is the only one
        return [self.new((w,), cc)]

    @staticmethod
    def _ranks(c: Cluster) -> set[str | None]:
        """The ranks the text puts before its names, or its canon names do ("Inspector Lestrade")."""
        words = c.title_words | {n.split()[0].rstrip(".") for n in c.canon.names} if c.canon else c.title_words
        return {nm.RANKS.get(w) for w in words}

    def _eldest(self, sisters: list[Cluster], w: str) -> list[Cluster]:
        """The eldest daughter is "Miss Bennet"; the text calls her younger sisters "Miss Elizabeth" or "Miss Helen
        Schlegel": so "Miss X" is the most named woman never called so, when the younger ones show the custom.
        Where there is a "Mrs. X" one "Miss Kitty" is not enough (the other candidate may be her mother)."""
        if any(c.last != w or c.first == w for c in sisters):
            return sisters
        elder = [c for c in sisters if "Miss" not in c.title_words and not self.forms[("name", "Miss", (c.first,))]]
        younger = len(sisters) - len(elder)
        if elder and younger >= (2 if self.forms[("name", "Mrs", (w,))] else 1):
            return [max(elder, key=self._named)]
        return sisters

    def _named(self, c: Cluster) -> int:
        """Mentions by full name (so far) and by first name alone."""
        return c.count + self.forms[("name", None, (c.first,))]

    def _pet_name(self, w: str) -> Cluster | None:
        """The one character whose first name ``w`` shortens or pets: Kit, Fred, Jules, Skaggsy, Frank (Francis)."""
        forms = {w, *PET_NAMES.get(w, ())}
        if len(w) >= 3 and w.endswith(("y", "ie")):
            forms.add(w.rstrip("yie") if w.endswith("ie") else w[:-1])
        short = w[:-1] if len(w) >= 4 and w.endswith("s") else w  # British "-s" pet forms: Jules, Mags
        near = [c for f in forms for c in (*self.by_first.get(f, ()), *self.by_last.get(f, ()))]
        near += self.by_prefix.get(short[:3], []) if len(short) >= 3 else []
        found = {
            id(c): c
            for c in near
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
            women = [k for k in self.by_last.get(w, ()) if not k.titled and self.gender_guess(k) == "she"]
            if len(women) > 1 or self.forms[("name", "Miss", (w,))]:
                return False  # "Mrs. Bennet" is the mother of the Miss Bennets
        if title == "Mr" and n > 4 * max(self._named(c), 1) and self.forms[("name", title, c.key)] > 1:
            return False  # "Mr. Knightley" far outnumbers "Mr. John Knightley" (so called to tell them apart)
        first = self.forms[("name", None, (c.first,))]
        if title == "Mr" and w == c.last != c.first and first >= 50 and n >= first / 2:
            return False  # "George" 118 times, "Mr. Emerson" 84: the narrator's George is not his father
        clash = {"Mrs": "Miss", "Miss": "Mrs"}.get(title)
        return clash not in c.title_words


def unnamed(cl: Clusterer, mentions: list[Mention]) -> None:
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


def assign(mentions: list[Mention], targets: dict[tuple, list[Cluster]], gender: dict[int, str | None]) -> None:
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


# "name is": a literal start, so that the regex engine skips ahead in C; the words before it ("her real",
# "Voldemort's true") are read after.
_REAL_NAME = re.compile(r"name[ \t]+(?:is|was)[ \t]+[\"“‘']?")
_WHOSE = re.compile(
    r"(?:\b(?P<pron>[Hh]is|[Hh]er)|['’]s)[ \t]+(?:real|true|actual|full|birth|proper|legal|Christian)[ \t]+\Z"
)


def real_names(text: str, mentions: list[Mention], gender: dict[int, str | None]) -> None:
    """A name given as someone's real one ("Her real name is Annie P. Miller", "Voldemort's real name was Tom
    Riddle") belongs to the character the pronoun (as resolved) or the possessive name refers to: the named
    character's mentions, and gender if it had none, move there."""
    starts = [m.start for m in mentions]
    for r in _REAL_NAME.finditer(text):
        whose = _WHOSE.search(text, max(0, r.start() - 30), r.start())
        if whose is None:
            continue
        i = bisect_left(starts, r.end())
        named = mentions[i] if i < len(mentions) and starts[i] == r.end() else None
        j = bisect_left(starts, whose.start()) - (not whose["pron"])
        who = mentions[j] if 0 <= j < len(mentions) else None
        if named is None or who is None or named.kind != "name" or who.char is None or named.char is None:
            continue
        if who.start != whose.start() if whose["pron"] else who.end != whose.start():
            continue  # the pronoun or the possessive name is not a mention right there
        a, b = who.char, named.char
        ga, gb = gender.get(id(a)), gender.get(id(b))
        if a is b or a.canon and b.canon and a.canon is not b.canon or ga and gb and ga != gb:
            continue
        for m in mentions:
            if m.char is b:
                m.char = a
        a.names.update(b.names)
        a.mentions += b.mentions
        a.canon = a.canon or b.canon
        gender[id(a)] = ga or gb
        b.mentions = []
