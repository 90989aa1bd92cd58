"""Quotes stage: every quotation in the story prose, its pieces and its kind.

Detection is one linear scan per paragraph. Each paragraph starts outside any quote, so a stray
mark from scraping damage can only spoil the paragraph it sits in, never the rest of a chapter.
A mark opens or closes by its neighbours (space before and a word after opens; a word before and
space or punctuation after closes); an ambiguous straight mark toggles. A quote still open at
the end of a paragraph continues into the next one when that paragraph opens with a mark
(multi-paragraph speech); otherwise it ends with its paragraph.

Documents whose dialogue uses single marks (British style) are told apart from ones where singles
are apostrophes and nested quotes by counting single marks that can only open; em-dash dialogue
is used when a story has no quote marks but paragraphs that open with a dash. Marks of the other
style inside a quote are nested quotes and stay part of it; a quotation reported inside a double-quoted
one and a narrator's stage direction in parentheses are cut out, leaving pieces of one utterance.

Kinds: ``thought`` and ``written`` come from the verb of the tag next to the quote; ``other`` is
a short quote inside a sentence with no end punctuation and no speech verb before it (scare
quotes, titles, a spell named in narration); everything else is ``speech``. Italic (HTML) or
``*asterisk*`` spans next to a thinking verb are added as ``thought``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficlens.analysis.pipeline import stage
from ficlens.story import Span, Story

PRODUCER = "quotes/1"

DOUBLE_OPEN, DOUBLE_CLOSE, DOUBLE_BOTH = "“„«", "”»", '"'
SINGLE_OPEN, SINGLE_CLOSE, SINGLE_BOTH = "‘", "’", "'"
_DOUBLES = re.compile(r'["“”„«»]')
_SINGLES = re.compile(r"['‘’]")
#: A single mark that can only open a quote: after a space or line start, before a letter,
#: and not one of the usual elisions ('tis, 'em, rock 'n' roll).
_SINGLE_OPENERS = re.compile(
    r"(?:^|(?<=[\s(\[—–-]))['‘](?!(?:tis|twas|twere|em|n|cause|cos|til|till|bout|round|ere|im|er|ow|e|s|d|ll|re|ve|m|"
    r"un|uns|ave|appen|ad|alf|ello|nother|specially|fraid|nuff)\b)(?=[^\W\d_])",
    re.MULTILINE | re.IGNORECASE,
)
_DASH_LINE = re.compile(r"^[ \t]*(?:—|―|–|--)[ \t]*(?=\S)", re.MULTILINE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_CLOSE_NEXT = frozenset(" \t\n\r.,;:!?)]}—–-…*_~")
_OPEN_PREV = frozenset(" \t\n\r([{—–-/*_~:")
_END_PUNCT = frozenset(".,;:!?—–-…~")

SPEECH_VERBS = frozenset(
    """said say says saying asked ask asks replied reply replies answered answer answers cried cry cries shouted
    shout shouts whispered whisper whispers muttered mutter mutters murmured murmur murmurs sighed sigh sighs sobbed
    screamed scream screams yelled yell yells called call calls exclaimed added continued began repeated returned
    rejoined observed remarked declared demanded insisted snapped growled hissed sneered laughed crooned taunted
    begged pleaded protested interrupted explained admitted agreed suggested told stammered stuttered breathed
    gasped groaned moaned grumbled retorted responded inquired enquired queried shrieked roared bellowed barked
    chuckled giggled spat drawled purred urged warned assured announced commented cooed coaxed corrected mumbled
    whimpered wailed howled hollered scoffed huffed grunted panted pressed prompted reasoned recalled replied
    resumed ventured volunteered conceded confessed concluded chimed piped offered promised
    echoed teased joked mocked soothed managed choked squeaked squealed screeched rasped croaked intoned uttered
    quipped countered whined snorted mused chirped trilled persisted interposed remonstrated faltered assented
    interpreted stated implored questioned confirmed acknowledged
    shouting screaming crying calling whispering muttering saying asking yelling""".split()
)
_VERB = "(?:" + "|".join(sorted(SPEECH_VERBS)) + r")\b"
#: Who speaks in a tag: a pronoun, a name, or two of them (``Naruto and Sakura``: a group).
_NAME = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}"
_WHO = rf"(?:he|she|I|they|we|{_NAME}(?:\s+and\s+{_NAME})?)"
#: The end of a tag's clause after its verb (``he said.``, ``he said quietly``, ``yelled together``), unlike a verb
#: with an object that opens a sentence of the speech (``He told us that yesterday.``).
_CLAUSE_ENDS = (
    r"(?=\s*(?:[,.!?;:—―–]|--|$)|\s+(?:[a-z]+ly|together|again|back|aloud)\b"
    r"|\s+(?:to|at)\s+(?:him|her|them|me|us|you|[A-Z]))"
)
#: Where em-dash speech stops: a dash before a lower-case tag (``— the old man said``, not a break in
#: the speech like ``— no, I mean``), or punctuation before a speech tag
#: (``, she whispered``, ``! said Sasuke``); after a sentence's end, a capital (``He said.``) opens a tag
#: only when its verb ends the clause.
_DASH_TAG = re.compile(
    rf"[,.!?…]?\s*(?:—|―|–|--)\s+(?=(?:[a-z]+\s+){{0,3}}{_VERB})|,(?=\s+(?:{_WHO}\s+)?{_VERB})"
    rf"|[.!?…](?=\s+(?:{_WHO}\s+{_VERB}{_CLAUSE_ENDS}|{_VERB}))"
)
#: A tag sentence that is only who and the verb (``he said.``, ``said Sasuke.``): speech may resume after
#: it without a dash. Anything more (``he said, and left.``, ``she said quietly.``) is narration.
_SHORT_TAG = re.compile(rf"\s*(?:(?P<who>{_WHO})\s+{_VERB}|{_VERB}\s+(?P<by>{_WHO}))\.\s+(?=(?P<next>[\w'’]+))")
#: Where a tag ends: before the dash that resumes the speech, or at the end of the tag's sentence.
_TAG_END = re.compile(r"[.!?…]?\s+(?=(?:—|―|–|--)[ \t]*\S)|[.!?…](?=\s|$)")
_DASH = re.compile(r"(?:—|―|–|--)[ \t]*(?=\S)")
#: A speech tag inside a quote that lost its closing mark: ``"Who left this? she asked``.
_INNER_TAG = re.compile(rf"[,.!?…](?=\s+(?:he|she|I|they|[A-Z][\w'’-]+)\s+{_VERB})")
_ELISION = re.compile(
    r"(?:tis|twas|twere|em|n|cause|cos|til|bout|im|er|ow|un|uns|ave|appen|alf|ello|nother|"
    r"specially|fraid|nuff)\b",
    re.IGNORECASE,
)
THINK_VERBS = frozenset(
    "thought thinks think thinking wondered wonders mused muses reflected reflects pondered ponders reasoned "
    "prayed prays".split()
)
WRITE_VERBS = frozenset(
    "wrote writes written write read reads typed types texted texts scrawled scribbled printed signed "
    "inscribed".split()
)
_NAMING = re.compile(
    r"\b(?:the\s+(?:word|words|phrase|term|name|title|motto|label)|called\s+(?:him|her|it|them|me|us|you)|named|"
    r"titled|entitled|marked|"
    r"labell?ed|known\s+as|so-called|nicknamed|dubbed)\s*$",
    re.IGNORECASE,
)
#: A verb after a quoted word that makes the word the subject of a sentence, not speech.
_SUBJECT_OF = re.compile(r"[ \t\n]+(?:was|is|were|are|had|has|may|might|must|meant|means|always|never|seemed|became)\b")
_TITLE_WORDS = frozenset("a an the of and in on to for with at by from or".split())


@dataclass(slots=True)
class _Piece:
    start: int
    end: int
    #: True when the piece runs to its paragraph's end with no closing mark.
    open_end: bool = False
    #: True when the piece continues a quote left open at the end of the previous paragraph.
    continued: bool = False
    #: True when the piece goes on after an aside inside the same quote (``(smiling,)``) or after an
    #: em-dash tag: more of the same words.
    aside: bool = False


def _style(text: str) -> str:
    """'double', 'single' or 'dash': the marks this story's dialogue uses."""
    doubles = len(_DOUBLES.findall(text))
    singles = len(_SINGLE_OPENERS.findall(text))
    if singles >= 3 and singles > doubles:
        return "single"
    if doubles < 2 and len(_DASH_LINE.findall(text)) >= 3:
        return "dash"
    return "double"


