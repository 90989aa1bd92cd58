"""Speakers stage: who says each quotation, to whom, how the text tells us, and how sure we are.

Each speech or thought quote gets a short list of candidate characters, each with a few features
read off the text around it: the subject of a speech tag (``"...," said James`` / ``James had
screamed out``), a pronoun or nominal tag resolved to a character (``she whispered``, ``said his
wife``), a described speaker the cast lacks (``said the Hatter``: added to the cast), the subject
of an action beat in the same paragraph, vocatives inside the quote (the person addressed is not
the speaker), who spoke one and two turns earlier (turn-taking), who was addressed last, and how
recently and how often the candidate is mentioned. A small linear model scores the candidates
(``ficlens/models/speakers.json``, trained by ``scripts/train_speakers.py``); the best one is the
speaker and its softmax probability the confidence. Everything is one pass over the quotes, so the
stage is linear in the text.

Addressees come second, once every speaker is known: vocatives, ``said X to Y``, then the partner
in the exchange (the speaker of the turn before or after).
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ficlens import fandoms
from ficlens.analysis.characters import slug
from ficlens.analysis.names import RANKS
from ficlens.analysis.narration import PERSON_RATE, pov_character
from ficlens.analysis.nominals import PERSON_NOUNS
from ficlens.analysis.pipeline import stage
from ficlens.analysis.quotes import SPEECH_VERBS, THINK_VERBS
from ficlens.errors import StageError
from ficlens.story import Character, Span, Story

PRODUCER = "speakers/1"
MODELS = Path(__file__).resolve().parents[1] / "models"
#: The speaker id used while decoding for a first-person narrator the cast does not name; it comes
#: out as a character of its own, "the narrator" (alias "I"), once the narrator says something.
UNNAMED_NARRATOR = "_narrator"
#: How far (characters) around a quote its paragraph's names count: keeps huge paragraphs linear.
_NEAR = 800
#: Readings of the conversation kept while decoding (1 is greedy).
BEAM = 16
FEATURES = (
    "tag_name",  # subject or inverted subject of a speech tag right next to the quote, by name
    "tag_pronoun",  # the same, by a pronoun resolved to the candidate
    "tag_nominal",  # the same, by a description (``sneered the masked man``, ``said his wife``)
    "tag_protagonist",  # the same, by "I" or (in second-person stories) "you"
    "tag_before",  # subject of ``James said,`` just before the quote
    "beat_before",  # first character of the sentence before the quote in its paragraph
    "beat_after",  # first character of the narration after the quote in its paragraph
    "beat_prev_para",  # first character of the last sentence of a narration paragraph right before
    "para_mention",  # named anywhere in the paragraph's narration
    "vocative",  # addressed by name inside the quote
    "in_quote",  # named inside the quote, not as a vocative
    "tag_pronoun_sure",  # the pronoun tag's gender fits no other character around
    "pronoun_fits",  # the pronoun tag's gender is the candidate's
    "pronoun_misfits",  # the pronoun tag's gender is not the candidate's
    "called_next",  # the next turn (within two paragraphs) calls them by name
    "next1",  # a name tag says they speak the next turn (within a few paragraphs)
    "next2",  # ... the turn after that (A in A, B, A)
    "prev1",  # spoke the turn before, in the paragraph before
    "prev2",  # spoke two turns before, the exchange unbroken
    "prev_addressed",  # was addressed by the turn before
    "partner",  # the last one to speak in the exchange before the last turn's speaker (A in A, B, B: A's turn)
    "prev1_gap",  # the same three, with narration paragraphs in between
    "prev2_gap",
    "prev_addressed_gap",
    "recent",  # 1 / (1 + rank) among characters named in the narration before the quote
    "spoke_recently",  # 1 / (1 + rank) among the last few distinct speakers
    "salience",  # share of the story's mentions, scaled to the most mentioned character
    "narrator",  # the first-person narrator or the second-person protagonist
    "continues",  # the previous quote carries on into this one (same utterance or paragraph)
    "carried_over",  # this paragraph's speech continues the last paragraph's unclosed quote
    "gender_first",  # under "he said" / "she said": the first one of that gender named in the narration before
    "gender_last",  # ... the last one of that gender named before the tag
    "gender_last_subject",  # ... the same, named as the subject of a clause
    "calls_own_gender",  # the quote calls someone "sir" (a man) or "madam" (a woman), and the candidate is one too
)
#: Features that also get an ``_untagged`` copy, set only when no tag names anyone for the quote, and a
#: ``_pronoun_tag`` copy, set when the only tag is a pronoun (``he said``).
_UNTAGGED = ("beat_before", "beat_after", "beat_prev_para", "para_mention", "prev1", "prev2", "prev_addressed",
             "partner", "recent", "vocative", "prev1_gap", "prev2_gap", "spoke_recently", "called_next",
             "next1", "next2")
FEATURES += tuple(f + "_untagged" for f in _UNTAGGED) + tuple(f + "_pronoun_tag" for f in _UNTAGGED)
_UNTAGGED_SET = frozenset(_UNTAGGED)
_ALNUM = re.compile(r"\w")
#: How far back (characters) from its end ``gender_first`` reads a narration paragraph before the quote's.
_GENDER_FIRST_REACH = 400
#: A pronoun or possessive -> who it points at: "m" / "f" (by gender), "1" (the narrator), "2" (you), "p" (a group).
_PRONOUNS = {"he": "m", "she": "f", "i": "1", "they": "p", "we": "1", "you": "2",
             "his": "m", "her": "f", "my": "1", "your": "2"}
_PRON_AT = re.compile(r"(he|she|i|they|we|you)\b(?!['’])", re.IGNORECASE)
_AUX = r"(?:(?:had|has|have|was|is|were|would|could|will|did|then|finally|just|suddenly|also|only)\s+)"
_VERB_AFTER = re.compile(
    r"[ \t\n]*(?:[a-z]+ly\s+)?" + _AUX + r"*(?:[a-z]+ly\s+)?([a-z][a-z'’-]*)"
)
_SKIP = " \t\n\r,;:—–-…"
#: What may stand between a subject and its speech verb: ``Mrs. Bennet instantly answered``.
_BEFORE_VERB = re.compile(
    r"(?:[ \t\n]+(?:[a-z]+ly|had|has|have|was|is|were|would|could|will|did|then|again|just|also|only))*"
    r"[ \t\n]+$"
)
#: A speech verb after the quote, before its subject: ``eagerly rejoined Mrs. Elton``, ``put in Lucy``.
_VERB_FIRST = re.compile(r"(?:[a-z]+ly\s+)?([a-z]+)(?:\s+[a-z]+ly)?\s+(?:(out|back|up|in|on)\s+)?")
#: How a quote calls the one it speaks to, when it tells their gender.
_HONORIFIC = re.compile(r"\b(sir|madam|ma['’]am|madame|mademoiselle|my lord|my lady|your lordship|your ladyship)\b",
                        re.IGNORECASE)
#: Person nouns that say the story has not named them (yet): "said the stranger" is someone of their own.
_UNKNOWN = frozenset("stranger visitor newcomer intruder assailant attacker figure".split())
#: A relative clause set off after a name: ``Luke, who was still strapped in,``.
_RELATIVE = re.compile(r",[ \t\n]+(?:who|whose|which)\b[^.!?;\"“”]*$")
_AND = re.compile(r"[ \t]+and[ \t]+")
#: A quote that is someone's reply: ``"...," was her answer``, ``was Mr. Weston's quick amendment``.
_WAS_WHOSE = re.compile(r"was\s+(?:(his|her|my)\b(?!\s+own\b)|(?=[A-Z]))")
_PHRASAL = frozenset("put in|broke in|cut in|struck in|chimed in|went on|spoke up|spoke out|called out".split("|"))
_PRON_END = re.compile(r"\b(he|she|I|they|we|you)$", re.IGNORECASE)
_NOT_VERBS = frozenset("and or but of to in on at with for from as the a an that who which whose".split())
_SENT_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?…][\"'”’)]*\s+(?=\S)")
_TO = re.compile(r"\s*(?:[a-z]+ly\s+)?to\s+", re.IGNORECASE)
_I_TAG = re.compile(r"[\s,]*(?:I\s+(?:[a-z]+ly\s+)?[a-z]+|[a-z]+\s+I)\b")
_YOU_TAG = re.compile(r"[\s,]*you\s+(?:[a-z]+ly\s+)?([a-z]+)\b")
#: Names a reader-insert story gives its second-person protagonist.
_READER_NAMES = frozenset("y/n yn reader you".split())
_NAME_RUN = re.compile(r"(?:[Tt]he\s+)?((?:[A-Z][\w'’-]*\.?)(?:\s+[A-Z][\w'’-]*)*)")
_BY = re.compile(r"\bby\s+(?=\S+(?:\s+\S+){0,3}\s*[,:]\s*$)")
#: Relatives a tag names through someone else (``said his wife``): Mrs or Mr and their surname ...
_KIN_PARENT = {**dict.fromkeys("wife lady mother mama mamma".split(), "mrs"),
               **dict.fromkeys("husband father papa".split(), "mr")}
#: ... or someone else of the family, of this gender (``cried his sister``).
_KIN_FAMILY = {**dict.fromkeys("sister daughter aunt niece".split(), "f"),
               **dict.fromkeys("brother son uncle nephew".split(), "m")}
_KIN_NOUNS = "|".join(_KIN_PARENT | _KIN_FAMILY)
_KIN = re.compile(rf"(his|her)\s+({_KIN_NOUNS})\b", re.IGNORECASE)
_ONE_OF_TWO = re.compile(r"[Tt]he\s+(latter|former)\b")
_KIN_OF = re.compile(rf"['’]?s\s+({_KIN_NOUNS})\b")  # after a name: "Daisy's mamma"
#: What comes before a name in subject position: a clause boundary or a conjunction.
_SUBJECT_BEFORE = re.compile(
    r"(?:^|[.!?;:,—–(\"”’]|\b(?:and|but|as|while|when|then|so|because|though|although|until|before|after|that))\s*$",
    re.IGNORECASE,
)
#: Where the clause that introduces a quote starts: a sentence end or a semicolon.
_CLAUSE_END = re.compile(_SENT_END.pattern + r"|;\s+")
_CALLING = frozenset("you oh dear my thanks thank sorry please hi hello hey bye goodbye morning night evening".split())
#: A pronoun that may open an action beat, sentence-initial (``He looked up``) or not.
_BEAT_PRONOUN = re.compile(r"\b([Hh]e|[Ss]he|[Hh]is|[Hh]er|I|[Mm]y|[Yy]ou|[Yy]our)\b")
_AFTER_VOCATIVE = re.compile(r"[,!?.…;:—–-]|\s+(?:I|you|please|we|don'?t|it'?s|I'?m|come|go|stop|wait|listen|look)\b")


@dataclass
class Model:
    """Feature weights of the candidate ranker."""

    weights: dict[str, float]
    meta: dict = field(default_factory=dict)

    def score(self, feats: dict[str, float]) -> float:
        w = self.weights
        return sum(w.get(k, 0.0) * v for k, v in feats.items())

    @classmethod
    def load(cls, path: Path) -> Model:
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            return cls({k: float(v) for k, v in d["weights"].items()}, {k: v for k, v in d.items() if k != "weights"})
        except (OSError, ValueError, KeyError, AttributeError) as e:
            raise StageError(
                f"speaker model {path} is missing or broken ({e}); rebuild it with scripts/train_speakers.py"
            ) from None


def default_model() -> Model:
    return Model.load(MODELS / "speakers.json")


def model_for(novel: str) -> Model | None:
    """The fold model that was not trained on PDNC novel ``novel`` (None when there are no fold models)."""
    for path in sorted(MODELS.glob("speakers_fold*.json")):
        m = Model.load(path)
        if novel in m.meta.get("test_novels", []):
            return m
    return None


# -- reading the text around a quote ----------------------------------------------------------


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    char: str | None
    kind: str


class Context:
    """Everything the features need about one story, indexed once. Speakers the tags describe but the
    cast lacks (``described_speakers``) are added to ``story.characters`` here; their mentions stay
    in this index, not in the story's "mentions" layer."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.text = story.text
        self.quotes = story.spans("quotes")
        self.q_starts = [q.start for q in self.quotes]
        self.q_ends = [q.end for q in self.quotes]
        ms = [
            Mention(s.start, s.end, s.attrs.get("char"), s.attrs.get("kind", "name"))
            for s in story.spans("mentions")
        ]
        self.by_name = _by_name(story.characters)
        self._index(story.characters, ms)
        self.narrator: str | None = None  # set before it is found: finding it reads tags, which ask who "I" is
        self.reader: str | None = None
        self.scene_narrators: list[tuple[int, int, str]] = []
        self.narrator = _narrator(self, self.quotes)  # who "I" is in tags
        self.scene_narrators = _scene_narrators(self)  # ... unless a first-person scene's POV header says
        self.reader = _reader(self, self.quotes)  # who "you" is in tags, in second-person stories
        described, extra = described_speakers(self)
        if extra:
            known = {c.id for c in story.characters}
            story.characters.extend(c for c in described if c.id not in known)
            self._index(story.characters, ms + extra)

    def _index(self, cast: list[Character], ms: list[Mention]) -> None:
        """The characters' genders and salience, and their mentions by position and (narration) by gender."""
        self.chars = {c.id: c for c in cast}
        self.gender = {c.id: _gender(c) for c in cast}
        self.mentions = sorted((m for m in ms if m.char in self.chars or m.kind == "pronoun"), key=lambda m: m.start)
        self.m_starts = [m.start for m in self.mentions]
        self.at = {m.start: m for m in self.mentions}
        counts = Counter(m.char for m in self.mentions if m.char)
        top = max(counts.values(), default=1)
        self.salience = {c: n / top for c, n in counts.items()}
        # named narration mentions by gender, for resolving pronouns: positions and characters
        self.by_gender: dict[str, tuple[list[int], list[str]]] = {}
        for m in self.mentions:
            if m.char and m.kind != "pronoun" and not self.inside_quote(m.start):
                g = self.gender.get(m.char)
                if g:
                    pos, ids = self.by_gender.setdefault(g, ([], []))
                    pos.append(m.start)
                    ids.append(m.char)
        self.top_by_gender: dict[str, str] = {}
        for cid, _ in counts.most_common():
            self.top_by_gender.setdefault(self.gender.get(cid) or "?", cid)

    def narrator_at(self, pos: int) -> str | None:
        """Who "I" is at ``pos``: the POV character of a first-person scene headed "~John~" or "Lily's POV",
        else the story's narrator."""
        k = bisect_right(self.scene_narrators, (pos, "\uffff")) - 1
        if k >= 0 and pos < self.scene_narrators[k][1]:
            return self.scene_narrators[k][2]
        return self.narrator

    def tag_gender(self, cid: str, pos: int) -> str | None:
        """The pronoun a tag at ``pos`` uses for ``cid``: "1" for the narrator and the second-person
        protagonist (``he said`` is never "I"), else "m" / "f" / None."""
        return "1" if cid in (self.narrator_at(pos), self.reader) else self.gender.get(cid)

    def inside_quote(self, pos: int) -> bool:
        k = bisect_right(self.q_starts, pos) - 1
        return k >= 0 and pos < self.q_ends[k]

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return self.mentions[bisect_left(self.m_starts, start) : bisect_left(self.m_starts, end)]

    def resolve(self, word: str, pos: int) -> str | None:
        """The character a pronoun at ``pos`` refers to: the last one of its gender named before it."""
        g = _PRONOUNS.get(word.lower())
        if g == "1":
            return self.narrator_at(pos)
        if g == "2":
            return self.reader
        if g not in ("m", "f"):
            return None
        pos_list, ids = self.by_gender.get(g, ([], []))
        k = bisect_left(pos_list, pos) - 1
        if k < 0 or pos - pos_list[k] >= 5000:
            return self.top_by_gender.get(g)
        # prefer the nearest one named where a subject stands (after a clause boundary), else the
        # first one named in the nearest sentence: the subject more often than not
        for j in range(k, max(-1, k - 8), -1):
            if pos - pos_list[j] > 1500:
                break
            if self.as_subject(pos_list[j]):
                return ids[j]
        lo = _sentence_start(self.text, pos_list[k])
        while k > 0 and pos_list[k - 1] >= lo:
            k -= 1
        return ids[k]

    def as_subject(self, pos: int) -> bool:
        """Whether a name at ``pos`` stands where a subject does: after a clause boundary or a conjunction."""
        return _SUBJECT_BEFORE.search(self.text, max(0, pos - 12), pos) is not None

    def subject_at(self, pos: int, limit: int) -> tuple[str | None, int, int, str] | None:
        """The character a subject at ``pos`` (a mention or a pronoun) names: (char, start, end, kind)."""
        m = self.at.get(pos)
        if m is not None and m.kind != "pronoun":
            k = _KIN_OF.match(self.text, m.end, limit)
            if k:
                return self.relative(m.char, k.group(1), pos), m.start, k.end(), "nominal"
            return m.char, m.start, m.end, m.kind
        p = _PRON_AT.match(self.text, pos, limit)
        if p:
            return self.resolve(p.group(1), pos), p.start(), p.end(), "pronoun"
        k = _KIN.match(self.text, pos, limit)
        if k:
            return self.kin(k.group(1), k.group(2), pos), k.start(), k.end(), "nominal"
        o = _ONE_OF_TWO.match(self.text, pos, limit)
        if o:  # the latter: the one named last; the former: the one named before them
            return self.named_before(pos, 0 if o.group(1).lower() == "latter" else 1), o.start(), o.end(), "nominal"
        return self.name_at(pos, limit)

    def named_before(self, pos: int, nth: int) -> str | None:
        """The ``nth`` (0: last) distinct character named in narration before ``pos``, nearby."""
        seen = self.recently_named(pos, nth + 1, 3000)
        return seen[nth] if len(seen) > nth else None

    def recently_named(self, pos: int, most: int, reach: int, scan: int | None = None) -> list[str]:
        """Up to ``most`` distinct characters named in narration in the ``reach`` characters before
        ``pos`` (looking at no more than ``scan`` mentions), the nearest first."""
        seen: list[str] = []
        k = bisect_left(self.m_starts, pos) - 1
        stop = -1 if scan is None else max(-1, k - scan)
        while k > stop and len(seen) < most and pos - self.mentions[k].start < reach:
            m = self.mentions[k]
            if m.char and m.kind != "pronoun" and m.char not in seen and not self.inside_quote(m.start):
                seen.append(m.char)
            k -= 1
        return seen

    def kin(self, possessive: str, noun: str, pos: int) -> str | None:
        """``his wife`` / ``her sister``: the relative of whoever "his" or "her" is (the person just
        addressed by name, if any: ``"My dear Mr. Bennet," said his lady``)."""
        g = "m" if possessive.lower() == "his" else "f"
        k = bisect_right(self.q_ends, pos) - 1
        addressed = [c for c, _ in vocatives(self, self.quotes[k])] if k >= 0 and pos - self.q_ends[k] < 25 else []
        owner_id = next((c for c in addressed if self.gender.get(c) == g), None)
        return self.relative(owner_id or self.resolve("he" if g == "m" else "she", pos), noun, pos)

    def relative(self, owner_id: str | None, noun: str, pos: int) -> str | None:
        """The ``noun`` (wife, sister...) of character ``owner_id``, found by surname: the Mrs or Mr of
        that name for a spouse or parent, else the one of the family (of the noun's gender) named last
        before ``pos``."""
        owner = self.chars.get(owner_id or "")
        names = [bare_name(n).split() for n in (owner.name, *owner.aliases)] if owner else []
        surname = next((n[-1] for n in sorted(names, key=len, reverse=True) if len(n) > 1), None)
        if surname is None:
            return None
        noun = noun.lower()
        if noun in _KIN_PARENT:
            return self.by_name.get(f"{_KIN_PARENT[noun]} {surname}")
        g = _KIN_FAMILY[noun]
        family = {c.id for c in self.chars.values() if c.id != owner_id and self.gender.get(c.id) == g
                  and any(surname in bare_name(n).split()[1:] for n in (c.name, *c.aliases))}
        pos_list, ids = self.by_gender.get(g, ([], []))
        k = bisect_left(pos_list, pos) - 1
        while k >= 0 and pos - pos_list[k] < 20000:
            if ids[k] in family:
                return ids[k]
            k -= 1
        return None

    def name_at(self, pos: int, limit: int) -> tuple[str | None, int, int, str] | None:
        """A known name at ``pos`` that the mentions layer missed (``the Mouse``, ``Mrs. Hurst``)."""
        m = _NAME_RUN.match(self.text, pos, limit)
        if not m:
            return None
        words = m.group(1).split()
        for k in range(len(words), 0, -1):
            cid = self.by_name.get(bare_name(" ".join(words[:k])))
            if cid:
                return cid, m.start(1), m.start(1) + len(" ".join(words[:k])), "name"
        cid = self.by_name.get(bare_name(words[-1]))
        return (cid, m.start(1), m.end(1), "name") if cid else None

    def first_character(self, start: int, end: int) -> tuple[str | None, int, int, str] | None:
        """The first character named or referred to (pronoun, possessive) in narration ``[start, end)``."""
        first_m = next((m for m in self.mentions_in(start, end) if m.kind != "pronoun" and m.char), None)
        stop = first_m.start if first_m else end
        for p in _BEAT_PRONOUN.finditer(self.text, start, stop):
            cid = self.resolve(p.group(1), p.start())
            if cid:
                return cid, p.start(), p.end(), "pronoun"
        if first_m:
            return first_m.char, first_m.start, first_m.end, first_m.kind
        return None


