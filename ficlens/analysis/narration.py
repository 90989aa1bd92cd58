"""Narration stage: each scene's grammatical person, narrator, focal character and tense.

Everything is read from the narration only: quotations, thoughts, written text (the "quotes"
layer), unquoted letters and italics are cut out of every paragraph first, so that a third-person
story full of "I" in its dialogue stays third person (a story told in letters keeps them). The rest
is counting, with a few regex scans per paragraph and a Python walk over the subjects only
(docs/narration.md):

* person: the rate of first- and second-person pronouns among the narration's words, less those
  of an intrusive author's asides to the reader and of thoughts tagged "she thought";
* tense: finite verbs (auxiliaries anywhere, lexical verbs right after a subject);
* focal character (third person): who perceives, thinks and feels, i.e. a character (by name or
  resolved he/she) as subject of a perception or cognition verb, plus free indirect questions
  and reported thoughts; a POV header ("Harry's POV", "~Sherlock~") decides outright;
* narrator (first person): POV headers, self-naming ("my name is", "I'm Lily"), vocatives in
  the dialogue around the narrator's own lines, kinship ("my husband James" rules James out and
  points at his partner in the relationship tags or the fandom pack), tags, a POV named in the
  summary, letters' sign-offs, and the focal character of the story's third-person scenes.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from ficlens.analysis.pipeline import stage
from ficlens.analysis.quotes import find as find_quotes
from ficlens.story import Character, Span, Story

#: A scene is first (second) person when these forms make up this share of its narration's words.
PERSON_RATE = 0.015
#: Subjects and their verbs (focal character, lexical tense) are read in a scene's first this many narration
#: words: plenty of evidence, and it keeps novels' long chapters cheap.
SUBJECT_WORDS = 1500
#: Without a POV header, a scene leaves the story's main focal character only for one with this much more evidence.
SWITCH_RATIO = 3.0
#: A character named this often in a first-person scene's own narration is not its narrator.
NAMED_NOT_NARRATOR = 3
#: A scene with fewer narration words than this takes the story's majority person and tense.
MIN_WORDS = 30
#: A paragraph reads as third person on its own (in a first-person scene) only this long and with no I or you.
CLEAR_THIRD_WORDS = 50
#: A paragraph of at most this many words in I/you with no past-tense verb, in a past-tense scene, is an inner
#: voice rather than the narrator (``_drop_inner_voices``).
INNER_VOICE_WORDS = 30
#: A paragraph run in another person than its scene makes the scene "mixed" above this share.
MIXED_SHARE = 0.2
#: Letters that make up this share of a story's prose are its narration (an epistolary story).
EPISTOLARY_SHARE = 0.75

#: Word pieces ("don't" -> "don", "t"): contractions leave their auxiliary as a piece of its own.
_TOKEN = re.compile(r"[A-Za-z]+")


def _forms(words: str) -> tuple[str, ...]:
    """Each word as written in running text: lower case and capitalised ("I" stays as it is)."""
    return tuple({f for w in words.split() for f in (w, w[:1].upper() + w[1:])})


#: What each word piece counts as: a pronoun's person or a finite auxiliary's tense.
#: ("m", "re", "ve" are the pieces of I'm, you're, I've.)
_CATEGORY = {
    "I": "first",
    **dict.fromkeys(_forms("me my mine myself we us our ours ourselves"), "first"),
    **dict.fromkeys(_forms("you your yours yourself yourselves"), "second"),
    **dict.fromkeys(_forms("he him his himself she her hers herself they them their theirs themselves"), "third"),
    **dict.fromkeys(_forms("was were had did wasn weren hadn didn"), "past"),
    **dict.fromkeys(_forms("is am are has does isn aren hasn doesn don m re ve"), "present"),
}
_AUX_WORDS = frozenset("was were had did is am are has does".split())
_IRREGULAR = (
    "be was|become became|begin began|bite bit|blow blew|break broke|bring brought|build built|buy bought|"
    "catch caught|choose chose|come came|cut cut|dig dug|do did|draw drew|drink drank|drive drove|eat ate|"
    "fall fell|feel felt|fight fought|find found|fly flew|forget forgot|freeze froze|get got|give gave|go went|"
    "grow grew|hang hung|have had|hear heard|hide hid|hit hit|hold held|hurt hurt|keep kept|kneel knelt|"
    "know knew|lay laid|lead led|leave left|lend lent|let let|lie lay|light lit|lose lost|make made|mean meant|"
    "meet met|pay paid|put put|read read|ride rode|ring rang|rise rose|run ran|say said|see saw|seek sought|"
    "sell sold|send sent|set set|shake shook|shine shone|shoot shot|shut shut|sing sang|sink sank|sit sat|"
    "sleep slept|slide slid|speak spoke|spend spent|stand stood|steal stole|stick stuck|sting stung|"
    "strike struck|swear swore|sweep swept|swim swam|swing swung|take took|teach taught|tear tore|tell told|"
    "think thought|throw threw|understand understood|wake woke|wear wore|weep wept|win won|write wrote"
)
_PAST_LEX = frozenset(p.split()[1] for p in _IRREGULAR.split("|")) - {"read", "put", "cut", "hit", "let", "set", "shut"}
_BASE_LEX = frozenset(p.split()[0] for p in _IRREGULAR.split("|")) | frozenset(
    "want need like love hate look walk turn try wonder hope wish watch stare smile laugh nod sigh ask answer "
    "call open close start stop wait pull push move reach help remember notice realise realize decide".split()
)
_SUBJECTS_3SG = frozenset({"he", "she"})
#: Words that may stand between a subject and its verb ("she could barely hear").
_BETWEEN_WORDS = (
    "could couldn't can can't would wouldn't will won't should might must had hadn't has have did didn't does do "
    "don't was were just suddenly only still also then finally slowly barely hardly never always already almost "
    "even really immediately instantly quickly simply certainly not help but sometimes often perhaps "
    "vaguely dimly faintly briefly truly actually"
)
_BETWEEN = r"((?:(?:" + "|".join(_BETWEEN_WORDS.replace("'", "['’]").split()) + r")\s+){0,3})"
#: After these the verb is not finite ("had packed", "didn't know", "could see"): its tense is the auxiliary's.
_AUXILIARY = re.compile(r"\b(?:could|couldn|can|would|wouldn|will|won|should|might|must|had|hadn|has|have|did|didn|"
                        r"does|do|don|was|were)\b")
_SUBJECT_VERB = re.compile(rf"(?<![A-Za-z'’])(I|[Yy]ou|[Hh]e|[Ss]he|[Ww]e|[Tt]hey)\s+{_BETWEEN}([A-Za-z]+)")
_AFTER_NAME = re.compile(rf"\s+{_BETWEEN}([A-Za-z]+)\b")
_FREE_INDIRECT = re.compile(r"[?!]")
_PERCEIVE = (
    "feel felt|see saw seen|hear heard|notice|realise|realize|know knew known|think thought|wonder|want|wish|"
    "hope|fear|remember|recall|recognise|recognize|forget forgot|understand understood|sense|watch|stare|glance|"
    "smell|taste|decide|believe|imagine|worry worried|regret|doubt|suspect|dread|long|love|hate|miss|sigh|"
    "shiver|shudder|swallow|frown|blush|flinch|panic|need"
)


def _inflect(group: str) -> set[str]:
    """All simple forms of a verb group: "feel felt" -> feel, feels, feeling, felt."""
    words = group.split()
    base = words[0]
    stem = base[:-1] if base.endswith("e") else base
    forms = {base, base + "s", base + "es", stem + "ing", stem + "ed", base + "d", *words[1:]}
    if base.endswith("y"):
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    return forms


_PERCEPTION = frozenset(f for g in _PERCEIVE.split("|") for f in _inflect(g))

_SAY = r"(?:said|says|say|asked|asks|replied|answered|cried|called|whispered|shouted|muttered|murmured|added|began)"
_NARRATOR_SAYS = re.compile(rf"\bI(?:\s+\w+ly)?\s+{_SAY}\b|\b{_SAY}\s+I\b")
_NAME = r"([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})"
_SELF_NAMING = re.compile(rf"\b(?:[Mm]y name(?:'s|’s| is| was)|I'm|I’m|I am|[Cc]all me)\s+{_NAME}")
_KIN = re.compile(
    r"\b[Mm]y\s+(husband|wife|boyfriend|girlfriend|fianc[ée]e?|partner|lover|spouse|son|daughter|mother|father|mum|"
    rf"mom|dad|brother|sister|twin|best friend|friend|boss)(?:\s+of\s+[\w ]{{1,25}}?)?,?\s+{_NAME}"
)
_MARRIED = re.compile(r"(?:married to|(?:husband|wife|spouse|partner|fianc[ée]e?) of)\s+(.+)", re.I)
_PARTNER_KIN = frozenset({"husband", "wife", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancee", "fiancée",
                          "partner", "lover", "spouse"})
#: "Harry's POV", "~Sherlock~", "John's point of view", "POV: Draco", "Lily P.O.V."
_POV = re.compile(
    r"^\W*(?:(?:POV|P\.O\.V\.?)\s*[:\-]?\s*)?([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’-]*){0,2}?)(?:['’]s)?"
    r"(?:\s*(?:POV|P\.O\.V\.?|point of view|perspective))?\W*$"
)
#: A point of view named in a summary or note: "Draco's POV", "told from Lily's perspective", "POV: Ginny".
_POV_MENTION = re.compile(
    r"\b([A-Z][\w-]+)['’]s\s+(?:POV|P\.O\.V|point of view|perspective)\b|\b(?:POV|narrated by)\s*:?\s+([A-Z][\w-]+)"
)
_POV_WORDS = re.compile(r"\bPOV\b|P\.O\.V|point of view|perspective|^\W*[~*=#<-]+\s*[A-Z]", re.I)
#: The narrator speaking of the telling or to the reader (see ``_not_the_narrators``).
_AUTHORIAL = re.compile(
    r"\b(?:[Tt]he|[Mm]y|[Oo]ur|[Gg]entle|[Dd]ear)\s+(?:[a-z]+\s+)?readers?\b|\bReaders?\b|\b(?:[Mm]y|[Oo]ur) heroine\b|"
    r"\b[Oo]ur hero\b|\b(?:[Aa]s|[Ww]hich|[Tt]hat)\s+(?:I|we)\s+have\s+(?:already\s+|just\s+)?(?:said|observed|told)\b|"
    r"\b(?:I|we)\s+have\s+(?:already\s+|just\s+)?(?:mentioned|related|described)\b"
)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_SELF = r"(?:him|her|them)sel(?:f|ves)"
_NOBODY = r"(?:(?:Every|No|Some|Any)(?:one|body)|What|Who|It|This|That)\b"  # "Nobody thought, and I..."
#: A thinker named after the verb of a thought tag: ", thought Ilse."
_THINKER_AFTER = re.compile(r"\b(?:thought|wondered|mused)\s+$")
#: A thought tagged with a third-person thinker and nothing after the verb: "I can't do this, she thought."
_THOUGHT_TAG = re.compile(
    rf"(?:^|[,.!?;:…—–-])\s*(?:[Hh]e|[Ss]he|[Tt]hey|(?!{_NOBODY})(?:[A-Z][a-z.]+\s+)?[A-Z][a-z]+)\s+"
    rf"(?:thought|wondered|mused|told\s+{_SELF}|reminded\s+{_SELF})(?:\s+to\s+{_SELF})?\s*[,.!?;:…—–-]"
    r"|[,!?…—–-]\s*(?:thought|wondered|mused)\s+(?:he|she|(?:[A-Z][a-z.]+\s+)?[A-Z][a-z]+)\s*[,.!?;…—–-]"
)
#: One line of a chat log or text messages: a short name label, a colon, the message ("Steve: you there yet?").
_CHAT_LINE = re.compile(r"[ \t]*[\w@][\w.'’@-]*(?: [\w.'’@-]+){0,2}[ \t]*:[ \t]+\S")
#: The words around the name in a salutation or sign-off line.
_LETTER_WORDS = re.compile(
    r"(?i)\b(?:to|from|dear(?:est)?|my|darling|love|lots of love|yours|truly|sincerely|ever|always|faithfully|"
    r"affectionately|your|friend)\b|[^\w\s'’-]"
)
_SALUTATION = re.compile(
    r"[ \t]*(?:(?:Dear|Dearest|My dear(?:est)?|My darling)\s+[A-Z][\w.' -]{0,30}[,:!]?"
    r"|(?:To\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2},)[ \t]*(?:\n|$)"
)


@dataclass
class _Reading:
    """What one scene's narration says, before the narrator is chosen story-wide."""

    words: int = 0
    first: int = 0
    second: int = 0
    third: int = 0
    past: int = 0
    present: int = 0
    #: First-person forms left out as not the narrator's (``_not_the_narrators``).
    not_narrator: int = 0
    focal: Counter = field(default_factory=Counter)
    narrator: Counter = field(default_factory=Counter)
    ruled_out: set = field(default_factory=set)
    clues: list = field(default_factory=list)
    #: How often each character is named in the scene's own narration (a narrator says "I" instead).
    named: Counter = field(default_factory=Counter)
    #: Narration words of paragraphs that read first / second / clearly third person on their own
    #: (person_share and mixed: how much of a scene is told in another person).
    para_person: Counter = field(default_factory=Counter)
    label_char: str | None = None

    @property
    def person(self) -> str:
        return _person(self.first, self.second, self.third, self.words, least=3)

    @property
    def tense(self) -> str | None:
        if not self.past and not self.present:
            return None
        return "present" if self.present > self.past else "past"