def _scan(text: str, start: int, end: int, style: str, carry: bool) -> tuple[list[_Piece], bool]:
    """The quote pieces of paragraph ``text[start:end]``; also whether a quote is left open at its end.

    ``carry``: a quote left open by the previous paragraph continues here (its opening mark, if
    any, is the usual reminder mark of multi-paragraph speech, not a new quote).
    """
    if style == "single":
        marks, opens, closes, both = _SINGLES, SINGLE_OPEN, SINGLE_CLOSE, SINGLE_BOTH
    else:
        marks, opens, closes, both = _DOUBLES, DOUBLE_OPEN, DOUBLE_CLOSE, DOUBLE_BOTH
    pieces: list[_Piece] = []
    open_at: int | None = start if carry else None
    continued = carry
    for m in marks.finditer(text, start, end):
        i = m.start()
        ch = text[i]
        prev = text[i - 1] if i > start else "\n"
        nxt = text[i + 1] if i + 1 < end else "\n"
        if carry and i == start:
            continue
        if style == "single" and (
            prev.isalnum() and (nxt.isalpha() or nxt == "s")  # don't, James's
            or prev in " \t\n(" and _ELISION.match(text, i + 1)  # 'tis, rock 'n' roll
            or prev in "nN" and i >= 2 and text[i - 2] in "'‘’" and text[i - 3 : i - 2].isspace()
        ):
            continue
        can_open = ch in opens or (ch in both or ch in closes) and prev in _OPEN_PREV and nxt not in " \t\n\r"
        can_close = ch in closes or (ch in both or ch in opens) and nxt in _CLOSE_NEXT and prev not in " \t\n\r"
        if ch in opens and not (nxt in _CLOSE_NEXT and prev not in _OPEN_PREV):
            can_close = False
        if ch in closes and not (prev in _OPEN_PREV and nxt not in _CLOSE_NEXT):
            can_open = False
        if open_at is None:
            if can_open or not can_close:
                open_at = i
            continue
        if style == "single" and prev in "sS" and nxt == " " and not can_open and _later_close(text, i + 1, end):
            continue  # plural possessive (the Potters' house) while a later mark can close
        if can_close or not can_open:
            pieces.append(_Piece(open_at, i + 1, continued=continued))
        else:  # an opening mark while a quote is open: the earlier one lost its closing mark
            pieces.append(_unclosed(text, open_at, i, continued))
            open_at = i
            continued = False
            continue
        open_at = None
        continued = False
    if open_at is None:
        return pieces, False
    last = _unclosed(text, open_at, end, continued)
    if last.end > last.start + 1:
        pieces.append(last)
    return pieces, last.open_end