def _by_name(cast: list[Character]) -> dict[str, str]:
    """A name or alias (lower case, no article) -> the one character answering to it."""
    names: dict[str, set[str]] = {}
    for c in cast:
        for n in (c.name, *c.aliases):
            names.setdefault(bare_name(n), set()).add(c.id)
    return {n: next(iter(ids)) for n, ids in names.items() if len(ids) == 1 and n}


# -- speakers the cast does not name ------------------------------------------------------------

_THE = re.compile(r"(?:[Tt]he|[Aa]n?)[ \t\n]+([A-Za-z][\w'’-]*(?:[ \t\n]+[A-Za-z][\w'’-]*){0,3})")
_VERB_THE = re.compile(r"([a-z]+)(?:[ \t\n]+[a-z]+ly)?[ \t\n]+(?:(?:out|back|up)[ \t\n]+)?(?=(?:[Tt]he|[Aa]n?)\b)")
#: Words that end a description (``said the King to the Queen``, ``the old man slowly said``).
_DESC_STOP = _NOT_VERBS | frozenset(
    "at into onto upon without after before again then now once still not no there here had has have was is were "
    "would could will did do does had himself herself behind ahead beside outside inside close near half somewhat "
    "when where while me him her them us it".split()
)
_GENDER_OF = {"he/him": "m", "she/her": "f"}
#: How far back (characters) a named character of the same gender makes a lower-case description theirs.
_DESCRIBED_REACH = 6000
#: Plurals without an s: ``said the men`` is a group speaking.
_GROUP_NOUNS = frozenset("men women children people folk gentlemen ladies".split())
_HE_SHE = re.compile(r"\b(he|him|his|she|her)\b", re.IGNORECASE)
#: Words that describe someone by their looks or age, as fan fiction's epithets do (``said the blonde``,
#: ``the older boy``): like "the girl", usually someone the story has named.
_EPITHETS = frozenset("blonde blond brunette redhead older younger elder taller shorter smaller teen teenager "
                      "male female".split())
