"""Person names in running text without a model: capitalised runs, titles, and whole-story evidence.

One regex pass over the prose finds runs of capitalised words ("Lily Potter", "Mr. Knightley");
the words around each run give cheap evidence (a speech verb after it, "in" before it, a title,
a possessive with a body part). Whole-story statistics then decide, once per distinct name,
whether it names a person: a word capitalised only at sentence starts ("Shooting", "Dammit")
needs a strong cue, a name preceded by "in" or "at" is a place, one after "the" an epithet.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ficlens.errors import StageError

#: Titles before a name, with the gender they imply (None: either).
TITLES: dict[str, str | None] = {
    **dict.fromkeys(
        "Mr Mister Sir Lord Uncle Master Father Brother King Prince Duke Count Baron Earl Monsieur Senor Herr "
        "Headmaster Grandpa Grandfather Papa Signor Signore Don Mynheer Sahib Squire Mistah Mista Marse "
        "Emperor Tsar Czar Kaiser Sultan Marquis Marquess Archduke Monsignor Cardinal Abbot Friar "
        "Citoyen".split(),
        "he",
    ),
    **dict.fromkeys(
        "Mrs Ms Miss Lady Madam Madame Mme Mlle Dame Aunt Auntie Mistress Mother Sister Queen Princess Duchess "
        "Countess Baroness Headmistress Grandma Grandmother Granny Mama Senora Frau Mademoiselle Fraulein Signora "
        "Signorina Senorita Dona Donna Memsahib Missus Empress Tsarina Czarina Marchioness Archduchess "
        "Abbess Citoyenne".split(),
        "she",
    ),
    **dict.fromkeys(
        "Mx Dr Doctor Prof Professor Captain Capt Agent Detective Inspector Sergeant Sgt Colonel Col General Major "
        "Lieutenant Lt Commander Admiral Officer Rev Reverend Minister Senator Chancellor President Judge "
        "Healer Auror Nurse Coach Chief Director Deputy Private Corporal Marshal Sheriff Constable Father Elder "
        "Sensei Master Bishop Archbishop Archdeacon Vicar Rector Pastor Deacon Chaplain Rabbi Governor Mayor "
        "Ambassador Consul Commodore Ensign Brigadier Superintendent".split(),
        None,
    ),
}
TITLES["Father"] = "he"
TITLES["Master"] = "he"
#: Titles that stay part of the name even after an article ("the amiable Miss Sedley"); any other title
#: after one describes the person ("the Prince Prospero", "the famous Colonel Lockhart").
HONORIFICS = frozenset(
    "Mr Mister Mrs Missus Ms Miss Mx Dr Doctor Lady Lord Madam Madame Mme Mlle Mademoiselle Monsieur Herr Frau "
    "Fraulein Senor Senora Senorita Signor Signora Signorina Don Dona Donna Master Mistress Dame Squire".split()
)
#: Ranks and professions, with their abbreviations spelled out: "the General" is a story's one General.
RANKS = {t: t for t, g in TITLES.items() if g is None} | {
    "Dr": "Doctor", "Prof": "Professor", "Capt": "Captain", "Sgt": "Sergeant", "Col": "Colonel", "Lt": "Lieutenant",
    "Rev": "Reverend", "Gen": "General", "Lieut": "Lieutenant",
}


def alternation(words: str) -> str:
    """``"a|b|..."`` as a trie ("s(?:a(?:id|ys)|...)"): the regex engine tries a few branches per word instead
    of every word. Longer words come first, so followed by a word boundary it matches the same words."""
    tree: dict = {}
    for w in words.split("|"):
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(c) + emit(sub) for c, sub in sorted(node.items()) if c] + [""] * ("" in node)
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(tree)


# Titles as written, or in capitals ("MRS. Lynde"), tried only where two capitals start the word (speed).
_TITLE_RE = (
    alternation("|".join(TITLES)) + "|(?=[A-Z]{2})" + alternation("|".join(t.upper() for t in TITLES if len(t) > 1))
)

_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
# Lower-case endings hyphenated onto a name that make it another word: "Woodhouse-ing", "Potter-ish".
_VERBAL = r"(?:ing|ed|ish|like|esque|ism|ites?|type|style|less|ful|y)"
# A name word: Harry, McGonagall, O'Brien, Jean-Luc; never a bare capital ("I") or ALL CAPS.
_TOK = (
    rf"[{_UP}](?:[{_LO}]+(?:[{_UP}][{_LO}]+)*|[{_LO}]?['’][{_UP}][{_LO}]+)(?:-(?!{_VERBAL}\b)[{_UP}]?[{_LO}]+)*"
    rf"(?!['’][a-rt-z]|[{_UP}{_LO}\d])"
)
_INITIAL = rf"[{_UP}]\."  # the J. in "Adam J. Patch"
_PARTICLE = r"(?:de|da|di|del|della|van|von|der|den|du|dos|le|la|bin|ibn|al)"
_SP = r"(?:[ \t]+|[ \t]*\r?\n[ \t]*)"
_PARTICLES = rf"(?:{_PARTICLE}[ \t]+){{1,2}}"  # "de", "van der"; after a title too: "Mr. van der Luyden"
# [title] name words; a title never continues a run ("If Mrs. Todd" is "If" + "Mrs. Todd").
RUN = re.compile(
    rf"\b(?:(?P<title>{_TITLE_RE})\.?[ \t]*\r?\n?[ \t]*(?=[{_UP}]|{_PARTICLES}[{_UP}]))?"
    rf"(?P<name>(?(title)(?:{_PARTICLES})?)(?:(?<=[ \t\n])St\.?[ \t]+)?{_TOK}"
    rf"(?:{_SP}(?:{_PARTICLES}|(?:{_INITIAL}[ \t]+)+)?(?!(?:{_TITLE_RE})\.?[ \t]+(?:[{_UP}]|of\b)){_TOK})*"
    r"(?:[ \t]+(?:II|III|IV|VI|VII|VIII|IX|XI|XII|XIII|XIV|XV|XVI)\b(?!['’]))?)"
)

# Where a run may start: a capital that begins a word. A pattern that starts with a character class lets
# the regex engine skip ahead in C; RUN itself starts with "\b" and would be tried at every position.
_RUN_START = re.compile(rf"[{_UP}](?<!\w.)")


def runs_in(text: str, start: int, end: int):
    """``RUN.finditer(text, start, end)``, about four times faster: RUN is tried only where a word starts
    with a capital."""
    search, match = _RUN_START.search, RUN.match
    while (c := search(text, start, end)) is not None:
        m = match(text, c.start(), end)
        if m is None:
            start = c.end()
            continue
        yield m
        start = m.end()


def words_re(words) -> re.Pattern:
    """Whole words from ``words`` (lower case) in any case, as one regex that starts with a character class
    (fast for the same reason as ``runs_in``)."""
    tails: dict[str, list[str]] = {}
    for w in words:
        tails.setdefault(w[0], []).append(re.escape(w[1:]))
    firsts = "".join(c + c.upper() for c in sorted(tails))
    alts = "|".join(
        f"(?<=[{c}{c.upper()}])(?i:{'|'.join(sorted(t, key=len, reverse=True))})" for c, t in sorted(tails.items())
    )
    return re.compile(rf"[{firsts}](?<!\w.)(?:{alts})\b")


#: Capitalised words that are never a person's name on their own.
STOP = frozenset(
    """