def _unclosed(text: str, start: int, end: int, continued: bool) -> _Piece:
    """A quote whose closing mark is missing: it ends before a speech tag inside it when there is one
    (``"Who left this? she asked``: scraping damage), else at ``end``, still open."""
    tag = _INNER_TAG.search(text, start + 1, end)
    if tag:
        return _Piece(start, tag.start() + 1, continued=continued)
    while end > start + 1 and text[end - 1] in " \t\n\r":
        end -= 1
    return _Piece(start, end, open_end=True, continued=continued)


def _later_close(text: str, i: int, end: int) -> bool:
    """Whether a single mark after ``i`` (within a few sentences) can close the open quote."""
    for m in _SINGLES.finditer(text, i, min(end, i + 600)):
        j = m.start()
        nxt = text[j + 1] if j + 1 < end else "\n"
        if nxt in _CLOSE_NEXT and text[j - 1] not in " \t\n\r" and not (text[j - 1] in "sS" and nxt == " "):
            return True
    return False


def _dash_pieces(text: str, start: int, end: int) -> list[_Piece]:
    """Em-dash dialogue: from the opening dash to the paragraph's end or to the tag after it. Speech
    resumed after the tag (``— Morning! he shouted. — Breakfast?``, ``— Yeah, he said. We should.``)
    gives further pieces of the same utterance."""
    m = _DASH_LINE.match(text, start, end)
    if not m:
        return []
    while end > m.end() and text[end - 1].isspace():
        end -= 1
    pieces: list[_Piece] = []
    at, speech = m.start(), m.end()
    while True:
        cut = _DASH_TAG.search(text, speech, end)
        if not cut:
            pieces.append(_Piece(at, end, aside=bool(pieces)))
            return pieces
        stop = cut.start() + (text[cut.start()] in ",.!?…")
        pieces.append(_Piece(at, stop, aside=bool(pieces)))
        tag_end = _TAG_END.search(text, cut.end(), min(end, cut.end() + 150))
        dash = tag_end and _DASH.match(text, tag_end.end(), end)
        short = _SHORT_TAG.match(text, cut.end(), end)
        if short and short["next"] in {"He", "She", "They", *(short["who"] or short["by"]).title().split()}:
            short = None  # narration about the speaker goes on: ``— Yes, Ana said. She left.``
        if dash:
            at, speech = dash.start(), dash.end()
        elif short:
            at = speech = short.end()
        else:
            return pieces