#: Heads that stand for no one in particular or for someone already named (``said the other``).
_NOT_PERSON = frozenset("other others latter former one same first second third last next rest whole".split())
#: Heads whose gender the word itself gives.
_HEAD_GENDER = {
    **{w: "he/him" for w in "man boy gentleman lad fellow king duke lord father husband son brother uncle sir "
       "prince master gentlemen".split()},
    **{w: "she/her" for w in "woman girl lady lass queen duchess mother wife daughter sister aunt princess "
       "mistress madam maid".split()},
}


def _description(text: str, pos: int, limit: int) -> tuple[int, int, str] | None:
    """``the old man`` at ``pos``: (start, end, the words after "the"), cut before the first word that
    cannot describe a person (a preposition, an adverb, a verb), with capitals kept together."""
    m = _THE.match(text, pos, limit)
    if not m:
        return None
    words: list[str] = []
    end = m.start(1)
    for w in re.finditer(r"[A-Za-z][\w'’-]*", m.group(1)):
        low = w.group().lower()
        if (low in _DESC_STOP or low in SPEECH_VERBS or low in THINK_VERBS or low.endswith("ly") and low != "lady"
                or words and words[0][0].isupper() and w.group()[0].islower()):
            break
        owner = re.match(r"(.+)['’]s$", w.group())  # "the Rabbit's voice": the Rabbit speaks
        words.append(owner.group(1) if owner else w.group())
        end = m.start(1) + (w.start() + len(owner.group(1)) if owner else w.end())
        if owner:
            break
    if not words or words[-1].lower() in _NOT_PERSON:
        return None
    return m.start(), end, " ".join(words)


def _described_tag(text: str, q_end: int, limit: int) -> tuple[int, int, str] | None:
    """The description in a speech tag after a quote: ``said the Hatter`` / ``the old man replied``."""
    pos = q_end
    while pos < limit and text[pos] in _SKIP:
        pos += 1
    if "\n\n" in text[q_end:pos]:
        return None
    v = _VERB_THE.match(text, pos, limit)
    if v and (v.group(1) in SPEECH_VERBS or v.group(1) in THINK_VERBS):
        return _description(text, v.end(), limit)
    d = _description(text, pos, limit)
    if d:
        w = _VERB_AFTER.match(text, d[1], limit)
        if w and (w.group(1) in SPEECH_VERBS or w.group(1) in THINK_VERBS):
            return d
    return None


#: Ranks as names abbreviate them, spelled out: "Dr. Archie" is "the doctor".
_TITLE_WORDS = {k.lower(): v.lower() for k, v in RANKS.items()}