I Me My Mine Myself We Us Our Ours You Your Yours Yourself He Him His Himself She Her Hers Herself It Its Itself
They Them Their Theirs Themselves Xe Ze One
The A An This That These Those Some Any Every Each All Both No None Neither Either Another Such Other Others
What Which Who Whom Whose Why When Where How Whatever Whoever Whenever Wherever However
And But Or Nor So Yet For If Then Than Because Although Though While Whilst As At By In On Of To From With
Without Into Onto Upon After Before Since Until Till Over Under About Above Below Through Behind Beside Besides
Between Beyond During Except Inside Outside Near Off Out Up Down Around Across Along Against Among Toward
Towards Once Unless Whether Instead Still Even Just Only Also Too Very Not Never Always Often Sometimes Perhaps
Maybe Now Here There Today Tonight Tomorrow Yesterday To-day To-night To-morrow
Again Already Almost Soon Later Suddenly Finally Slowly
Quickly Meanwhile Anyway Besides Otherwise Indeed Thus Hence Therefore Nevertheless Nonetheless Like Unlike
Oh Ah Aha Ahh Ooh Eh Huh Hm Hmm Um Umm Uh Er Erm Yes Yeah Yep Yup Nope Nah No Okay Ok Alright Well Hey Hi
Hello Goodbye Bye Please Thanks Thank Sorry Wow Whoa Damn Dammit Dang Darn Shit Fuck Fucking Bloody Hell Crap
Christ Jesus God Gods Lord Heaven Heavens Ladyship Lordship Majesty Highness Excellency Honour Honor Grace Worship
Esq Esquire Co Inc Ltd Nature Time North South East West Northern Southern Eastern Western
Goodness Gosh Geez Jeez Ugh Argh Ow Ouch Oops Shh Psst Bah Pah Ha Haha Good-bye Good-night Good-morning Pray Nay
Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Hundred Thousand Many Few Several Most Enough Nonsense
Good Great Fine Right Sure Dear Dearest Poor Little Young Pretty Sweet Lovely Silly True False Next First Last
Darling Honey Sweetheart Love Baby Babe Mate Dude Buddy Pal Boss
Boys Girls Guys Kids Children Folks Lads Lasses Men Women People Friends Everyone's Y'all
Mum Mom Mummy Mommy Mama Dad Daddy Papa Ma Pa Mother Father Grandma Grandpa Granny Gran Sis Bro Auntie Aunty
Sir Madam Maam Ma'am Miss Mister Mistress Master Lady Gentlemen Ladies Everyone Everybody Someone Somebody
Anyone Anybody Nobody Nothing Something Anything Everything Everywhere Nowhere Somewhere
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March July September October
November December Christmas Easter Halloween Michaelmas Whitsun Whitsuntide Lent Candlemas Lammas Martinmas
Chapter Part Book Volume Prologue Epilogue Interlude Summary Notes Note Disclaimer Author Authors Fin End
Mr Mrs Ms Mx Dr Prof St Mme Mlle Let Let's Don't Can't Won't Isn't Aren't Wasn't Weren't Didn't Doesn't
Couldn't Wouldn't Shouldn't Haven't Hasn't Hadn't I'm I'll I'd I've It's That's What's There's Here's
Is Are Was Were Be Been Being Am Do Does Did Done Have Has Had Can Could Will Would Shall Should May Might Must
Come Go Get Stop Look Listen Wait Run Help Leave Stay Tell Give Take Make Keep Watch See Say Said Ask Asked
English French German Spanish Italian Russian Chinese Japanese Korean American British Irish Scottish Welsh
Indian African European Asian Latin Greek Roman Jewish Muslim Christian Catholic Protestant Muggle Muggles
""".split()
)

#: Stop words that are also names ("Captain Good", "Will", "Aunt May"): names when the story treats them as one.
SURNAME_STOPS = frozenset("Good Great Fine Sweet Little Young Pretty Poor Will May".split())
#: Stop words that never start a name, so a run of just one of them is dropped at once ("He", "But", "Yes":
#: half of all runs).
_NEVER_NAMES = STOP - SURNAME_STOPS

#: Words that make a capitalised run a place or an organisation, not a person.
PLACE_WORDS = frozenset(
    """