@stage(
    "narration",
    requires=("scenes", "mentions"),
    uses=("quotes", "quotes.speaker"),
    assigns=("scenes.person", "scenes.narrator", "scenes.focal", "scenes.tense"),
)
def narration(story: Story) -> Story:
    """Point of view, narrator, focal character and tense of every scene."""
    scenes = story.spans("scenes")
    ctx = _Ctx(story)
    readings = [_read_scene(story, ctx, sc) for sc in scenes]
    story_focal: Counter = Counter()  # each character's word-weighted share of third-person focal evidence
    for r in readings:
        if r.person == "third" and r.focal:
            total = sum(r.focal.values())
            story_focal.update({c: v / total * r.words for c, v in r.focal.items()})
    main_focal = story_focal.most_common(1)[0][0] if story_focal else None
    shared = _story_narrator_clues(story, readings, story_focal)
    if ctx.epistolary:
        shared.update(_letter_clues(story, ctx.letters))
    ruled_out = _all_ruled_out(readings)
    named = sum((r.named for r in readings if r.person == "first"), Counter())
    by_person, by_tense = Counter(), Counter()  # the story's majorities, for scenes too short to tell
    for r in readings:
        if r.words >= MIN_WORDS:
            by_person[r.person] += r.words
            if r.tense:
                by_tense[r.tense] += r.words
    for sc, r in zip(scenes, readings, strict=True):
        person, tense = r.person, r.tense
        if r.words < MIN_WORDS:
            person = by_person.most_common(1)[0][0] if by_person else person
            tense = by_tense.most_common(1)[0][0] if by_tense else tense
        narrator = focal = None
        if person == "first":
            narrator = focal = r.label_char or _narrator(shared, r, ruled_out, named)
        elif person == "third":
            focal = r.label_char or _focal(r, main_focal)
        # Words of paragraphs that read as another person on their own; the rest is the scene's person.
        words = {p: r.para_person[p] if p != person else 0 for p in ("first", "second", "third")}
        other = sum(words.values())
        words[person] = r.words - other
        shares = {p: round(n / r.words, 3) if r.words else 0.0 for p, n in words.items()}
        sc.attrs.update(
            person=person,
            narrator=narrator,
            focal=focal,
            tense=tense,
            person_share=shares,
            mixed=bool(r.words) and other / r.words >= MIXED_SHARE,
            narration_words=r.words,
            evidence=_evidence(r, person),
        )
    if "quotes" in story.layers:  # the speakers stage's unnamed "I" is the narrator found here
        from ficlens.analysis.speakers import name_the_narrator  # speakers imports this module

        name_the_narrator(story, [(sc.start, sc.end, sc.attrs["narrator"]) for sc in scenes if sc.attrs["narrator"]])
    return story