def _name_words(cast: Iterable[Character]) -> dict[str, str]:
    """A word of a name (lower case) -> the one character whose names use it: ``the General`` is
    General Tilney when he is the only one the story calls General."""
    owners: dict[str, set[str]] = {}
    for c in cast:
        for n in (c.name, *c.aliases):
            for w in bare_name(n).split():
                owners.setdefault(_TITLE_WORDS.get(w, w), set()).add(c.id)
    return {w: next(iter(ids)) for w, ids in owners.items() if len(ids) == 1}


def _appositions(ctx: Context, heads: set[str]) -> dict[str, str]:
    """A description's head -> the one character the narration puts it beside (``Basil Hallward, the
    painter``, ``Mr. Wells, the coroner``): "said the painter" is then Basil's."""
    alts = "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
    after = re.compile(rf",?[ \t\n]+(?:the|a|an)[ \t\n]+(?:[a-z-]+[ \t\n]+){{0,2}}({alts})\b")
    seen: dict[str, Counter] = {}
    for m in ctx.mentions:
        if m.char and m.kind == "name":
            a = after.match(ctx.text, m.end, m.end + 60)
            if a:
                seen.setdefault(a.group(1), Counter())[m.char] += 1
    out = {}
    for head, chars in seen.items():
        (best, n), *rest = chars.most_common(2)
        if not rest or rest[0][1] * 3 <= n:  # one character, or one three times as often as the next
            out[head] = best
    return out


def _pronoun_after(text: str, pos: int) -> str | None:
    """The pronouns of the first "he" or "she" (his, her...) shortly after ``pos`` in its paragraph."""
    m = _HE_SHE.search(text, pos, min(len(text), pos + 150))
    if m is None or "\n\n" in text[pos : m.start()]:
        return None
    return "he/him" if m.group(1).lower() in ("he", "him", "his") else "she/her"


def _belonging_words(story: Story) -> frozenset[str]:
    """The houses, teams and orders of the story's fandoms (lower case): "said the Slytherin" describes
    someone by what they belong to, usually someone the story has named."""
    detected = set(story.meta.extra.get("fandoms_detected") or ())
    return frozenset().union(*(p.not_characters for p in fandoms.loaded_packs() if p.name in detected))


def described_speakers(ctx: Context) -> tuple[list[Character], list[Mention]]:
    """Speakers the tags describe instead of naming (``said the Hatter``, ``the old man replied``).

    A title (``the Hatter``) or a role (``said the mariner``) is a character of its own (one per head
    word), with a mention wherever the text uses it; a plural (``cried the twins``) is a group. A
    plain ``said the girl`` is usually someone the story has named, so it makes a character only when
    nobody of its gender (from the noun or the next "he"/"she") has been named for a while (``said
    the man`` in a scene with no named man).
    Descriptions of a known character (``the Mouse``) only get the mentions."""
    text, quotes = ctx.text, ctx.quotes
    belonging = _belonging_words(ctx.story)
    found: dict[str, Counter] = {}
    votes: dict[str, Counter] = {}  # head -> the pronouns used right after its tags
    tagged_at: list[tuple[int, int, str]] = []  # indefinite descriptions in tags, which the search below misses
    for i, q in enumerate(quotes):
        if q.attrs.get("kind") not in ("speech", "thought"):
            continue
        limit = quotes[i + 1].start if i + 1 < len(quotes) else len(text)
        d = _described_tag(text, q.end, min(limit, q.end + 80))
        if d is None or any(m.char for m in ctx.mentions_in(d[0], d[1]) if m.kind != "pronoun"):
            continue
        head = d[2].split()[-1].lower()
        pronouns = _HEAD_GENDER.get(head) or _pronoun_after(text, d[1])
        new = not text.startswith(("the", "The"), d[0])  # "said a stranger": someone not met before
        if new:
            tagged_at.append((d[0], d[1], d[2]))
        like_named = (head in PERSON_NOUNS or head in _EPITHETS) and head not in _UNKNOWN if d[2][0].islower() \
            else head in belonging
        if like_named and not new:  # "the girl", "the Slytherin": usually someone named
            pos_list, who = ctx.by_gender.get(_GENDER_OF.get(pronouns or ""), ([], []))
            k = bisect_left(pos_list, d[0]) - 1
            while k >= 0 and who[k] in (ctx.narrator, ctx.reader):  # "said the man" is not about "I"
                k -= 1
            if not pronouns or k >= 0 and d[0] - pos_list[k] < _DESCRIBED_REACH:
                continue
        found.setdefault(head, Counter())[d[2]] += 1
        votes.setdefault(head, Counter())[pronouns] += 1
    chars: list[Character] = []
    ids: dict[str, str] = {}  # description -> character id
    titled = _name_words(ctx.chars.values())
    appositions = _appositions(ctx, set(found)) if found else {}
    for head, forms in found.items():
        known = next((ctx.by_name[k] for f in forms if (k := bare_name(f)) in ctx.by_name), None)
        known = known or ctx.by_name.get(head) or titled.get(head) or appositions.get(head)
        if known:  # the story calls them this too: "the General" is one of General Tilney's names
            ids.update(dict.fromkeys(forms, known))
            c = ctx.chars[known]
            c.aliases += [a for f in forms if bare_name(a := "the " + f) not in map(bare_name, (c.name, *c.aliases))]
            continue
        cid = "the_" + slug(head)
        pronouns, n = votes[head].most_common(1)[0]
        if n * 3 <= 2 * votes[head].total():
            pronouns = None  # the pronouns after its tags disagree
        group = head in _GROUP_NOUNS or head.endswith("s") and not head.endswith(("ss", "us"))  # "the twins"
        name = "the " + forms.most_common(1)[0][0]
        chars.append(Character(cid, name, ["the " + f for f in forms], pronouns="they/them" if group else pronouns,
                               attrs={"described": True, "group": group}))
        ids.update(dict.fromkeys(forms, cid))
    extra: list[Mention] = []
    if ids:
        alts = "|".join(r"[ \t\n]+".join(map(re.escape, f.split())) for f in sorted(ids, key=len, reverse=True))
        for m in re.finditer(rf"\b[Tt]he[ \t\n]+({alts})\b", text):
            if not any(n.char for n in ctx.mentions_in(m.start(), m.end()) if n.kind != "pronoun"):
                form = " ".join(m.group(1).split())
                extra.append(Mention(m.start(), m.end(), ids[form], "name" if form[0].isupper() else "nominal"))
        extra += [Mention(a, b, ids[form], "nominal") for a, b, form in tagged_at if form in ids]
    counts = Counter(m.char for m in extra)
    for c in chars:
        c.mentions = counts[c.id]
    return chars, extra


def _sentence_start(text: str, pos: int) -> int:
    lo = max(0, pos - 400)
    return max(text.rfind(". ", lo, pos), text.rfind("! ", lo, pos), text.rfind("? ", lo, pos),
               text.rfind("\n\n", lo, pos), text.rfind('" ', lo, pos), lo)


def bare_name(name: str) -> str:
    """A name compared loosely: lower case, single spaces, no leading article."""
    words = name.lower().replace(".", "").split()
    if words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def _gender(c: Character) -> str | None:
    p = (c.pronouns or str(c.attrs.get("gender") or "")).lower()
    if p.startswith(("she", "f")):
        return "f"
    if p.startswith(("he", "m")):
        return "m"
    return None


@dataclass(slots=True)
class Tag:
    char: str | None
    start: int
    end: int
    kind: str  # "name" | "nominal" | "pronoun"
    #: Everyone a group tag names (``Naruto and Sakura yelled``), the first of them in ``char``.
    group: tuple[str, ...] = ()


def tag_after(ctx: Context, q_end: int, limit: int) -> Tag | None:
    """``"...," James said`` / ``"...," said James`` / ``"...," she whispered``: the tag's subject."""
    text = ctx.text
    pos = q_end
    while pos < limit and text[pos] in _SKIP:
        pos += 1
    if pos >= limit or "\n\n" in text[q_end:pos]:
        return None
    subj = ctx.subject_at(pos, limit)
    if subj is not None:
        v = _VERB_AFTER.match(text, subj[2], limit)
        if v and v.group(1) not in _NOT_VERBS:
            return Tag(*subj)
        group = _group_tag(ctx, subj, limit)  # "Naruto and Sakura yelled"
        if group is not None and (v := _VERB_AFTER.match(text, group.end, limit)) and v.group(1) not in _NOT_VERBS:
            return group
        return None
    was = _WAS_WHOSE.match(text, pos, limit)  # "...," was Mr. Weston's quick amendment / was his reply
    if was:
        if was.group(1):
            return Tag(ctx.resolve(was.group(1), was.start(1)), was.start(1), was.end(1), "pronoun")
        subj = ctx.subject_at(was.end(), limit)
        if subj is not None and text.startswith(("'s", "’s"), subj[2]):
            return Tag(*subj)
        return None
    w = _VERB_FIRST.match(text, pos, limit)
    if w and (w.group(1) in SPEECH_VERBS or w.group(1) in THINK_VERBS or f"{w.group(1)} {w.group(2)}" in _PHRASAL):
        p2 = w.end()
        subj = ctx.subject_at(p2, limit)
        if subj is None:  # "sneered the masked man": a description a word or two later
            m = next((m for m in ctx.mentions_in(p2, min(limit, p2 + 30)) if m.kind != "pronoun"), None)
            if m is not None:
                subj = (m.char, m.start, m.end, m.kind)
        if subj is not None:
            return _group_tag(ctx, subj, limit) or Tag(*subj)  # "cried Naruto and Sakura" is a group
    return None