Street St Road Rd Lane Avenue Ave Square Place Alley Row Close Drive Way Court Gardens Park Hall House Manor
Castle Palace Tower Towers Abbey Cathedral Church Chapel Hill Hills Mountain Mountains Mount Valley River Lake
Sea Ocean Bay Island Islands Bridge Station Airport Hotel Inn Pub Tavern Bar Cafe Restaurant Shop Store Market
Hospital School Academy College University Institute Library Museum Ministry Department Office Bureau Agency
Company Corporation Corp Inc Ltd Industries Society Club Order Army Navy Force Forces Guard Council Committee
Court Street Forest Wood Woods Field Fields Farm Village Town City County Kingdom Empire Republic States Union
Headquarters HQ Centre Center Tower Prison Building Room Wing Floor Hollow Burrow Lodge Cottage Estate Grange
Common Commons Green End Heath Moor Vale Cove Harbour Harbor Port Gate Gates Wall Garden Garage Alley Mall
Point Landing Corner Slope Villa Terrace Crescent Parsonage Rectory Vicarage Light Lighthouse Land
Express Times Prophet Post News Gazette Herald Journal Magazine Quarterly Weekly Daily Cup League Games
""".split()
)

_SPEECH = (
    "said|says|asked|asks|replied|replies|answered|answers|whispered|whispers|shouted|shouts|screamed|screams|"
    "yelled|yells|cried|cries|called|calls|muttered|mutters|murmured|murmurs|exclaimed|exclaims|added|adds|"
    "continued|continues|explained|explains|insisted|insists|agreed|agrees|admitted|admits|protested|snapped|"
    "snaps|growled|growls|hissed|hisses|sneered|sneers|laughed|laughs|sighed|sighs|groaned|groans|begged|begs|"
    "demanded|demands|told|tells|retorted|stammered|stuttered|breathed|breathes|moaned|sobbed|sobs|declared|"
    "declares|announced|announces|inquired|enquired|remarked|observed|suggested|suggests|repeated|repeats|"
    "interrupted|interrupts|began|begins|went on|goes on|grumbled|grumbles|chuckled|chuckles|giggled|giggles|"
    "snorted|snorts|scoffed|scoffs|teased|teases|pleaded|pleads|wondered|wonders|thought|thinks|crooned|taunted"
)
_ACTION = (
    "smiled|smiles|nodded|nods|grinned|grins|frowned|frowns|shrugged|shrugs|looked|looks|stared|stares|"
    "glanced|glances|turned|turns|walked|walks|ran|runs|stood|stands|sat|sits|felt|feels|knew|knows|wanted|wants|"
    "realized|realised|realizes|realises|remembered|remembers|decided|decides|tried|tries|hoped|hopes|loved|"
    "loves|hated|hates|liked|likes|took|takes|gave|gives|pulled|pulls|pushed|pushes|held|holds|grabbed|grabs|"
    "reached|reaches|raised|raises|lifted|lifts|kissed|kisses|hugged|hugs|blinked|blinks|winced|winces|"
    "swallowed|swallows|paused|pauses|hesitated|hesitates|leaned|leans|rolled|rolls|shook|shakes|stepped|steps|"
    "moved|moves|rushed|rushes|jumped|jumps|sighed|laughed|watched|watches|noticed|notices|saw|sees|heard|hears|"
    "couldn't|didn't|wouldn't|can't|won't|doesn't|hadn't|isn't|wasn't|had never|was not|has never|"
    "seemed|seems|smirked|smirks|scowled|scowls|rolled|gasped|gasps|flinched|flinches|bit|bites|clung|clings|"
    "spun|spins|strode|strides|hurried|hurries|entered|enters|left|leaves|came|comes|went|goes|arrived|arrives|"
    "returned|returns|opened|opens|closed|closes|married|marries|died|dies|woke|wakes|slept|sleeps|cried|"
    "himself|herself|themselves|himself,|herself,"
)
_BODY = (
    "eyes|eye|face|hand|hands|arm|arms|hair|head|voice|mouth|lips|shoulder|shoulders|back|chest|heart|mind|"
    "body|feet|foot|legs|leg|fingers|finger|cheek|cheeks|smile|gaze|expression|wand|mother|father|mum|dad|mom|"
    "wife|husband|son|daughter|brother|sister|parents|family|friend|friends|aunt|uncle|cousin|boyfriend|"
    "girlfriend|lover|children|child|baby|life|name|laughter|room|bed|office|sake|thoughts|words|tone|own"
)


_AFTER_PERSON = re.compile(
    rf"(?:[ \t]*,)?\s+(?:(?P<speech>{alternation(_SPEECH)})|{alternation(_ACTION)})\b"
    rf"|\s?['’]s?\s+{alternation(_BODY)}\b"
    r"|[ \t]?,[ \t]+who\b|[ \t]+(?:and|or) (?:I|me)\b"
)
_TOWN = re.compile(
    r"[a-z](?:(?:town|ville|burg|burgh|shire|port|mouth|chester|caster|minster|borough|polis|stadt|grad|land)\b"
    r"|-(?:sub|on|upon|under|in|by|le|en|sur|am)-[A-Z])"  # "Kingsbere-sub-Greenhill", "Stratford-upon-Avon"
)
_VOCATIVE_AFTER = re.compile(r" ?[,!?]| ?\.[ \t]*[\"”’']")
_SUFFIX = re.compile(
    r"-(?:kun|chan|san|sama|sensei|senpai|sempai|dono|nii|nee|niisan|neesan|nii-san|nee-san|nii-chan|nee-chan|"
    r"baachan|jiji|taichou|taicho|hime|tan|chi|shishou|ssi|nim|ah|ya)$"
)
# The first pronoun in the rest of the sentence, or the sentence's end, whichever comes first.
_LATER_PRONOUN = re.compile(
    r"[.!?\nhHsSiI](?:(?<=[.!?\n])|(?<!\w.)(?:(?<=h)(?:e|im|is|er)|(?<=H)(?:e|is|er)|(?<=[sS])he|(?<=[iI])ts?)\b)"
)
_MARKS = "\"'“”‘’()[],.;:!?*_-—–…"
_NEXT = re.compile(r"[ \t]*(['’]s\b|[^\w\s]|\w+)")
_SPEECH_WORDS = frozenset(w for w in _SPEECH.split("|") if " " not in w)
_ARTICLES = frozenset("the a an The A An".split())
_DETERMINERS = frozenset("this these those every any some each another his her their my your our its".split())
_DETERMINERS |= {w.capitalize() for w in _DETERMINERS}
#: What may stand right before a name that makes it a description ("the Dark Lord", "her Ayah"), lower-cased.
DETERMINERS = frozenset(w.lower() for w in _ARTICLES | _DETERMINERS)
_PLACE_OF = frozenset(
    "out north south east west edge outskirts middle heart streets town city village parish county province "
    "kingdom isle island shores coast gulf port harbour palace castle bank storming siege battle neighbourhood "
    "environs suburbs capital borders".split()
)
#: Capitalised words before "of" that name kin or a family, not a place ("Son of Beatrice", "House of Usher").
_KIN_OF = frozenset("Son Daughter Wife Husband Widow Mother Father Sister Brother Friend House Family Clan".split())
#: What joins the names of a list ("Nice and Bordighera", "Lapland, Siberia, Spitzbergen").
_LIST_GLUE = frozenset((",", "and", "or", ", and", ", or"))
_FIRM_END = (" and Co", " & Co", " and co", " & co")  # "Carston, Waite and Co.": a firm
#: Verbs after which "at"/"towards" points at someone, not somewhere ("glared at Draco"), by their stems.
_LOOK_AT = tuple(
    "look stare star glanc glare glar smil grin laugh frown wink nod point shout yell snap scowl gaz peer sneer "
    "smirk winc blink beam turn whisper hiss growl snarl jerk motion gestur wave wav nudg squint".split()
)
_PLACE_PREPS = frozenset("in at into inside near outside within across around toward towards".split())


_DET_WORDS = _ARTICLES | _DETERMINERS


def _after_article(prev: list[str]) -> bool:
    """The name follows "the" and one lower-case word ("a big Op")."""
    return prev[0] in _ARTICLES and prev[1].isalpha() and prev[1].islower()


_POSS_PLACE = re.compile(rf" ?['’]s (?:{'|'.join(sorted(PLACE_WORDS))})\b")
_LOOKBACK = 24
_OPENERS = "\"“‘'([*_~"
_SKIP = " \t\r\n\"“”‘’'()[]*_~"
_ENDERS = ".!?…:—–-;"

NAMES_FILE = Path(__file__).parents[1] / "models" / "names.json"


@cache
def _lists() -> dict[str, list[str]]:
    return json.loads(NAMES_FILE.read_text(encoding="utf-8"))


@cache
def given_names() -> dict[str, str]:
    """First name -> "he"/"she" from the packaged list (a fallback prior, never the first word)."""
    data = _lists()
    return {**dict.fromkeys(data["female"], "she"), **dict.fromkeys(data["male"], "he")}


@cache
def not_people() -> frozenset[str]:
    """Well-known places and nationality words ("London", "New York", "Englishman"): never a person."""
    return frozenset(_lists()["places"]) | demonyms()


@cache
def _unnamed_places() -> frozenset[str]:
    """Well-known places that are nobody's first name: beside one, a name is a place ("Nice and Bordighera"),
    but not beside "Florence" ("Florence and Lucy")."""
    return frozenset(_lists()["places"]) - given_names().keys()


@cache
def demonyms() -> frozenset[str]:
    """Nationality and group words ("Englishmen", "Catholics"): a group, never one person's name."""
    return frozenset(_lists()["demonyms"])