# -- reading one scene ---------------------------------------------------------------------------


def _read_scene(story: Story, ctx: _Ctx, scene: Span) -> _Reading:
    r = _Reading()
    label = scene.label or _pov_line(story, ctx, scene)
    if label:
        char = pov_character(story, label)
        r.label_char = char.id if char else None
        if char:
            r.clues.append(f"header {label!r}")
    last = dict(ctx.default_referent)  # pronoun class -> latest character named in the narration
    paras = [p for p in _paragraphs(ctx, scene) if not label or story.text[p.start : p.end].strip() != label.strip()]
    para_segments = [(para, list(_narration(para, ctx.excluded))) for para in paras]
    voices = []  # short paragraphs in I/you with no past-tense verb: an inner voice
    for _para, segments in para_segments:
        past = r.past
        if r.words < SUBJECT_WORDS:
            for seg_start, seg_end in segments:
                _read_subjects(story, ctx, seg_start, seg_end, r, last)
        narration = " ".join([story.text[a:b] for a, b in segments])
        counts = _tally(narration, r)
        person = _person(*counts, least=2)
        if person != "third" or (counts[-1] >= CLEAR_THIRD_WORDS and not counts[0] + counts[1]):
            r.para_person[person] += counts[-1]
        first, second, third, words = counts
        if first + second and not third and words <= INNER_VOICE_WORDS and r.past == past:
            voices.append((counts, person))
    if voices and r.tense == "past":
        _drop_inner_voices(r, voices)
    if r.person == "first":
        for para, segments in para_segments:
            _narrator_clues(story, ctx, para, segments, r)
    for q in ctx.quotes_in(scene):
        char = q.attrs.get("speaker")
        if q.attrs.get("kind") == "thought" and char:
            r.focal[char] += 1.0
    return r