def _group_tag(ctx: Context, subj: tuple, limit: int) -> Tag | None:
    """The tag of ``Naruto and Sakura``, both of them named characters: from the first name to the
    second, with both in ``group``; None when ``subj`` has no such partner."""
    m = _AND.match(ctx.text, subj[2], limit)
    if m is None or not subj[0] or subj[3] != "name":
        return None
    also = ctx.subject_at(m.end(), limit)
    if also is None or not also[0] or also[3] != "name" or also[0] == subj[0]:
        return None
    return Tag(subj[0], subj[1], also[2], subj[3], (subj[0], also[0]))


def tag_before(ctx: Context, lo: int, q_start: int) -> Tag | None:
    """``James said, "..."`` / ``she whispered: "..."`` / ``Mr Shepherd added--``: the subject of the
    clause that introduces the quote."""
    text = ctx.text
    before = text[lo:q_start].rstrip()
    dash = before.endswith(("--", "—", "–"))  # "and then added--"
    last = re.search(r"([a-z]+)(?:\s+[a-z]+ly)?$", before)
    verb_last = bool(last and last.group(1) in SPEECH_VERBS)  # and the Gryphon added "Come..."
    if not (dash or verb_last or before.endswith((",", ":"))):
        return None
    end = lo + len(before)
    clause_start = lo + max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
    words = re.findall(r"[a-z]+", text[clause_start:end])[-4:]
    if not (dash or before.endswith(":") or any(w in SPEECH_VERBS or w in THINK_VERBS for w in words)):
        return None
    by = _BY.search(text, max(clause_start, end - 60), end)  # "accosted by Miss Bingley,"
    subj = ctx.subject_at(by.end(), end) if by else None
    subj = subj or _subject_of_verb(ctx, clause_start, end) or ctx.first_character(clause_start, end)
    return Tag(*subj) if subj else None


def _subject_of_verb(ctx: Context, start: int, end: int) -> tuple[str | None, int, int, str] | None:
    """The one named or pronoun right before a speech verb of ``[start, end)``, the last verb first:
    ``so eagerly that the Gryphon said, in a rather offended tone,`` is the Gryphon's, not Alice's
    before it; ``when Edward interrupted her by saying,`` is Edward's."""
    verbs = [start + m.start() for m in re.finditer(r"[a-z]+", ctx.text[start:end])
             if m.group() in SPEECH_VERBS or m.group() in THINK_VERBS]
    for verb in reversed(verbs):
        before = _BEFORE_VERB.search(ctx.text, max(start, verb - 60), verb)
        if before is None:
            continue
        at = before.start()
        named = [m for m in ctx.mentions_in(max(start, at - 80), at) if m.kind != "pronoun" and m.end == at]
        if named:
            return named[-1].char, named[-1].start, named[-1].end, named[-1].kind
        pron = _PRON_END.search(ctx.text, max(start, at - 5), at)
        if pron:
            return ctx.resolve(pron.group(1), pron.start()), pron.start(), at, "pronoun"
        if ctx.text[at - 1] == ",":  # "Luke, who was still strapped in, said faintly,": the one the clause describes
            named = [m for m in ctx.mentions_in(start, at) if m.kind != "pronoun" and m.char
                     and _RELATIVE.match(ctx.text, m.end, at)]
            if named:
                return named[-1].char, named[-1].start, named[-1].end, named[-1].kind
    return None


def vocatives(ctx: Context, q: Span) -> list[tuple[str, int]]:
    """Characters addressed by name inside quote ``q``: (id, offset)."""
    text = ctx.text
    out = []
    for m in ctx.mentions_in(q.start, q.end):
        if not m.char or m.kind != "name":
            continue
        k = m.start - 1
        while k > q.start and text[k] in " \t\n":
            k -= 1
        word = re.search(r"(\w+)\W*$", text[max(q.start, k - 12) : k + 1])
        before_ok = k <= q.start or text[k] in ",!?.…;:—–-" or bool(word and word.group(1).lower() in _CALLING)
        after = _AFTER_VOCATIVE.match(text, m.end, q.end)
        at_end = m.end >= q.end - 1
        if (before_ok and (after or at_end)) or (text[k] == "," and (at_end or (after and after.group() != ","))):
            out.append((m.char, m.start))
    return out


# -- features and decoding --------------------------------------------------------------------


@dataclass
class Turn:
    """One paragraph's quotes, as the exchange remembers it."""

    para: int
    speaker: str | None
    addressees: list[str]


@dataclass
class Decision:
    quote: int
    candidates: list[str]
    features: list[dict[str, float]]
    scores: list[float]
    tags: dict[str, Tag]
    #: Index of the chosen candidate (the beam's best reading may not take each quote's top score).
    chosen: int | None = None


@dataclass
class Static:
    """What the text around a quote says about its speaker, whatever the conversation so far."""

    q: Span
    feats: dict[str, dict[str, float]]
    tags: dict[str, Tag]
    tagged: bool  # a tag names (or refers to) someone
    tag_gender: str | None  # "m" / "f" when the tag is "he" / "she"
    called: str | None = None  # "m" / "f" when the quote calls someone "sir" / "madam"
    tag_follows: bool = False  # a tag of its own comes right after the quote ("...," she said)


def _paragraph_of(starts: list[int], pos: int) -> int:
    return bisect_right(starts, pos) - 1


def _add(feats: dict[str, dict[str, float]], cid: str | None, name: str, value: float = 1.0) -> None:
    if cid:
        f = feats.setdefault(cid, {})
        f[name] = max(f.get(name, 0.0), value)


def static_features(
    ctx: Context, q: Span, p_lo: int, p_hi: int, lo: int, hi: int, intro: int | None,
    before: tuple[int, int] | None = None,
) -> Static:
    """Tags, beats, vocatives, names and recency around quote ``q`` in paragraph ``[p_lo, p_hi)``;
    ``lo``/``hi`` bound the narration on either side, ``intro`` starts a paragraph that may introduce it,
    ``before`` is the narration paragraph right before one that opens with the quote (``Lady Catherine
    seemed resigned.`` then her line)."""
    feats: dict[str, dict[str, float]] = {}
    tags: dict[str, Tag] = {}

    def add(cid: str | None, name: str, value: float = 1.0, tag: Tag | None = None) -> None:
        _add(feats, cid, name, value)
        if cid and tag is not None:
            tags.setdefault(cid, tag)

    t = tag_after(ctx, q.end, hi)
    tag_follows = t is not None
    if t is None and lo > p_lo and not _SENT_END.search(ctx.text, lo, q.start):
        t = tag_after(ctx, lo, q.start)  # between two pieces: the tag of both ("I know," she said, "but...")
    if t is not None:
        kind = {"name": "tag_name", "nominal": "tag_nominal"}.get(t.kind, "tag_pronoun")
        if kind == "tag_pronoun" and _PRONOUNS.get(ctx.text[t.start : t.end].lower()) in ("1", "2"):
            kind = "tag_protagonist"  # "I said" / "you say": never ambiguous
        add(t.char, kind, tag=t)
    else:
        tb = tag_before(ctx, lo, q.start)
        if tb is None and intro is not None and not ctx.text[lo : q.start].strip():
            tb = tag_before(ctx, intro, q.start)
        if tb is not None:
            add(tb.char, "tag_before", tag=tb)
    tagged = bool(feats)
    # action beats: the sentence before the quote, the narration after it
    sent_lo = max((m.end() for m in _SENT_END.finditer(ctx.text, lo, q.start)), default=lo)
    b = ctx.first_character(sent_lo, q.start) if q.start > lo else None
    if b:
        add(b[0], "beat_before", tag=Tag(*b))
    if t is None and hi > q.end:
        a = ctx.first_character(q.end, min(hi, q.end + 200))
        if a:
            add(a[0], "beat_after", tag=Tag(*a))
    if before is not None:
        last = max((m.end() for m in _SENT_END.finditer(ctx.text, *before)), default=before[0])
        b = ctx.first_character(last, before[1])
        if b:
            add(b[0], "beat_prev_para")
    for m in ctx.mentions_in(max(p_lo, q.start - _NEAR), min(p_hi, q.end + _NEAR)):  # near, in long paragraphs
        if m.char and m.kind != "pronoun" and not ctx.inside_quote(m.start):
            add(m.char, "para_mention")
    voc = {c for c, _ in vocatives(ctx, q)}
    for cid in voc:
        add(cid, "vocative")
    for m in ctx.mentions_in(q.start, q.end):
        if m.char and m.char not in voc and m.kind == "name":
            add(m.char, "in_quote")
    # recency: characters named in the narration before the quote, nearest first (at most 80 mentions
    # back: dense text stays linear)
    for rank, cid in enumerate(ctx.recently_named(q.start, 8, 6000, scan=80)):
        add(cid, "recent", 1.0 / (1 + rank))
    for who in {ctx.narrator_at(q.start), ctx.reader} - {None}:
        add(who, "narrator")
    tag_gender = _PRONOUNS.get(ctx.text[t.start : t.end].lower()) if t is not None and t.kind == "pronoun" else None
    if tag_gender in ("m", "f"):  # "Hallward stopped, looked at Dorian Gray. "It is finished," he cried": Hallward
        pos_list, ids = ctx.by_gender.get(tag_gender, ([], []))
        for a, b in ((lo, q.start), (max(before[0], before[1] - _GENDER_FIRST_REACH), before[1]) if before else (0, 0)):
            k = bisect_left(pos_list, a)
            if k < len(pos_list) and pos_list[k] < b:
                add(ids[k], "gender_first")
                break
        k = bisect_left(pos_list, t.start) - 1  # the last one of that gender named before the tag
        if k >= 0 and t.start - pos_list[k] < 5000:
            add(ids[k], "gender_last")
            if ctx.as_subject(pos_list[k]):
                add(ids[k], "gender_last_subject")  # named as a subject: what "he" refers to 84% of the time
    h = _HONORIFIC.search(ctx.text, q.start, q.end)
    called = None if h is None else "f" if h.group(1).lower().startswith(("ma", "my lady", "your lady")) else "m"
    return Static(q, feats, tags, tagged, tag_gender if tag_gender in ("m", "f") else None, called, tag_follows)