@dataclass(slots=True)
class Run:
    """One capitalised run as found, before deciding whether it names a person."""

    start: int
    end: int
    title: str | None
    tokens: tuple[str, ...]
    initial: bool  # first word starts a sentence (or a quotation)
    det: bool  # preceded by a determiner: "the Dark Lord", "a Mudblood"
    person: int  # cues for a person next to it (speech verb, vocative, body-part possessive)
    place: int  # cues for a place ("in", "at")
    para: int
    poss: bool = False  # followed by 's
    speech: bool = False  # a speech verb right before or after: "said Lily", "Lily whispered"
    prep: bool = False  # after "of", "to", "from" (people and places both)
    before: str = ""  # the word (lower-cased) or mark just before it
    after: str = ""  # the word or mark just after it
    pronoun: str = ""  # the first pronoun later in its sentence: "he", "it" or ""
    described: bool = False  # a title after an article: "the Prince Prospero", "the famous Colonel Lockhart"


@dataclass
class Stats:
    """Whole-story counts per word: capitalised mid-sentence, at a sentence start, and cue totals."""

    mid: Counter
    initial: Counter
    person: Counter
    place: Counter
    titled: Counter
    det: Counter
    poss: Counter
    speech: Counter
    prep: Counter
    he_after: Counter
    it_after: Counter