def _drop_inner_voices(r: _Reading, voices: list[tuple[tuple[int, int, int, int], str]]) -> None:
    """Leave out of a past-tense scene's person the I and you of its short paragraphs without a past-tense verb.

    With the italics lost, "I can't do this. I can't." over a third-person past scene is the focal
    character's thought; a narrator who says "I" tells the story in its own (past) tense.
    """
    for (first, second, _third, words), person in voices:
        r.first -= first
        r.second -= second
        r.not_narrator += first + second
        if person != "third":
            r.para_person[person] -= words


def _person(first: int, second: int, third: int, words: int, least: int) -> str:
    """First or second person when at least ``least`` of those pronouns make a share of the narration's words."""
    if second >= least and second >= PERSON_RATE * words and second > 1.5 * first:
        return "second"
    if first >= least and first >= PERSON_RATE * words:
        return "first"
    return "third"


def _tally(narration: str, r: _Reading) -> tuple[int, int, int, int]:
    """Add one paragraph's pronouns and finite auxiliaries to ``r``; return its (first, second, third, words).

    First-person forms that are not the narrator's (``_not_the_narrators``) are not the story's person.
    """
    toks = _TOKEN.findall(narration)
    cats = list(map(_CATEGORY.get, toks))
    first, second, third = cats.count("first"), cats.count("second"), cats.count("third")
    if first:
        others = _not_the_narrators(narration, first)
        first -= others
        r.not_narrator += others
    r.first += first
    r.second += second
    r.third += third
    r.past += cats.count("past")
    r.present += cats.count("present")
    r.words += len(toks)
    return first, second, third, len(toks)


