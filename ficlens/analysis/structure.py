"""Structure stage: paragraphs, front matter (summary, notes, disclaimers, dedications), chapters, scenes.

Plain-text fan fiction marks its structure with habits rather than markup, so this stage reads the
file as blocks of non-blank lines separated by blank runs and classifies each block: a chapter
heading, a scene divider (fixed patterns plus the file's own repeated short symbol lines), a POV
header, a piece of front matter, or prose. Scene breaks are dividers or blank runs longer than the
file's usual paragraph gap. Readers of marked-up formats set these layers themselves; the stage
then keeps them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ficlens.analysis.pipeline import stage
from ficlens.readers.plaintext import set_label
from ficlens.story import Span, Story

PRODUCER = "structure/1"
_BLANK = " \t\r\n\ufeff\xa0\u200b\u3000"

# -- patterns -----------------------------------------------------------------------------------

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|thirty|forty|fifty"
)
_NUM = rf"(?:\d{{1,4}}|[IVXLC]{{1,7}}|{_NUMBER_WORDS})"
_TITLE_TAIL = r"(?:\s*[:.\-\u2013\u2014|~]\s*(?P<tail>\S.{0,100})|\s+(?P<tail2>[(\[\"'\u201c].{0,100}))?"
_HEADING = re.compile(
    rf"^(?:(?:chapter|chap\.?|ch\.?)\s*{_NUM}\b|(?:part|book|act|volume|vol\.)\s+{_NUM}\b"
    rf"|(?:prologue|epilogue|interlude|preface|afterword|foreword|coda)\b)(?!['\u2019]){_TITLE_TAIL}\s*[.:]?$",
    re.IGNORECASE,
)
# "3. Title" (FanFiction.net chapter lists) or a bare "IV." / "12": headings only when the file has an ordered run.
_NUMBERED_TITLE = re.compile(r"^(\d{1,3}|[IVXLC]{1,7})(?:\.\s+\S.{0,80}|\.?)$")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    total = 0
    for ch, nxt in zip(token, token[1:] + " ", strict=True):
        value = _ROMAN[ch]
        total += -value if nxt != " " and _ROMAN[nxt] > value else value
    return total


_BARE_NAME = re.compile(r"^[A-Z][a-z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*){0,2}$")
_DIVIDER_PHRASE = re.compile(
    r"^[\W_]*(?:(?:line|scene|page|section|story|time)[ -]?(?:break|skip|change)|pov[ -](?:change|switch)"
    r"|break|time ?skip|flashback|end flashback|flashback ends?)[\W_]*$",
    re.IGNORECASE,
)
# xXx, XxXxX, oOo, -o-, ~o~, x-x-x, -x-: letters x/o in an alternating or decorated motif.
_SYMBOLS_ONLY = re.compile(r"^[^\w\"\u201c\u201d]+$")
_POV = re.compile(
    r"^[\W_]*(?:pov\s*[:\-]?\s*)?(?P<name>[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,2}?)"
    r"(?:['\u2019]s?)?\s*(?:pov|p\.o\.v\.?|point of view|perspective)[\W_]*$",
    re.IGNORECASE,
)
_POV_PREFIX = re.compile(
    r"^[\W_]*(?i:pov|p\.o\.v\.?)\s*[:\-]\s*(?P<name>[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,2})[\W_]*$"
)
_DECORATED_NAME = re.compile(
    r"^[~*=#+\-_<>|:\u2013\u2014]{1,5}\s*(?P<name>[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,2})\s*"
    r"[~*=#+\-_<>|:\u2013\u2014]{1,5}$"
)
_SUMMARY = re.compile(r"^[\W_]{0,3}(?:full\s+)?summary\s*[:\-\u2013\u2014]\s*", re.IGNORECASE)
_NOTE = re.compile(
    r"^[\W_]{0,3}(?:a/n\b|a\.n\.|author'?s'?\s*notes?\b|authors?\s*notes?\b|note\s*:|notes\s*:|n/a\s*:|"
    r"(?:chapter |work )?(?:end|ending|final|closing) notes?\s*[:\-\u2013\u2014]|"
    r"beta(?:'d| read| note)|ps\s*:|p\.s\.|review responses?|reviewer responses?|please (?:review|r\s*&\s*r|leave)|"
    r"r\s*&\s*r\b|read and review|thanks? (?:you )?(?:so much )?for reading)",
    re.IGNORECASE,
)
_AN_CAPS = re.compile(r"^[\W_]{0,3}AN\s*[:\-]")
_STRONG_NOTE = re.compile(r"^[\W_]{0,3}(?:a/n\b|a\.n\.|author'?s'?\s*notes?\b)", re.IGNORECASE)
_LANDMARK = re.compile(r"^(?:chapter text|work text:?|end notes?:?|chapter end notes:?)$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:by|written by|author:)\s+(?P<name>\S.*)$", re.IGNORECASE)
_DISCLAIMER = re.compile(
    r"^[\W_]{0,3}disclaimer\b|\b(?:i|we)\s+(?:do\s*n[o']t|don['\u2019]t|do not|never did|will never)\s+own\s+"
    r"(?:any(?:thing|one)?\b|the (?:characters|rights|world|show|books?|series|franchise)\b|it\b|them\b|(?-i:[A-Z]))"
    r"|\bbelongs? (?:to|entirely to)\b.{0,40}\b(?:rowling|tolkien|marvel|disney|bbc|kishimoto|lucas|doyle|owner)"
    r"|\bno (?:profit|money) is (?:being )?made\b|\bnot (?:making|earning) (?:any )?(?:money|profit)\b",
    re.IGNORECASE,
)
_DEDICATION = re.compile(
    r"^[\W_]{0,3}(?i:(?:(?:story|this (?:story|fic|chapter|one) is)\s+)?(?:dedicated to|dedication)\b)"
    r"|^[\W_]{0,3}(?i:this (?:story|fic|chapter|one) is for\b)"
    r"|^For (?:my |the )?[A-Z][\w'\u2019-]*(?:(?:,? (?:and|&) | )[A-Z][\w'\u2019-]*)*"
    r"(?:[.,:!]*|[,:\-\u2014]\s*(?:always|forever|who|because|with|thank|thanks|my|happy|love|xx|hope|as)\b.*)$",
)
_NOTE_CONTINUATION = re.compile(
    r"\breview|\bbeta\b|\bthanks?\b|\bthank you\b|\bupdate|\benjoy|\bon with\b|\bchapter\b|\bfic\b|\bstory\b|"
    r"\breaders?\b|\bfavou?rites?\b|\bfollow|\bcomments?\b|\bkudos\b|\bdisclaimer\b|^[\w .@-]{1,30}:\s",
    re.IGNORECASE,
)
_HEADER_LABEL = re.compile(
    r"^(?P<label>title|author|authors|rating|rated|pairings?|ships?|warnings?|genres?|fandoms?|characters|"
    r"word count|words|category|categories|spoilers|beta|beta reader|status|chapters|language|timeline|"
    r"setting|prompt|notes?)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_END_FILE = re.compile(r"^(?:end file|the end|fin|end of (?:chapter|story|part)|to be continued)[\W_]*$", re.IGNORECASE)
_QUOTES = "\"\u201c\u201d'\u2018\u2019"


@dataclass(slots=True)
class Block:
    """A run of non-blank lines (or one line, in files with one paragraph per line)."""

    start: int
    end: int
    gap: int  # blank lines before the block
    nlines: int
    first: str  # first line, stripped
    kind: str = "prose"
    label: str | None = None  # heading title, POV name, note kind


# -- blocks -------------------------------------------------------------------------------------


def blocks_of(text: str) -> list[Block]:
    """Split ``text`` into blocks; a block of long unwrapped lines becomes one block per line."""
    blocks: list[Block] = []
    lines: list[tuple[int, int, str]] = []
    gap = 0
    pos = 0
    for raw in text.splitlines(keepends=True):
        start = pos
        pos += len(raw)
        stripped = raw.strip(_BLANK)
        if not stripped:
            if lines:
                blocks.extend(_close(lines, gap))
                lines = []
                gap = 0
            gap += 1
            continue
        body = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        lines.append((start, start + len(body.rstrip(_BLANK)), stripped))
    if lines:
        blocks.extend(_close(lines, gap))
    return blocks


def _close(lines: list[tuple[int, int, str]], gap: int) -> list[Block]:
    if len(lines) > 1 and any(len(s) > 100 for _, _, s in lines[:-1]):
        # Long lines that run on without blank lines: each line is its own paragraph.
        return [Block(s, e, gap if i == 0 else 0, 1, t) for i, (s, e, t) in enumerate(lines)]
    first = lines[0]
    return [Block(first[0], lines[-1][1], gap, len(lines), first[2])]


# -- classification ---------------------------------------------------------------------------


def _short(b: Block, limit: int = 100) -> bool:
    return b.nlines == 1 and len(b.first) <= limit


def is_heading(line: str) -> bool:
    """A chapter heading: "Chapter 1", "Chapter One: Title", "Ch. 3", "Prologue", "Part II", "BOOK I" ..."""
    return _HEADING.match(line) is not None


def is_divider(line: str) -> bool:
    if len(line) > 40:
        return False
    if _SYMBOLS_ONLY.match(line) or _DIVIDER_PHRASE.match(line):
        return True
    return _is_motif(line)


def _is_motif(line: str) -> bool:
    """xXx, XxXxX, oOo, -o-, ~o~, x-x-x: x/o letters decorated or in mixed case (not "xoxo" or "OOO")."""
    core = "".join(c for c in line if c.isalnum())
    if not core or len(core) > 15 or set(core.lower()) - {"x", "o", "0"}:
        return False
    if core != line.rstrip(".!?\u2026"):
        return True  # decorated with something other than sentence punctuation ("Ooo!" is a cry, not a divider)
    return sum(a.islower() != b.islower() for a, b in zip(core, core[1:], strict=False)) >= 2


def pov_name(line: str) -> str | None:
    """The name a POV header gives ("Harry's POV", "~Sherlock~", "POV: John"), else None."""
    if len(line) > 50 or any(q in line for q in _QUOTES[:3]):
        return None
    for pattern in (_POV, _POV_PREFIX, _DECORATED_NAME):
        m = pattern.match(line)
        if m:
            return m.group("name").strip()
    return None


def _learned_dividers(blocks: list[Block]) -> set[str]:
    """Short low-alphabetic lines this file repeats: its own divider vocabulary (e.g. '><><><', '+~+')."""
    counts = Counter(b.first for b in blocks if _short(b, 30) and not any(q in b.first for q in _QUOTES))
    vocab = set()
    for line, n in counts.items():
        letters = sum(c.isalpha() for c in line)
        if n >= 2 and letters <= len(line) / 2 and not line.rstrip(".!?").isdigit():
            vocab.add(line)
    return vocab


def _classify(blocks: list[Block], text: str) -> list[Block]:
    """Mark headings, dividers and POV headers; a heading glued to its first paragraph is split off."""
    learned = _learned_dividers(blocks)
    numbered = [_number(m[1]) for b in blocks if _short(b, 90) and (m := _NUMBERED_TITLE.match(b.first))]
    numbered_ok = len(numbered) >= 2 and numbered == sorted(numbered) and len(set(numbered)) == len(numbered)
    out: list[Block] = []
    for b in blocks:
        out.append(b)
        line = b.first
        if len(line) > 120:
            continue
        whole = " ".join(text[b.start : b.end].split()) if 1 < b.nlines <= 3 and b.end - b.start <= 150 else line
        numbered_heading = numbered_ok and _short(b, 90) and _NUMBERED_TITLE.match(line)
        if is_heading(line) or is_heading(whole) or numbered_heading:
            own_line = is_heading(line) or numbered_heading
            if b.nlines == 1 or (b.end - b.start <= 150 and (not own_line or _title_lines(text, b))):
                b.kind, b.label = "heading", " ".join(text[b.start : b.end].split())
            else:  # "Chapter 3" directly above the prose, with no blank line between
                cut = text.index("\n", b.start)
                rest = cut + 1 + len(text[cut + 1 : b.end]) - len(text[cut + 1 : b.end].lstrip(_BLANK))
                out[-1:] = [Block(b.start, b.start + len(line), b.gap, 1, line, "heading", line)]
                out.append(Block(rest, b.end, 0, b.nlines - 1, text[rest : text.find("\n", rest)].strip(_BLANK)))
        elif not _short(b):
            continue
        elif is_divider(line) or line in learned:
            b.kind = "divider"
        elif (name := pov_name(line)) is not None:
            b.kind, b.label = "pov", name
    _bare_pov_headers(out, text)
    return out


def _title_lines(text: str, b: Block) -> bool:
    """Whether the lines under a block's first line read as a title ("CHAPTER XI." over "Who Stole the Tarts?"),
    not as a sentence of prose (8 words or more, most of them in lower case)."""
    for line in text[b.start : b.end].splitlines()[1:]:
        words = line.split()
        if len(words) >= 8 and sum(w[0].islower() for w in words) * 2 > len(words):
            return False
    return True


def _bare_pov_headers(blocks: list[Block], text: str) -> None:
    """A name alone on its line over a scene ("John", then "Sherlock"): a POV header whose decoration was lost.

    Taken only where it cannot be a one-word paragraph: the name recurs in the story, prose follows, and the
    line stands after a divider or heading or the file has two or more such lines.
    """
    found = [
        i
        for i, b in enumerate(blocks[1:-1], 1)
        if b.kind == "prose"
        and _short(b, 40)
        and _BARE_NAME.match(b.first)
        and blocks[i + 1].kind == "prose"
        and text.count(b.first) >= 3
    ]
    for i in found:
        if len(found) >= 2 or blocks[i - 1].kind in ("divider", "heading"):
            blocks[i].kind, blocks[i].label = "pov", blocks[i].first


def _tab_headings(blocks: list[Block], text: str, body_start: int) -> None:
    """FanFicFare TXT: chapters start with a tab-indented title line between blank lines."""
    for b in blocks:
        if b.start >= body_start and b.nlines == 1 and text[b.start] == "\t" and len(b.first) <= 120:
            b.kind, b.label = "heading", b.first


def _front_kind(b: Block, text: str) -> str | None:
    """What kind of front matter a block is, judged from its first line."""
    first = b.first
    if _SUMMARY.match(first):
        return "summary"
    if _DISCLAIMER.search(first[:300]) and len(text[b.start : b.end]) < 1200:
        return "disclaimer"
    if _NOTE.match(first) or _AN_CAPS.match(first):
        return "author_note"
    if _DEDICATION.match(first) and len(first) <= (120 if first.startswith("For ") else 300):
        return "dedication"
    if (_HEADER_LABEL.match(first) and len(first) <= 200) or _LANDMARK.match(first):
        return "header"
    return None


def _mark_chapter_front(blocks: list[Block], text: str, *, first_chapter: bool = False) -> None:
    """Notes at the start of a chapter (before its prose), at its end (after its prose), and A/Ns between."""
    if first_chapter:
        _mark_title(blocks, text)
    # Start: the blocks before the first prose of the chapter.
    in_note = False
    carry: str | None = None  # "Summary:" or "Notes:" alone on a line: the next paragraph is its text
    for i, b in enumerate(blocks):
        if b.kind != "prose":
            in_note = in_note and b.kind == "front"
            continue
        body = text[b.start : b.end]
        kind = carry or _front_kind(b, text)
        if kind:
            b.kind, b.label = "front", kind
            in_note = kind in ("author_note", "disclaimer")
            carry = kind if carry is None and _short(b, 30) and b.first.endswith(":") else None
        elif in_note and len(body) < 600 and _NOTE_CONTINUATION.search(body) and not any(q in body for q in '"\u201c'):
            b.kind, b.label = "front", blocks[i - 1].label
        else:
            break
    # End: from the first end-note marker among the chapter's last blocks, everything is notes.
    prose = [j for j, b in enumerate(blocks) if b.kind == "prose"]
    if not prose:
        return
    for j in range(max(prose[0] + 1, len(blocks) - 25), len(blocks)):
        b = blocks[j]
        if b.kind != "prose":
            continue
        kind = _front_kind(b, text)
        if kind in ("author_note", "disclaimer") or (_short(b) and _END_FILE.match(b.first)):
            if any(r.kind == "prose" and _looks_like_story(text[r.start : r.end]) for r in blocks[j + 1 :]):
                continue  # story goes on after it: not the chapter's end notes
            for rest in blocks[j:]:
                if rest.kind in ("prose", "divider"):
                    rest.kind = "front"
                    rest.label = "footer" if _END_FILE.match(rest.first) else _front_kind(rest, text) or kind
            break
    # Between: a paragraph that opens with an explicit A/N marker is a note wherever it stands.
    for b in blocks:
        if b.kind == "prose" and (_STRONG_NOTE.match(b.first) or _AN_CAPS.match(b.first)) and b.end - b.start < 1500:
            b.kind, b.label = "front", "author_note"


def _looks_like_story(body: str) -> bool:
    """Dialogue or a long paragraph: what end notes (thanks, replies, pleas for reviews) rarely are."""
    return len(body) > 800 or any(q in body for q in '"\u201c')


def _title_like(line: str) -> bool:
    return len(line) <= 80 and line[-1] not in ".!?,;:" and not any(q in line for q in _QUOTES[:3])


def _mark_title(blocks: list[Block], text: str) -> None:
    """A short first line followed by a "by Author" line or by front matter is the title (and the author)."""
    if not blocks or blocks[0].kind != "prose":
        return
    first = blocks[0]
    then_front = len(blocks) > 1 and (blocks[1].kind in ("heading", "front") or bool(_front_kind(blocks[1], text)))
    if first.nlines == 2:  # "Title" over "by Author" (or over a bare author name before the summary)
        cut = text.index("\n", first.start)
        second = text[cut + 1 : first.end].strip(_BLANK)
        author_like = _BYLINE.match(second) or (then_front and _title_like(second) and len(second.split()) <= 4)
        if not (_title_like(first.first) and author_like):
            return
        at = first.end - len(text[cut + 1 : first.end].lstrip(_BLANK))
        blocks[0:1] = [
            Block(first.start, first.start + len(first.first), first.gap, 1, first.first, "front", "title"),
            Block(at, first.end, 0, 1, second, "front", "byline"),
        ]
        return
    if len(blocks) < 2 or not _short(first, 80) or not _title_like(first.first):
        return
    nxt = blocks[1]
    byline = _short(nxt, 80) and _BYLINE.match(nxt.first)
    if byline or then_front:
        first.kind, first.label = "front", "title"
        if byline:
            nxt.kind, nxt.label = "front", "byline"


# -- the stage --------------------------------------------------------------------------------


def _usual_gap_threshold(blocks: list[Block]) -> int:
    """Blank runs at least this long break scenes: longer than the file's usual paragraph gap, and rare."""
    gaps = Counter(b.gap for b in blocks[1:] if b.kind == "prose")
    if not gaps:
        return 10**9
    usual = gaps.most_common(1)[0][0]
    total = sum(gaps.values())
    threshold = usual + 1
    while sum(n for g, n in gaps.items() if g >= threshold) > max(2, total // 4) and threshold < usual + 4:
        threshold += 1
    return threshold


def _chapters(blocks: list[Block], text: str, tab_only: bool = False) -> list[list[Block]]:
    """Group blocks into chapters at heading blocks (consecutive headings stay together); with ``tab_only``,
    only at FanFicFare TXT's own tab-indented chapter lines, so an author's "Chapter One" under one stays in it."""
    groups: list[list[Block]] = [[]]
    for b in blocks:
        if (
            b.kind == "heading"
            and (not tab_only or text[b.start] == "\t")
            and any(x.kind != "heading" for x in groups[-1])
            and any(x.kind in ("prose", "front") and x.label != "header" for x in groups[-1])
        ):
            groups.append([])
        groups[-1].append(b)
    return [g for g in groups if g]


def find_structure(story: Story) -> dict[str, list[Span]]:
    """Compute the structure layers of a plain-text story without changing it."""
    text = story.text
    header_end = int(story.meta.extra.get("header_end") or 0)
    blocks = blocks_of(text)
    header_blocks = [b for b in blocks if b.end <= header_end]
    body = [b for b in blocks if b.end > header_end]
    for b in header_blocks:
        b.kind, b.label = "front", "header"
    body = _classify(body, text)
    if header_end:
        _mark_toc(body, text)
        _tab_headings(body, text, header_end)
    threshold = _usual_gap_threshold(body)

    front: list[Span] = [Span(b.start, b.end, "header") for b in header_blocks]
    paragraphs: list[Span] = []
    chapters: list[Span] = []
    scenes: list[Span] = []
    tabbed = bool(header_end) and any(b.kind == "heading" and text[b.start] == "\t" for b in body)
    for n, group in enumerate(_chapters(body, text, tabbed)):
        _mark_chapter_front(group, text, first_chapter=n == 0 and not header_end)
        _split_scenes(group, threshold, paragraphs, scenes, front)
        title = next((b.label for b in group if b.kind == "heading"), None)
        content = [b for b in group if b.label != "header"]
        if content and (title is not None or any(b.kind == "prose" for b in content)):
            first = next((b for b in content if b.kind in ("heading", "prose")), content[0])
            chapters.append(Span(first.start, content[-1].end, attrs={"title": title}))
    return {"front_matter": front, "paragraphs": paragraphs, "chapters": chapters, "scenes": scenes}


def _split_scenes(
    group: list[Block], threshold: int, paragraphs: list[Span], scenes: list[Span], front: list[Span]
) -> None:
    """Append one chapter's prose paragraphs, scenes and front-matter spans to the lists given."""
    scene: list[Block] = []
    label: str | None = None  # the POV header over the current scene
    pending: str | None = None  # a POV header waiting for its scene's first paragraph
    for b in group + [Block(0, 0, 0, 0, "", "end")]:
        breaks = b.kind in ("divider", "pov", "heading", "end") or (b.kind == "prose" and b.gap >= threshold)
        if scene and breaks:
            scenes.append(Span(scene[0].start, scene[-1].end, label, dict(_EMPTY_POV)))
            scene, label = [], None
        if b.kind == "prose":
            if not scene and pending:
                label, pending = pending, None
            scene.append(b)
            paragraphs.append(Span(b.start, b.end))
        elif b.kind == "pov":
            pending = b.label
            front.append(Span(b.start, b.end, "heading", {"pov": b.label}))
        elif b.kind in ("divider", "heading"):
            front.append(Span(b.start, b.end, b.kind))
        elif b.kind == "front":
            front.append(Span(b.start, b.end, b.label or "note"))


_EMPTY_POV = {"person": None, "narrator": None, "focal": None, "tense": None}


def _mark_toc(blocks: list[Block], text: str) -> None:
    """FanFicFare's TABLE OF CONTENTS and the chapter list under it, up to the first tab-indented title."""
    inside = False
    for b in blocks:
        if b.first.upper() == "TABLE OF CONTENTS":
            inside = True
        elif not inside or text[b.start] == "\t":
            if inside:
                return
            continue
        b.kind, b.label = "front", "header"


def _merge_notes(story: Story, front: list[Span]) -> list[str]:
    """Verbatim note texts: consecutive note blocks of one run make one note."""
    notes: list[str] = []
    run: list[Span] = []
    text = story.text

    def flush() -> None:
        if run:
            notes.append(text[run[0].start : run[-1].end])

    for s in front:
        if s.label in ("note", "author_note", "disclaimer", "dedication"):
            if run and (text[run[-1].end : s.start].strip() or run[-1].label != s.label):
                flush()
                run = []
            run.append(s)
        else:
            flush()
            run = []
    flush()
    return notes


def _summary(text: str, front: list[Span]) -> str | None:
    """The text after the first "Summary:" label, through the summary paragraphs right after it."""
    first = next((i for i, s in enumerate(front) if s.label == "summary"), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(front) and front[last + 1].label == "summary":
        last += 1
    start = front[first].start + _SUMMARY.search(text[front[first].start : front[first].end]).end()
    return text[start : front[last].end].strip(_BLANK) or None


@stage("structure", assigns=("paragraphs", "chapters", "scenes", "front_matter"))
def structure(story: Story) -> Story:
    """Find paragraphs, front matter (summary, notes), chapters and scene breaks."""
    if all(name in story.layers for name in ("paragraphs", "chapters", "scenes")):
        if "front_matter" not in story.layers:
            story.add_layer("front_matter", [], producer=PRODUCER)
        return story
    layers = find_structure(story)
    text = story.text
    header_end = int(story.meta.extra.get("header_end") or 0)
    for name, spans in layers.items():
        if name not in story.layers:
            story.add_layer(name, spans, producer=PRODUCER)
    if story.meta.summary is None:
        story.meta.summary = _summary(text, layers["front_matter"])
    if not story.meta.notes:
        story.meta.notes = _merge_notes(story, layers["front_matter"])
    for s in layers["front_matter"]:
        if s.label == "title" and story.meta.title is None:
            story.meta.title = text[s.start : s.end].strip(_BLANK)
        elif s.label == "byline" and not story.meta.authors:
            line = text[s.start : s.end].strip(_BLANK)
            story.meta.authors = [m.group("name").strip() if (m := _BYLINE.match(line)) else line]
    if header_end == 0:  # a pasted "Title: / Fandom: / Rating:" header (FanFicFare's is read by the reader)
        for s in layers["front_matter"]:
            if s.label == "header":
                for line in text[s.start : s.end].splitlines():
                    if m := _HEADER_LABEL.match(line.strip(_BLANK)):
                        set_label(story.meta, m.group("label"), m.group("value").strip())
    return story