def _place_of(word: str) -> bool:
    """The word before "of" makes what follows a place or a body: "the village of", "the Castle of", "Lord of"."""
    return word in _PLACE_OF or word[:1].isupper() and word.isalpha() and word not in _KIN_OF


def _listed(text: str, runs: list[Run], run: Run, places: frozenset[str], glue: str | None) -> None:
    """Place cues from the run before in the same list (``glue``: what stands between them, None if they are
    apart): a well-known place beside a name makes both places ("Newport and Saratoga"), and a firm's
    "and Co." makes every name of its list a firm ("Carston, Waite and Co.")."""
    if glue in _LIST_GLUE:
        last = runs[-1]
        if " ".join(last.tokens) in places:
            run.place += 1
        if " ".join(run.tokens) in places:
            last.place += 1
    if text.startswith(_FIRM_END, run.end):
        run.place += 2
        k = len(runs) - 1
        while glue == "," and k >= 0:
            runs[k].place += 2
            glue = text[runs[k - 1].end : runs[k].start].strip() if k and runs[k - 1].para == run.para else ""
            k -= 1


_PLACE_NOUNS = frozenset(w.lower() for w in PLACE_WORDS)  # "the Benbow inn": the word after a run is never capitalised
_WRAP = frozenset("_ “ \" ‘ '".split())
_CLOSERS = frozenset("” \" ’ '".split())