def _not_the_narrators(narration: str, first: int) -> int:
    """How many of a paragraph's ``first`` first-person forms in narration are not the narrator's own.

    * A character's thought tagged in the third person ("I can't do this, she thought.", "thought Harry")
      makes the paragraph that character's inner voice: plain-text fan fiction loses the italics that
      marked it, and the next sentences ("I can't tell him.") are hers too.
    * An intrusive author's asides ("Nor do I fear that my sensible reader...", "as I have already said",
      "our heroine") comment on the story from outside it.
    """
    if _THOUGHT_TAG.search(narration):
        return first
    if not _AUTHORIAL.search(narration):
        return 0
    return sum(
        list(map(_CATEGORY.get, _TOKEN.findall(s))).count("first")
        for s in _SENTENCE.findall(narration)
        if _AUTHORIAL.search(s)
    )


def _read_subjects(story: Story, ctx: _Ctx, start: int, end: int, r: _Reading, last: dict[str, str]) -> None:
    """Tense of the verbs after subjects, and who perceives, in one stretch of pure narration.

    Python walks only the subjects (names and he/she), in text order, so that each "she" goes to
    the last woman named before it (or, with none, to the one the characters stage resolved).
    """
    text = story.text
    events: list[tuple[int, str, str | None]] = []  # (position, character id or "he"/"she", verb after it)
    for m in _SUBJECT_VERB.finditer(text, start, end):
        word, verb = m.group(1).lower(), m.group(3).lower()
        _count_tense(r, verb, "3sg" if word in _SUBJECTS_3SG else "other", m.group(2))
        if word in ("he", "she"):
            events.append((m.start(), word, verb))
    resolved_pronouns: dict[int, str] = {}
    for mention in ctx.mentions_between(start, end):
        char = mention.attrs.get("char")
        if not char:
            continue
        if mention.attrs.get("kind") == "pronoun":
            resolved_pronouns[mention.start] = char  # the characters stage's reading, when ours has none
            continue
        after = _AFTER_NAME.match(text, mention.end, end)
        verb = after.group(2).lower() if after else None
        if verb:
            _count_tense(r, verb, "3sg", after.group(1))
        if _THINKER_AFTER.search(text, max(start, mention.start - 10), mention.start):
            verb = "thought"  # "He looks so happy, thought Ilse."
        events.append((mention.start, char, verb))
    events.sort(key=itemgetter(0))
    resolved: list[tuple[int, str]] = []  # subjects in text order, for free indirect questions
    for pos, who, verb in events:
        if who in ("he", "she"):
            char = last.get(who) or resolved_pronouns.get(pos)
        else:
            char = who
            if ctx.pronoun_class.get(char):
                last[ctx.pronoun_class[char]] = char
        if char and verb:
            resolved.append((pos, char))
            r.focal[char] += 1.0 if verb in _PERCEPTION else 0.05
    # Free indirect style: a question or exclamation in narration is its subject's ("How could she leave him?").
    for q in _FREE_INDIRECT.finditer(text, start, end):
        sentence = max(text.rfind(".", start, q.start()), text.rfind("!", start, q.start()),
                       text.rfind("?", start, q.start()), start)
        i = bisect_left(resolved, (sentence, ""))
        if i < len(resolved) and resolved[i][0] < q.start():
            r.focal[resolved[i][1]] += 0.5


def _count_tense(r: _Reading, verb: str, kind: str, between: str) -> None:
    """One vote for the tense of a verb right after its subject (and the ``between`` words)."""
    if verb in _AUX_WORDS or (between and _AUXILIARY.search(between)):
        return  # the auxiliary's tense: _tally counts was/had/is/has..., a modal says nothing
    if _is_past(verb):
        r.past += 1
    elif _is_present(verb, kind):
        r.present += 1


def _is_past(low: str) -> bool:
    return low in _PAST_LEX or (len(low) > 4 and low.endswith("ed"))