def recent_turns(
    st: Static, para: int, history: list[Turn] | tuple[Turn, ...], continues: str | None, scene_start: int = 0
) -> tuple[tuple[Turn, ...], tuple[str, ...]]:
    """All the conversation features read of the history: the exchange (the last turns in nearby
    paragraphs of the same scene, from paragraph ``scene_start``) and up to five speakers of the last
    turns, the latest first."""
    speech = st.q.attrs.get("kind") == "speech" and continues != "carried_over"  # the same turn goes on
    turns = tuple(h for h in history[-3:] if para - h.para <= 3 and h.para >= scene_start) if speech else ()
    spoke: list[str] = []
    for h in reversed(history[-12:]):
        if h.speaker and h.speaker not in spoke and para - h.para <= 30:
            spoke.append(h.speaker)
            if len(spoke) == 5:
                break
    return turns, tuple(spoke)


def conversation(
    para: int, turns: tuple[Turn, ...], spoke: tuple[str, ...], prev_speaker: str | None, continues: str | None
) -> dict[str, dict[str, float]]:
    """What the conversation so far (``recent_turns``) says about the quote's candidates: who spoke one
    and two turns before, whom that turn addressed, who is carrying on (``continues`` names the feature,
    "continues" or "carried_over", that ``prev_speaker`` gets) and who spoke recently."""
    feats: dict[str, dict[str, float]] = {}
    # the exchange: turns in nearby paragraphs; "_gap" when narration paragraphs come between
    if turns and para - turns[-1].para <= 2:
        gap = "" if para - turns[-1].para == 1 else "_gap"
        _add(feats, turns[-1].speaker, "prev1" + gap)
        for a in turns[-1].addressees:
            _add(feats, a, "prev_addressed" + gap)
        if len(turns) >= 2:
            unbroken = turns[-1].para - turns[-2].para == 1 and not gap
            _add(feats, turns[-2].speaker, "prev2" + ("" if unbroken else "_gap"))
    if continues:
        _add(feats, prev_speaker, continues)
    for rank, cid in enumerate(spoke):
        _add(feats, cid, "spoke_recently", 1.0 / (1 + rank))
    if turns and len(spoke) > 1 and spoke[0] == turns[-1].speaker:
        _add(feats, spoke[1], "partner")
    return feats


def _context(st: Static) -> str:
    """With no tag, or only a pronoun, the exchange and the beats carry more of the decision: the suffix
    of the copies of the ``_UNTAGGED`` features the quote gets ("" when a tag names someone)."""
    return "" if st.tagged and st.tag_gender is None else "_untagged" if not st.tagged else "_pronoun_tag"