def _work_title(text: str, back: str, e: int) -> bool:
    """The run is wrapped whole in italics (``_Lancet_``) or in quotes after an article (the "Trois Couronnes,")."""
    before = back.rstrip()
    close = text[e : e + 4].lstrip(" ,.")[:1]
    if before[-1] == "_":
        return close == "_"
    return close in _CLOSERS and before[:-1].rstrip().rsplit(None, 1)[-1:] in (["the"], ["The"])


def scan(text: str, paras: list[tuple[int, int]]) -> list[Run]:
    """Every capitalised run in the paragraphs, with the cues around it (one regex pass)."""
    runs: list[Run] = []
    places = _unnamed_places()
    match_after = _AFTER_PERSON.match
    for pi, (ps, pe) in enumerate(paras):
        last_end = -99  # end of the paragraph's last run kept
        counted, straight = ps, 0  # straight quotes seen so far in the paragraph (counted once, in order)
        for m in runs_in(text, ps, pe):
            s, e = m.span()
            back = text[max(ps, s - _LOOKBACK) : s]
            spaced = back[-1:].isspace()
            prev = back.rsplit(None, 2)[-2:] if spaced else ["", ""]
            w1 = prev[-1] if prev else ""
            title, name = m.group("title", "name")
            det = spaced and bool(prev) and (w1 in _DET_WORDS or len(prev) == 2 and _after_article(prev))
            # "the Prince Prospero", "the famous Colonel Lockhart"; but "your Aunt Emily" is her name with its title
            described = (
                bool(title)
                and det
                and (w1 in _ARTICLES or len(prev) == 2 and _after_article(prev))
                and title.capitalize() not in HONORIFICS
            )
            det = det and not title
            if name in _NEVER_NAMES and not (title or det):
                continue
            if back[-2:].strip() in _WRAP and _work_title(text, back, e):
                continue  # "the _Savoy_", "the “Trois Couronnes”": a ship, an inn, a paper or a book
            j = s - 1
            quoted = j >= ps and text[j] in _OPENERS  # an opening mark touches the word it opens
            while j >= ps and text[j] in _SKIP:
                if text[j] == '"' and not quoted:  # straight quotes: an odd one opens (`" Pull !`)
                    straight += text.count('"', counted, j + 1)
                    counted = j + 1
                    quoted = straight % 2 == 1
                quoted = quoted or text[j] == "“"
                j -= 1
            initial = j < ps or quoted or text[j] in _ENDERS
            after_cue = match_after(text, e, pe)
            speech = w1 in _SPEECH_WORDS or bool(after_cue and after_cue["speech"])
            person = 1 if speech or after_cue else 0
            if not person and (quoted or w1.endswith(",") or w1 in ("dear", "Oh", "O")):
                person = 1 if _VOCATIVE_AFTER.match(text, e, pe) else 0  # "Lily, take Harry", "I think, Watson, that"
            place_prep = w1 in _PLACE_PREPS or w1 == "of" and len(prev) == 2 and _place_of(prev[0])
            if place_prep and len(prev) == 2 and prev[0].lower().startswith(_LOOK_AT):
                place_prep, person = False, 1  # "looked at Draco", "smiled at Lily", "turned towards Harry"
            place = 1 if place_prep and text[e : e + 1] not in ("'", "’") else 0
            if _TOWN.search(text, s, e):
                place += 2  # "Jamestown", "Kukuanaland"
            nxt = _NEXT.match(text, e, pe)
            after = nxt.group(1).lower() if nxt else ""
            if after in _PLACE_NOUNS:
                place += 1  # "the Benbow inn", "Carn Du light": a place's name before what it names
            if after.isdigit() and len(after) <= 2:
                place += 2  # "June 1, 1785": a month, not a woman
            # "Sasuke-kun" is Sasuke
            toks = tuple(_SUFFIX.sub("", t) for t in name.split()) if "-" in name else tuple(name.split())
            if len(toks) > 1 and toks[0] in ("The", "A", "An") and not title:
                toks, det = toks[1:], True  # "The Falcon dropped", "The Dark Lord came"
                s = text.index(toks[0], s)
            poss = text.startswith(("'s", "’s", " 's"), e)
            if (poss or text.startswith(" ’s", e)) and _POSS_PLACE.match(text, e):
                continue  # "Godric's Hollow", "St Mungo's Hospital": a place, whoever it is named after
            prep = w1 in ("of", "to", "from")
            before = w1.strip(_MARKS).lower() or w1[-1:] if spaced else back[-1:]
            later = _LATER_PRONOUN.search(text, e, min(pe, e + 80))
            pronoun = "" if later is None or len(later.group()) == 1 else "it" if later.group()[1] in "tT" else "he"
            run = Run(
                s,
                e,
                title and title.capitalize(),  # "MRS. Lynde" is Mrs Lynde
                toks,
                initial,
                det,
                person,
                place,
                pi,
                poss,
                speech,
                prep,
                before,
                after,
                pronoun,
                described,
            )
            glue = text[last_end:s].strip() if s - last_end <= 6 else None
            if glue in _LIST_GLUE or text.startswith(_FIRM_END, e):
                _listed(text, runs, run, places, glue)
            runs.append(run)
            last_end = e
    return runs