def _is_present(low: str, kind: str) -> bool:
    """A present-tense verb form after a subject: "I know", "she knows", "Kara lands".

    After he, she or a name almost any word in -s is a verb ("thus", "famous", "this" are not).
    """
    if kind == "other":
        return low in _BASE_LEX
    return len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is"))


# -- narrator clues ------------------------------------------------------------------------------


def _narrator_clues(story: Story, ctx: _Ctx, para: Span, segments: list[tuple[int, int]], r: _Reading) -> None:
    """Self-naming, kinship, names and vocatives in one paragraph of a first-person scene."""
    narration = " ".join([story.text[a:b] for a, b in segments])
    if "y " in narration or "I" in narration:  # "my ...", "I'm ...": the only ways to name oneself or kin
        for m in _SELF_NAMING.finditer(narration):
            char = _character(story, m.group(1))
            if char:
                r.narrator[char.id] += 4
                r.clues.append(f"self-naming {m.group(0)!r}")
        for m in _KIN.finditer(narration):
            char = _character(story, m.group(2))
            if not char:
                continue
            r.ruled_out.add(char.id)
            r.clues.append(f"kinship {m.group(0)!r}")
            if m.group(1).lower() in _PARTNER_KIN:
                for partner in _partners(story, char):
                    r.narrator[partner.id] += 3
    for a, b in segments:
        for m in ctx.mentions_between(a, b):
            if m.attrs.get("kind") == "name" and m.attrs.get("char"):
                r.narrator[m.attrs["char"]] -= 0.5  # the narrator is "I", not named, in their own narration
                r.named[m.attrs["char"]] += 1
    speaks = "I" in narration and bool(_NARRATOR_SAYS.search(narration))
    for q in ctx.quotes_in(para):
        for voc in _vocatives(story, ctx, q):
            # The narrator's own vocatives name someone else; others' lines beside the narrator's address them.
            r.narrator[voc] += -1.0 if speaks else 0.4
    if speaks:
        for q in ctx.quotes_near(para):
            for voc in _vocatives(story, ctx, q):
                r.narrator[voc] += 0.6


def _vocatives(story: Story, ctx: _Ctx, quote: Span) -> Iterator[str]:
    """Characters named as the addressee inside a quote: "Watson, come here", "Not now, Jake."."""
    text = story.text
    for m in ctx.mentions_between(quote.start, quote.end):
        if m.attrs.get("kind") != "name" or not m.attrs.get("char"):
            continue
        before = text[max(quote.start, m.start - 2) : m.start].strip()
        after = text[m.end : m.end + 1]
        opens = m.start - quote.start <= 1 or before.endswith(",")
        if opens and m.end >= quote.end - 2 and ctx.answers_question(quote):
            continue  # "Where did you get that?" "Lestrade.": a name alone that answers is no vocative
        if opens and (after in ",.!?…" or m.end >= quote.end - 1):
            yield m.attrs["char"]


def _story_narrator_clues(story: Story, readings: list[_Reading], story_focal: Counter) -> Counter:
    """Narrator evidence that holds for every first-person scene of the story."""
    clues: Counter = Counter()
    for r in readings:
        if r.person == "first":
            clues.update(r.narrator)
    total = sum(story_focal.values())
    for char, n in story_focal.items():
        clues[char] += 1.5 * n / total if total else 0.0
    for tag in story.meta.additional_tags:
        if re.search(r"first person|\bPOV\b|point of view", tag, re.I):
            name = re.sub(r"(?i)first person|\bPOV\b|point of view|[-:/()]", " ", tag)
            char = _character(story, " ".join(name.split()))
            if char:
                clues[char.id] += 2
    for text in (story.meta.summary or "", *story.meta.notes):
        for m in _POV_MENTION.finditer(text):
            char = _character(story, m.group(1) or m.group(2))
            if char:
                clues[char.id] += 2
    for c in story.characters:
        if c.main:
            clues[c.id] += 0.1
    return clues


def _letter_clues(story: Story, letters: list[tuple[int, int]]) -> Counter:
    """In a story told in letters the writer signs each one ("Love, Hester"); the salutation names someone else."""
    clues: Counter = Counter()
    for a, b in letters:
        lines = story.text[a:b].strip().splitlines()
        if len(lines) < 2:
            continue  # no sign-off found
        for line, weight in ((lines[-1], 3), (lines[0], -3)):
            char = _character(story, " ".join(_LETTER_WORDS.sub(" ", line).split()))
            if char:
                clues[char.id] += weight
    return clues


def _focal(r: _Reading, main_focal: str | None) -> str | None:
    """The scene's best perceiver, unless the story's main focal character is close enough to keep."""
    best = _best(r.focal, set())
    if best and main_focal and r.focal[main_focal] * SWITCH_RATIO >= r.focal[best]:
        if best != main_focal:
            r.clues.append(f"kept the story's focal {main_focal}")
        return main_focal
    return best