def _tag_verb(text: str, q_start: int, q_end: int, p_start: int, p_end: int) -> str:
    """The verb of the tag next to the quote (``"...," she thought``), lower case, or ''."""
    after = text[q_end : min(p_end, q_end + 60)]
    words = [w.lower() for w in _WORD.findall(after)[:4]]
    for w in words:
        if w in SPEECH_VERBS or w in THINK_VERBS or w in WRITE_VERBS:
            return w
    before = text[max(p_start, q_start - 60) : q_start].rstrip()
    if before.endswith((",", ":")):
        bw = [w.lower() for w in _WORD.findall(before)[-3:]]
        for w in reversed(bw):
            if w in SPEECH_VERBS or w in THINK_VERBS or w in WRITE_VERBS:
                return w
    return ""


def classify(text: str, q_start: int, q_end: int, p_start: int, p_end: int) -> str:
    """The kind of the quote ``text[q_start:q_end]`` in the paragraph ``text[p_start:p_end]``."""
    verb = _tag_verb(text, q_start, q_end, p_start, p_end)
    if verb in THINK_VERBS:
        return "thought"
    if verb in WRITE_VERBS:
        return "written"
    inner = text[q_start + 1 : q_end - 1].strip() if q_end - q_start > 1 else ""
    if verb or not inner or text[q_end - 1 : q_end].isalnum():
        return "speech"
    if inner[-1].isalnum() and len(inner.split()) <= 2 and _SUBJECT_OF.match(text, q_end, p_end):
        return "other"  # a word that is the subject of the sentence: "Duty" always made him groan
    before = text[max(p_start, q_start - 60) : q_start].rstrip()
    if not before or before[-1] in ":,—–-":
        return "speech"
    if _NAMING.search(before):
        return "other"  # the word "love", a shop called "Flourish", a box marked "Fragile"
    words = inner.split()
    mid_sentence = before[-1].isalnum() or before[-1] in ")'’"
    if mid_sentence and (len(words) <= 6 and inner[-1] not in _END_PUNCT or len(words) <= 4 and inner[-1] in ",.;"):
        return "other"  # a scare quote, a name or a term inside a sentence
    if inner[-1] in _END_PUNCT:
        return "speech"
    if len(words) <= 8 and all(w[:1].isupper() or w.lower() in _TITLE_WORDS for w in words):
        return "other"  # a title in narration
    return "speech"


_MARKED = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,300}?)(?<=\S)\*(?![\w*])")