def stats(runs: list[Run]) -> Stats:
    """Whole-story counts per word, the evidence each name is judged on (runs alike in every cue counted once,
    with their number: a name is mostly written the same way)."""
    st = Stats(*(Counter() for _ in range(11)))
    alike = Counter(
        (r.tokens, r.det, r.initial, bool(r.title), r.person, r.place, r.poss, r.speech, r.prep, r.pronoun)
        for r in runs
    )
    for (tokens, det, initial, title, person, place, poss, speech, prep, pronoun), n in alike.items():
        if det:  # "the Saltmarsh light", "a big Op": evidence against a person's name
            for t in tokens:
                st.det[t] += n
            continue
        (st.initial if initial else st.mid)[tokens[0]] += n
        for t in tokens[1:]:
            st.mid[t] += n
        if title:
            st.titled[tokens[-1]] += n
            st.titled[tokens[0]] += n
        for t in tokens:
            st.person[t] += person * n
            st.place[t] += place * n
            st.poss[t] += poss * n
            st.speech[t] += speech * n
            st.prep[t] += prep * n
            st.he_after[t] += (pronoun == "he") * n
            st.it_after[t] += (pronoun == "it") * n
    return st


#: What the person model sees of a name (whole-story counts and word shape), in weight order.
FEATURES = (
    "one_word two_words mid initial only_initial mid_share person place det titled poss given "
    "lower_word common_suffix town short hyphen speech prep ends_ia ends_y ends_son he_after it_after "
    "place_ending mentions all_given"
).split()
PLACE_ENDING = re.compile(r"(?:ton|ham|ford|field|ley|bury|wick|worth|don|by|dale|stone|hurst|combe|sea|ia|ica)$")
COMMON_SUFFIX = re.compile(r"(?:ing|ed|ly|ness|tion|ful|less|ment|ous|est|er|ism|ity|ance|ence|ive|able)$")