def _narrator(shared: Counter, r: _Reading, ruled_out: set[str], named: Counter) -> str | None:
    """The best narrator of one first-person scene: the story's evidence plus the scene's own.

    Stories that pass the "I" between characters scene by scene (headers lost, "~John~" then
    "~Sherlock~") make the story-wide evidence point at one narrator, so the scene's own evidence
    decides twice: someone its narration keeps naming is not its narrator, and someone it points at
    (a vocative) without naming them loses the penalty of being named in the other scenes.
    """
    scores = Counter(shared)
    scores.update(r.narrator)
    for char, v in r.narrator.items():
        if v > 0 and not r.named[char]:
            scores[char] += 0.5 * named[char]
    veto = {c for c, n in r.named.items() if n >= NAMED_NOT_NARRATOR}
    ruled_out = r.ruled_out | ruled_out
    return _best(scores, ruled_out | veto) or _best(scores, ruled_out)


def _all_ruled_out(readings: list[_Reading]) -> set[str]:
    return set().union(*(r.ruled_out for r in readings if r.person == "first"))


def _best(scores: Counter, ruled_out: set[str]) -> str | None:
    ranked = [(v, c) for c, v in scores.items() if c not in ruled_out and v > 0]
    return max(ranked)[1] if ranked else None


def _partners(story: Story, char: Character) -> list[Character]:
    """Who ``char`` is paired with: romantic relationship tags ("A/B", not "A & B") and the pack's spouses."""
    out: list[Character] = []
    for tag in story.meta.relationships:
        names = [n.strip() for n in re.split(r"/| x ", tag)]
        found = [_character(story, n) for n in names]
        if any(f is not None and f.id == char.id for f in found):
            out += [f for f in found if f is not None and f.id != char.id]
    for fact in _canon_facts(char):
        m = _MARRIED.match(fact)
        if m:
            name = m.group(1).strip()
            other = next((c for c in story.characters if c.canon == name), None) or _character(story, name)
            if other is not None and other.id != char.id:
                out.append(other)
    return out


def _canon_facts(char: Character) -> tuple[str, ...]:
    """The fandom pack's facts about ``char`` ("married to Lily Evans Potter"), when it is a canon character."""
    if not char.canon:
        return ()
    from ficlens.fandoms import load_packs  # read only when a kinship clue needs it

    for pack in load_packs():
        for canon in pack.characters:
            if canon.name == char.canon:
                return canon.facts
    return ()


# -- POV headers ---------------------------------------------------------------------------------


def _pov_line(story: Story, ctx: _Ctx, scene: Span) -> str | None:
    """A short first paragraph that is a POV header the structure stage left in the scene."""
    paras = _paragraphs(ctx, scene)
    if not paras:
        return None
    line = story.text[paras[0].start : paras[0].end].strip()
    if len(line) > 40 or "\n" in line or not _POV_WORDS.search(line):
        return None
    return line


def pov_character(story: Story, label: str) -> Character | None:
    """The character a POV header ("~Sherlock~", "Lily's POV") names, if the story has one by that name."""
    m = _POV.match(label.strip())
    return _character(story, m.group(1)) if m else None


def _character(story: Story, name: str) -> Character | None:
    """The story's character called ``name`` (or its first word: "Lily Evans" -> "Lily")."""
    from ficlens.analysis.characters import match_character  # the characters stage owns name matching

    name = re.sub(r"['’][sS]$", "", re.sub(r"^[\W_]+|[\W_]+$", "", name))
    return match_character(story, name) or (match_character(story, name.split()[0]) if " " in name else None)


# -- narration spans -----------------------------------------------------------------------------