def candidates(ctx: Context, st: Static, conv: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """The quote's candidates with all their features: the static ones, the conversation's ``conv``,
    how a pronoun tag fits them, their salience, and the context copies."""
    feats = {c: dict(f) for c, f in st.feats.items()}
    for cid, f in conv.items():
        feats.setdefault(cid, {}).update(f)  # the conversation's features are never static ones
    fits = [c for c in feats if ctx.tag_gender(c, st.q.start) == st.tag_gender] if st.tag_gender else []
    if len(fits) == 1:
        feats[fits[0]]["tag_pronoun_sure"] = 1.0  # the only one of that gender around
    context = _context(st)
    for cid, f in feats.items():
        f.update(_own(ctx, st, cid))
        if context:
            f.update({name + context: f[name] for name in _UNTAGGED if name in f})
    return feats


def _own(ctx: Context, st: Static, cid: str) -> dict[str, float]:
    """A candidate's salience and, under "he said" / "she said", whether its gender fits."""
    g = ctx.tag_gender(cid, st.q.start)
    fit = {("pronoun_fits" if g == st.tag_gender else "pronoun_misfits"): 1.0} if st.tag_gender and g else {}
    if st.called and ctx.gender.get(cid) == st.called:
        fit["calls_own_gender"] = 1.0  # "Yes, madam" is seldom one woman's answer to a man
    return {**fit, "salience": ctx.salience.get(cid, 0.0)}


class _Scorer:
    """The candidates' scores for one quote, reading by reading, without building their feature dicts:
    the part that does not depend on the conversation is scored once per candidate (the model is
    linear), so each reading of the beam only adds up its conversation features. Gives the scores
    ``model.score`` gives on ``candidates`` (a test holds the two together)."""

    def __init__(self, ctx: Context, st: Static, model: Model) -> None:
        self.ctx, self.st, self.w = ctx, st, model.weights
        self.context = _context(st)
        self.base: dict[str, float] = {}
        for cid in st.feats:
            self._base(cid)
        self.fits = [c for c in st.feats if ctx.tag_gender(c, st.q.start) == st.tag_gender] if st.tag_gender else []

    def _base(self, cid: str) -> float:
        if cid not in self.base:
            f = {**self.st.feats.get(cid, {}), **_own(self.ctx, self.st, cid)}
            self.base[cid] = self._sum(f)
        return self.base[cid]

    def _sum(self, f: dict[str, float]) -> float:
        w, context = self.w, self.context
        total = 0.0
        for name, v in f.items():
            total += w.get(name, 0.0) * v
            if context and name in _UNTAGGED_SET:
                total += w.get(name + context, 0.0) * v
        return total

    def scores(self, conv: dict[str, dict[str, float]]) -> tuple[list[str], list[float]]:
        cands = [*self.st.feats, *(c for c in conv if c not in self.st.feats)]
        scores = [self._base(c) + (self._sum(conv[c]) if c in conv else 0.0) for c in cands]
        g, at = self.st.tag_gender, self.st.q.start
        if g:
            fits = self.fits + [c for c in conv if c not in self.st.feats and self.ctx.tag_gender(c, at) == g]
            if len(fits) == 1:
                scores[cands.index(fits[0])] += self.w.get("tag_pronoun_sure", 0.0)
        return cands, scores


@dataclass(frozen=True, slots=True)
class _Path:
    """One reading of the dialogue so far, for the beam: its log-probability, the recent turns, the
    last speaker and utterance, and the choices made (a linked list back to the start)."""

    @classmethod
    def after(cls, t: _Path, history: tuple[Turn, ...]) -> _Path:
        """Reading ``t`` once its paragraph is a turn of ``history``."""
        recent = tuple((h.para, h.speaker, *h.addressees) for h in history[-12:])
        return cls(t.logp, history, t.speaker, t.utterance, t.choices, recent)

    logp: float
    history: tuple[Turn, ...]
    speaker: str | None
    utterance: int | None
    choices: tuple | None  # (Decision, chosen index or None, previous choices)
    recent: tuple = ()  # the history as a key: (paragraph, speaker, *addressees) of the last 12 turns


def decode(
    story: Story, model: Model, oracle: dict[int, str] | None = None, beam: int = BEAM, ctx: Context | None = None,
    features: bool = False,
) -> list[Decision]:
    """Attribute every speech and thought quote, left to right, keeping the ``beam`` likeliest readings
    of the conversation so that one early mistake does not derail the turn-taking after it.
    ``oracle`` (quote index -> character) forces the true speaker into the history, for training;
    ``features`` keeps every candidate's features in the decisions (for training; otherwise only
    the static ones)."""
    ctx = ctx or Context(story)
    paras = story.spans("paragraphs")
    p_starts = [p.start for p in paras]
    quotes = story.spans("quotes")
    by_para: dict[int, list[int]] = {}
    for i, q in enumerate(quotes):
        if q.attrs.get("kind") in ("speech", "thought"):
            by_para.setdefault(_paragraph_of(p_starts, q.start), []).append(i)
    width = 1 if oracle is not None else beam
    speech_paras = [pi for pi in sorted(by_para) if any(quotes[i].attrs.get("kind") == "speech" for i in by_para[pi])]
    next_called = {
        a: {c for i in by_para[b] for c, _ in vocatives(ctx, quotes[i])}
        for a, b in zip(speech_paras, speech_paras[1:], strict=False)
        if b - a <= 2
    }
    called: dict[object, set[str]] = {}  # an utterance's vocatives, whichever piece calls them
    for q in quotes:
        if q.attrs.get("kind") == "speech" and q.attrs.get("utterance") is not None:
            called.setdefault(q.attrs["utterance"], set()).update(
                c for c, at in vocatives(ctx, q) if _ALNUM.search(ctx.text, ctx.at[at].end, q.end)
                or _ALNUM.search(ctx.text, q.start, at)  # a piece that is only a name may be an answer
            )
    statics: dict[int, Static] = {}
    for pi in sorted(by_para):
        p = paras[pi]
        idxs = by_para[pi]
        # the paragraph before may introduce this one ("So he said as shyly as usual:"), after its own quotes
        intro = (quotes[by_para[pi - 1][-1]].end if pi - 1 in by_para else paras[pi - 1].start) if pi else None
        for n, i in enumerate(idxs):
            q = quotes[i]
            lo = quotes[idxs[n - 1]].end if n else p.start
            hi = quotes[idxs[n + 1]].start if n + 1 < len(idxs) else p.end
            opens = n == 0 and not ctx.text[p.start : q.start].strip()
            before = (paras[pi - 1].start, paras[pi - 1].end) if opens and pi and pi - 1 not in by_para else None
            statics[i] = static_features(ctx, q, p.start, p.end, lo, hi, intro if n == 0 else None, before)
    # the turns after this one that a tag names: in A, B, A the third names A, so the second is not A's
    named = {pi: _named_by_tag(statics[by_para[pi][0]]) for pi in speech_paras}
    next_named = {a: [named[b] if b - a <= 4 else None for b in later]
                  for k, a in enumerate(speech_paras) if (later := speech_paras[k + 1 : k + 3])}
    # a scene break ends the exchange: the first paragraph of each paragraph's scene
    scene_starts = [bisect_left(p_starts, sc.start) for sc in story.spans("scenes")]
    paths = [_Path(0.0, (), None, None, None)]
    for pi in sorted(by_para):
        p = paras[pi]
        idxs = by_para[pi]
        scene_start = scene_starts[bisect_right(scene_starts, pi) - 1] if scene_starts and scene_starts[0] <= pi else 0
        for n, i in enumerate(idxs):
            q = quotes[i]
            utt = q.attrs.get("utterance")
            st = statics[i]
            for cid in next_called.get(pi, ()):  # the next turn calls them by name: they spoke this one
                _add(st.feats, cid, "called_next")
            for cid in called.get(utt, ()):  # "Come in," she said. "How do you do, Marilla?": not Marilla's
                _add(st.feats, cid, "vocative")
            for name, cid in zip(("next1", "next2"), next_named.get(pi, ()), strict=False):
                _add(st.feats, cid, name)
            # later pieces of a paragraph lean on its earlier speaker unless a tag of their own says otherwise
            untagged_piece = n > 0 and not st.tag_follows
            grown: list[tuple] = []  # (log-probability, speaker, decision, choice, reading)
            scored: dict[tuple, tuple[Decision, list[float]]] = {}  # readings that agree on what the features see
            scorer = _Scorer(ctx, st, model)
            for path in paths:
                same = utt is not None and utt == path.utterance
                continues = "carried_over" if same and n == 0 else "continues" if same or untagged_piece else None
                turns, spoke = recent_turns(st, pi, path.history, continues, scene_start)
                seen = (continues and path.speaker, continues, spoke,
                        tuple((h.para, h.speaker, *h.addressees) for h in turns))
                if seen not in scored:
                    conv = conversation(pi, turns, spoke, path.speaker, continues)
                    cands, scores = scorer.scores(conv)
                    feats = candidates(ctx, st, conv) if features else st.feats
                    d = Decision(i, cands, [feats.get(c, {}) for c in cands], scores, st.tags)
                    scored[seen] = d, _softmax(scores)
                d, probs = scored[seen]
                cands = d.candidates
                if oracle is not None and i in oracle:
                    k = cands.index(oracle[i]) if oracle[i] in cands else None
                    grown.append((path.logp, oracle[i], d, k, path))
                    continue
                if not cands:
                    grown.append((path.logp, None, d, None, path))
                    continue
                best = sorted(range(len(cands)), key=probs.__getitem__, reverse=True)[:width]
                # the rest of an utterance is its speaker's, and so is speech carried on into a new
                # paragraph unless a tag there names someone
                if same and (n or not st.tagged) and path.speaker in cands:
                    best, probs = [cands.index(path.speaker)], [1.0] * len(cands)
                for k in best:
                    grown.append((path.logp + math.log(max(probs[k], 1e-12)), cands[k], d, k, path))
            paths = _prune(grown, utt, width)
        if any(quotes[i].attrs.get("kind") == "speech" for i in idxs):  # thoughts are not turns
            voc = [c for i in idxs for c, _ in vocatives(ctx, quotes[i])]
            # a paragraph that carries on the last one's unclosed quote is the same turn, not a new one
            first_utt = quotes[idxs[0]].attrs.get("utterance")
            carried = first_utt is not None and any(
                quotes[i].attrs.get("utterance") == first_utt for i in by_para.get(pi - 1, [])
            )
            paths = [
                _Path.after(t, (*t.history[-11 : -1 if carried and t.history else None],
                                Turn(pi, t.speaker, [c for c in voc if c != t.speaker])))
                for t in paths
            ]
    out: list[Decision] = []
    node = paths[0].choices
    while node is not None:
        d, k, node = node
        d.chosen = k
        out.append(d)
    return out[::-1]


def _named_by_tag(st: Static) -> str | None:
    """The speaker a quote's tag names outright (``said Anna`` / ``Anna said,``), else None."""
    return next((c for c, t in st.tags.items() if t.kind == "name" and {"tag_name", "tag_before"} & st.feats[c].keys()),
                None)


def _prune(grown: list[tuple], utterance: int | None, width: int) -> list[_Path]:
    """The ``width`` likeliest readings, one per state the features can tell apart (the recent turns,
    the last speaker and utterance): a less likely twin would only repeat the same future."""
    out: list[_Path] = []
    states = set()
    for logp, speaker, d, k, path in sorted(grown, key=lambda t: -t[0]):
        if (speaker, path.recent) not in states:
            states.add((speaker, path.recent))
            out.append(_Path(logp, path.history, speaker, utterance, (d, k, path.choices), path.recent))
            if len(out) == width:
                break
    return out


def _narrator(ctx: Context, quotes: list[Span]) -> str | None:
    """The first-person narrator, when tags say ``I said``: the character the quotes next to those
    turns address by name most often, less the ones those turns address and the ones narration names
    in tags (a narrator is "I");
    ``UNNAMED_NARRATOR`` when nobody is; None in a story with no ``I said``."""
    text = ctx.text
    speech = [q for q in quotes if q.attrs.get("kind") == "speech"]
    mine = [n for n, q in enumerate(speech) if _I_TAG.match(text, q.end, min(len(text), q.end + 30))]
    if len(mine) < max(1, len(speech) // 40) and not (speech and _first_person(ctx)):
        return None  # a stray "I said" inside someone's story is not a narrator; "I shrugged." beats are
    counts: Counter = Counter()
    for n in mine:
        for k in range(max(0, n - 2), min(len(speech), n + 3)):
            for cid, _ in vocatives(ctx, speech[k]):
                counts[cid] += 1 if k != n else -1  # the narrator's own line calls someone else
    for q in speech:
        t = tag_after(ctx, q.end, min(len(text), q.end + 60))
        if t and t.char and t.kind == "name":
            counts[t.char] -= 0.5
    best = max(counts.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best and best[1] > 0 else UNNAMED_NARRATOR


_FIRST = frozenset(("I", "me", "my", "My"))
_SECOND = frozenset(("you", "You", "your", "Your"))


def _first_person(ctx: Context, start: int = 0, end: int | None = None, forms: frozenset[str] = _FIRST) -> bool:
    """Whether the narration of ``[start, end)`` (the text outside quotes) says I, me or my (or other
    ``forms``) at least ``narration.PERSON_RATE`` of its words."""
    end = len(ctx.text) if end is None else end
    k = bisect_left(ctx.q_starts, start)
    narration, pos = [], start
    while k < len(ctx.quotes) and ctx.quotes[k].start < end:
        narration.append(ctx.text[pos : ctx.quotes[k].start])
        pos = max(pos, ctx.quotes[k].end)
        k += 1
    narration.append(ctx.text[pos:end])
    words = [w.strip(".,;:!?'’\"”") for w in " ".join(narration).split()]
    return bool(words) and sum(w in forms for w in words) >= PERSON_RATE * len(words)


def _scene_narrators(ctx: Context) -> list[tuple[int, int, str]]:
    """(start, end, character) of the first-person scenes whose POV header ("~John~", "Lily's POV")
    names a character: multi-POV stories change narrator scene by scene. A scene is first person when
    its narration says I, me or my at least ``narration.PERSON_RATE`` of its words."""
    out = []
    for sc in ctx.story.spans("scenes"):
        char = pov_character(ctx.story, sc.label) if sc.label else None
        if char is not None and _first_person(ctx, sc.start, sc.end):
            out.append((sc.start, sc.end, char.id))
    return out


def _reader(ctx: Context, quotes: list[Span]) -> str | None:
    """The second-person protagonist, when tags say ``you said`` (reader-insert stories): the
    character called Y/N or Reader, else ``UNNAMED_NARRATOR``; None when no tag says ``you``."""
    text = ctx.text
    says = 0
    for q in quotes:
        m = _YOU_TAG.match(text, q.end, min(len(text), q.end + 30))
        says += bool(m and (m.group(1) in SPEECH_VERBS or m.group(1) in THINK_VERBS))
    if says < 2 and not (quotes and _first_person(ctx, forms=_SECOND)):  # "You feel your face heat."
        return None
    return next((c.id for c in ctx.chars.values() if bare_name(c.name) in _READER_NAMES), UNNAMED_NARRATOR)


def _softmax(scores: list[float]) -> list[float]:
    if not scores:
        return []
    top = max(scores)
    ex = [math.exp(s - top) for s in scores]
    total = sum(ex)
    return [e / total for e in ex]


def assign(story: Story, model: Model | None = None) -> Story:
    """Set speaker, cue, confidence, speaker_mention and addressees on the quotes layer."""
    model = model or default_model()
    quotes = story.spans("quotes")
    ctx = Context(story)
    narrator = None
    for d in decode(story, model, ctx=ctx):
        q = quotes[d.quote]
        k = d.chosen
        if k is None:
            q.attrs.update(speaker=None, cue=None, confidence=0.0, speaker_mention=None)
            continue
        probs = _softmax(d.scores)
        cid, f = d.candidates[k], d.features[k]
        tagged = any(f.get(k) for k in ("tag_name", "tag_pronoun", "tag_nominal", "tag_protagonist", "tag_before"))
        tag = d.tags.get(cid) if tagged else None
        cue = "implicit" if tag is None else ("explicit" if tag.kind == "name" else "anaphoric")
        if cid == UNNAMED_NARRATOR:
            narrator = narrator or _narrator_character(story, second_person=ctx.narrator != UNNAMED_NARRATOR)
            cid = narrator.id
        q.attrs.update(speaker=cid, cue=cue, confidence=round(probs[k], 3))
        q.attrs["speaker_mention"] = [tag.start, tag.end] if tag else None
        if tag and tag.group and cid in tag.group:
            q.attrs["speakers"] = list(tag.group)  # a group speaks: everyone the tag names
    _addressees(ctx, story)
    _dialogue_share(story)
    return story


#: The unnamed narrator's (id, name, alias), first person (False) or second person (True).
_PLACEHOLDERS = {False: ("narrator", "the narrator", "I"), True: ("reader", "you", "Y/N")}


def _narrator_character(story: Story, second_person: bool = False) -> Character:
    """A character for the first-person narrator (or the second-person "you" of a reader-insert) the
    cast does not name, added to the story."""
    ids = {c.id for c in story.characters}
    base, name, alias = _PLACEHOLDERS[second_person]
    cid = next(c for c in (base, *(f"{base}_{n}" for n in range(2, len(ids) + 3))) if c not in ids)
    c = Character(cid, name, [alias], attrs={"narrator": True})
    story.characters.append(c)
    return c


def _addressees(ctx: Context, story: Story) -> None:
    """Vocatives (anywhere in the utterance) and ``said X to Y`` first; otherwise the other side of
    the exchange: the nearest speaker before or after who is someone else."""
    quotes = story.spans("quotes")
    paras = story.spans("paragraphs")
    p_starts = [p.start for p in paras]
    speech = [i for i, q in enumerate(quotes) if q.attrs.get("kind") == "speech"]
    turn_para = [_paragraph_of(p_starts, quotes[i].start) for i in speech]
    called: dict[object, list[str]] = {}
    for i in speech:
        called.setdefault(quotes[i].attrs.get("utterance", i), []).extend(c for c, _ in vocatives(ctx, quotes[i]))
    for n, i in enumerate(speech):
        q = quotes[i]
        spk = q.attrs.get("speaker")
        found = list(called.get(q.attrs.get("utterance", i), []))
        m = _TO.match(ctx.text, q.attrs["speaker_mention"][1]) if q.attrs.get("speaker_mention") else None
        if m:
            to = ctx.subject_at(m.end(), min(len(ctx.text), m.end() + 40))
            if to and to[0]:
                found.append(to[0])
        found = [c for c in found if c != spk]
        if not found:
            for step in (-1, 1, -2, 2, -3, 3):
                j = n + step
                if 0 <= j < len(speech) and abs(turn_para[j] - turn_para[n]) <= 3:
                    other = quotes[speech[j]].attrs.get("speaker")
                    if other and other != spk:
                        found.append(other)
                        break
        q.attrs["addressees"] = list(dict.fromkeys(found))


def name_the_narrator(story: Story, narrated: list[tuple[int, int, str]]) -> None:
    """Give the lines of the unnamed first-person narrator ("the narrator") inside each ``(start, end,
    character)`` to that character, once the narration stage knows who "I" is there ("My name is
    Wren"); the placeholder leaves the cast when it has no lines left."""
    first = _PLACEHOLDERS[False][1]
    placeholder = next((c.id for c in story.characters if c.attrs.get("narrator") and c.name == first), None)
    if placeholder is None or not narrated:
        return
    starts = [a for a, _, _ in narrated]
    for q in story.spans("quotes"):
        k = bisect_right(starts, q.start) - 1
        if k < 0 or q.start >= narrated[k][1]:
            continue
        who = narrated[k][2]
        if q.attrs.get("speaker") == placeholder:
            q.attrs["speaker"] = who
        if placeholder in q.attrs.get("addressees", ()):
            q.attrs["addressees"] = [who if a == placeholder else a for a in q.attrs["addressees"]]
    if not any(placeholder in (q.attrs.get("speaker"), *q.attrs.get("addressees", ())) for q in story.spans("quotes")):
        story.characters = [c for c in story.characters if c.id != placeholder]
    _dialogue_share(story)


def speakers_of(q: Span) -> list[str]:
    """Everyone who says quote ``q``: the members of a group (``Naruto and Sakura yelled``), else its speaker."""
    return q.attrs.get("speakers") or ([q.attrs["speaker"]] if q.attrs.get("speaker") else [])


def _dialogue_share(story: Story) -> None:
    """Each character's share of the attributed speech lines (a line a group says together is each member's)."""
    speech = [q for q in story.spans("quotes") if q.attrs.get("kind") == "speech" and q.attrs.get("speaker")]
    lines = Counter(c for q in speech for c in speakers_of(q))
    for c in story.characters:
        c.attrs["dialogue_share"] = round(lines.get(c.id, 0) / len(speech), 4) if speech else 0.0


@stage("speakers", requires=("quotes", "mentions"), assigns=("quotes.speaker",))
def speakers(story: Story) -> Story:
    """Attribute each quote to a speaker and its addressees, with the cue and a confidence."""
    return assign(story, default_model())