def features(toks: tuple[str, ...], st: Stats, is_word) -> list[float]:
    """Feature values for one name (``is_word(w)``: does the text use ``w`` in lower case)."""
    mid = sum(st.mid[t] for t in toks)
    ini = st.initial[toks[0]]
    given = given_names()
    full = " ".join(toks)
    log = math.log1p
    return [
        float(len(toks) == 1),
        float(len(toks) == 2),
        log(mid),
        log(ini),
        float(mid == 0),
        mid / (mid + ini) if mid + ini else 0.0,
        log(sum(st.person[t] for t in toks)),
        log(sum(st.place[t] for t in toks)),
        log(sum(st.det[t] for t in toks)),
        log(sum(st.titled[t] for t in toks)),
        log(sum(st.poss[t] for t in toks)),
        float(any(t in given for t in toks)),
        float(is_word(toks[0].lower())),
        float(bool(COMMON_SUFFIX.search(toks[0]))),
        float(bool(_TOWN.search(full))),
        float(len(toks[0]) <= 3),
        float("-" in full),
        log(sum(st.speech[t] for t in toks)),
        log(sum(st.prep[t] for t in toks)),
        float(full.endswith("ia")),
        float(full.endswith(("y", "ie"))),
        float(full.endswith("son")),
        log(sum(st.he_after[t] for t in toks)),
        log(sum(st.it_after[t] for t in toks)),
        float(bool(PLACE_ENDING.search(toks[-1]))),
        log(st.mid[toks[0]] + st.initial[toks[0]] + st.det[toks[0]]),
        float(all(t in given for t in toks)),
    ]


MODEL_FILE = Path(__file__).parents[1] / "models" / "person.json"


class PersonModel:
    """Logistic regression over ``FEATURES`` and the words seen around the name ("p:said", "n:'s")."""

    def __init__(self, data: dict) -> None:
        if data.get("features") != FEATURES:
            raise ValueError("feature list differs from names.FEATURES")
        self.weights = data["weights"]
        self.bias = data["bias"]
        self.context: dict[str, float] = data.get("context", {})

    def prob(self, x: list[float], context: Counter | None = None) -> float:
        """Probability that the name is a person's; ``context`` counts its neighbours ("p:said": 3)."""
        z = self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))
        if context:
            n = sum(v for k, v in context.items() if k[0] == "p") or 1
            z += sum(self.context.get(k, 0.0) * v for k, v in context.items()) / n
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def person_model(path: Path = MODEL_FILE) -> PersonModel:
    """The packaged model (``scripts/train_names.py`` rebuilds it from LitBank)."""
    try:
        return PersonModel(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as e:
        raise StageError(f"person-name model {path} is missing or stale ({e}); run scripts/train_names.py") from None