class _Ctx:
    """Per-story lookups shared by every scene: excluded spans, mentions, quotes, pronoun classes."""

    def __init__(self, story: Story) -> None:
        # Without the quotes stage, its detector alone still keeps dialogue out of the narration.
        self.quotes = list(story.spans("quotes")) if "quotes" in story.layers else find_quotes(story)
        spans = [(q.start, q.end) for q in self.quotes]
        spans += [(s.start, s.end) for s in story.spans("italics")]
        spans += [(s.start, s.end) for s in story.spans("front_matter")]
        spans += _chat_logs(story, story.spans("paragraphs"))
        letters = _letters(story, story.spans("paragraphs"))
        # A story told in letters (EPISTOLARY_SHARE of its prose) has them for narration, not as something read in it.
        self.epistolary = bool(letters) and sum(b - a for a, b in letters) >= EPISTOLARY_SHARE * sum(
            p.end - p.start for p in story.spans("paragraphs")
        )
        self.letters = letters
        if not self.epistolary:
            spans += letters
        self.excluded = sorted(spans)
        self.quote_starts = [q.start for q in self.quotes]
        self.story_text = story.text
        self.mentions = story.spans("mentions")  # sorted by position, as every layer
        self.mention_starts = [m.start for m in self.mentions]
        self.pronoun_class = {c.id: _pronoun_class(c) for c in story.characters}
        #: An unresolved "she" before any woman is named goes to the story's most mentioned woman.
        self.default_referent: dict[str, str] = {}
        for c in sorted(story.characters, key=lambda c: c.mentions):
            if self.pronoun_class[c.id]:
                self.default_referent[self.pronoun_class[c.id]] = c.id
        self.paragraphs = story.spans("paragraphs")
        self.para_starts = [p.start for p in self.paragraphs]

    def mentions_between(self, start: int, end: int) -> list[Span]:
        i = bisect_left(self.mention_starts, start)
        j = bisect_left(self.mention_starts, end, lo=i)
        return self.mentions[i:j]

    def quotes_in(self, span: Span) -> list[Span]:
        i = bisect_left(self.quote_starts, span.start)
        j = bisect_left(self.quote_starts, span.end, lo=i)
        return self.quotes[i:j]

    def answers_question(self, quote: Span) -> bool:
        """Whether the quote just before ``quote`` asks a question."""
        i = bisect_left(self.quote_starts, quote.start)
        return i > 0 and "?" in self.story_text[max(0, self.quotes[i - 1].end - 3) : self.quotes[i - 1].end]

    def quotes_near(self, para: Span) -> list[Span]:
        """Quotes of the paragraphs just before and after ``para`` (the other side of a conversation)."""
        k = bisect_left(self.para_starts, para.start)
        near = [self.paragraphs[j] for j in (k - 1, k + 1) if 0 <= j < len(self.paragraphs)]
        return [q for p in near for q in self.quotes_in(p)]


def _pronoun_class(c: Character) -> str | None:
    p = (c.pronouns or "").lower()
    if p.startswith("she"):
        return "she"
    if p.startswith("he"):
        return "he"
    g = str(c.attrs.get("gender") or "").lower()
    return {"f": "she", "female": "she", "m": "he", "male": "he"}.get(g)


def _paragraphs(ctx: _Ctx, scene: Span) -> list[Span]:
    if not ctx.paragraphs:
        return [scene]
    i = bisect_left(ctx.para_starts, scene.start)
    j = bisect_left(ctx.para_starts, scene.end, lo=i)
    return ctx.paragraphs[i:j]


def _narration(para: Span, excluded: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The parts of ``para`` outside every excluded span."""
    pos = para.start
    i = max(0, bisect_left(excluded, (para.start, para.start)) - 1)
    while i < len(excluded) and excluded[i][0] < para.end:
        a, b = excluded[i]
        if b > pos:
            if a > pos:
                yield pos, min(a, para.end)
            pos = max(pos, b)
        i += 1
    if pos < para.end:
        yield pos, para.end


def _chat_logs(story: Story, paras: list[Span]) -> list[tuple[int, int]]:
    """Text messages and chat logs: two or more lines in a row, each "Name: message" ("Ned: where are you")."""
    out, run = [], []
    for p in paras:
        lines = story.text[p.start : p.end].splitlines()
        if all(_CHAT_LINE.match(line) for line in lines):
            run.append((p.start, p.end, len(lines)))
            continue
        if sum(n for _, _, n in run) >= 2:
            out += [(a, b) for a, b, _ in run]
        run = []
    if sum(n for _, _, n in run) >= 2:
        out += [(a, b) for a, b, _ in run]
    return out


def _letters(story: Story, paras: list[Span]) -> list[tuple[int, int]]:
    """Unquoted letters: from a "Dear Harry," paragraph to the next one that ends in a short sign-off line."""
    out = []
    for i, p in enumerate(paras):
        if not _SALUTATION.match(story.text, p.start, p.end):
            continue
        end = p.end
        single_line = "\n" not in story.text[p.start : p.end].strip()
        for q in paras[i + single_line : i + 8]:
            if len(story.text[q.start : q.end].rstrip().rsplit("\n", 1)[-1].split()) <= 4:
                end = q.end
                break
        out.append((p.start, end))
    return out


def _evidence(r: _Reading, person: str) -> str:
    if r.words < MIN_WORDS:
        return f"{r.words} narration words, too few: the story's majority"
    rate = {"first": r.first, "second": r.second, "third": r.third}[person] / r.words
    parts = [f"{person} {rate:.1%} of {r.words} narration words", f"past {r.past}:{r.present} present"]
    if r.not_narrator:
        parts.append(f"{r.not_narrator} first-person words in asides to the reader or tagged thoughts left out")
    if person == "third" and r.focal:
        parts.append("perceivers " + ", ".join(f"{c} {v:.1f}" for c, v in r.focal.most_common(2)))
    parts += r.clues[:2]
    return "; ".join(parts)