def _thoughts(story: Story, text: str, p: Span, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Asterisk or italic spans in paragraph ``p`` with a thinking verb next to them."""
    cands = [(m.start(), m.end()) for m in _MARKED.finditer(text, p.start, p.end)]
    cands += [(s.start, s.end) for s in story.spans("italics") if p.start <= s.start and s.end <= p.end]
    out = []
    for s, e in cands:
        if any(a < e and s < b for a, b in taken):
            continue
        if _tag_verb(text, s, e, p.start, p.end) in THINK_VERBS:
            out.append((s, e))
    return out


def find(story: Story) -> list[Span]:
    """Compute the quote spans of ``story`` (no layer is set)."""
    text = story.text
    style = _style(text)
    out: list[Span] = []
    utterance = -1
    carry = False
    for p in story.spans("paragraphs"):
        if style == "dash":
            pieces, left_open = _dash_pieces(text, p.start, p.end), False
        else:
            pieces, left_open = _scan(text, p.start, p.end, style, carry and _continues(text, p.start, p.end, style))
        prev: _Piece | None = None
        for pc in _cut_asides(text, pieces) if style == "double" else pieces:
            if not (pc.continued and out and carry) and not (_joins(text, prev, pc) or pc.aside):
                utterance += 1
            if prev is not None and pc.aside:
                kind = out[-1].attrs["kind"]  # the rest of the same words
            else:
                kind = classify(text, pc.start, pc.end, p.start, p.end)
            attrs = {"kind": kind, "speaker": None, "addressees": [], "cue": None, "confidence": 0.0}
            attrs["utterance"] = utterance
            out.append(Span(pc.start, pc.end, attrs=attrs))
            prev = pc
        carry = left_open
        taken = [(pc.start, pc.end) for pc in pieces]
        for s, e in _thoughts(story, text, p, taken):
            utterance += 1
            attrs = {"kind": "thought", "speaker": None, "addressees": [], "cue": None, "confidence": 0.0}
            out.append(Span(s, e, attrs={**attrs, "utterance": utterance}))
    return out


#: A narrator's stage direction inside a quote, after punctuation or ending in a comma:
#: ``"Indeed! (in a tone of wonder) I had no idea"``, ``"I must see (recollecting herself,) no one"``.
#: It opens like an action (``smiling``, ``rather hesitatingly``, ``with a bow``) and says no I or you,
#: unlike the speaker's own asides (``(which, I admit, is odd)``).
_ACTION = (
    r"\((?=(?:[a-z]+(?:ing|ly|ed)|with|in|to|at|aside|after|then|half|still|again|almost)\b)"
    r"(?![^()]*\b(?:I|me|my|we|us|our|you|your)\b)"
)
_STAGE_DIRECTION = rf"[ \t\n]*(?:--|—)?{_ACTION}[^()\"“”]{{1,80}}\)(?:--|—)?"
_STAGE_COMMA = rf"{_ACTION}[^()\"“”]{{1,80}},\)"
#: A quotation reported inside a quote (``"I said to him, 'Take her or leave her.' He went."``): it
#: opens after punctuation, unlike a word being mentioned (``calling you 'George'``), with a capital
#: or, after a comma, in lower case; apostrophes inside it sit inside words; it closes after punctuation.
_NESTED = (
    r"[ \t\n]{0,2}['‘](?:(?=[A-Z])|(?<=[,:;][ \t\n]['‘])(?=[a-z])|(?<=[,:;][ \t\n]{2}['‘])(?=[a-z]))"
    r"(?:[^'‘’\"“”]|(?<=\w)['’](?=\w)){1,800}?[.,;:!?—–-]['’](?=[\s.,;:!?)—–-]|$)"
)
#: Each match starts with the punctuation before the aside, which stays with the piece before it.
_ASIDE = re.compile(rf"[,.;:!?—–-]({_STAGE_DIRECTION}|{_NESTED})|({_STAGE_COMMA})")
_MARKS_SPACE = " \t\n\r\"“”„«»'‘’—–-"


def _cut_asides(text: str, pieces: list[_Piece]) -> list[_Piece]:
    """Double-quoted pieces cut around stage directions and reported quotations inside them, which
    are not the speaker's own words (PDNC annotates the pieces around them, not the whole)."""
    out = []
    for pc in pieces:
        asides = list(_ASIDE.finditer(text, pc.start + 2, pc.end - 2))
        if not asides:
            out.append(pc)
            continue
        cut = [_Piece(pc.start, asides[0].start(asides[0].lastindex), continued=pc.continued)]
        cut += [_Piece(a.end(), b.start(b.lastindex), aside=True) for a, b in zip(asides, asides[1:], strict=False)]
        cut.append(_Piece(asides[-1].end(), pc.end, pc.open_end, aside=True))
        out += [_trimmed(text, c) for c in cut if text[c.start : c.end].strip(_MARKS_SPACE)]
    return out


def _trimmed(text: str, pc: _Piece) -> _Piece:
    """``pc`` without the spaces an aside left at either end."""
    while text[pc.start].isspace():
        pc.start += 1
    while text[pc.end - 1].isspace():
        pc.end -= 1
    return pc


def _continues(text: str, start: int, end: int, style: str) -> bool:
    """Whether a quote left open by the previous paragraph goes on here: the paragraph opens with a
    quote mark, or its first mark can only close (a letter or a verse quoted across paragraphs)."""
    if text[start] in (DOUBLE_OPEN + DOUBLE_BOTH if style == "double" else SINGLE_OPEN + SINGLE_BOTH):
        return True
    m = (_DOUBLES if style == "double" else _SINGLES).search(text, start, end)
    if not m:
        return False
    i = m.start()
    nxt = text[i + 1] if i + 1 < end else "\n"
    closes = text[i - 1] not in _OPEN_PREV and nxt in _CLOSE_NEXT
    return closes and not (style == "single" and text[i - 1].isalpha())  # James' is an apostrophe


def _joins(text: str, prev: _Piece | None, pc: _Piece) -> bool:
    """Whether ``pc`` carries on the utterance of ``prev`` across a short tag (``"I know," she said, "but..."``)."""
    if prev is None or prev.open_end:
        return False
    inner_end = text[prev.start : prev.end - 1].rstrip()
    gap = text[prev.end : pc.start]
    if len(gap) > 80 or "\n\n" in gap:
        return False
    first = text[pc.start + 1 : pc.start + 2]
    return inner_end.endswith((",", "—", "–", "-", "…")) and gap.rstrip().endswith((",", "—", "–", "-")) or (
        first.islower() and gap.rstrip().endswith(",")
    )


@stage("quotes", requires=("paragraphs",), assigns=("quotes",))
def quotes(story: Story) -> Story:
    """Find quotations (speech, thought, written, other) and the pieces of each utterance."""
    story.add_layer("quotes", find(story), producer=PRODUCER)
    return story
