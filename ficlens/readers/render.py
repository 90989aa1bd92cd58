"""HTML to story text, with the structure the markup already states kept as layers.

The text is chapter heading lines and paragraphs separated by blank lines; a scene break (``<hr>``,
a centred divider) becomes a line of its own ("* * *" for ``<hr>``). While writing the text the
builder records "paragraphs", "chapters", "scenes", "front_matter" (headings, dividers) and
"italics", so no later stage has to guess what the markup said. Every reader of a marked-up
format renders through this one builder, so the same chapter gives the same text from HTML,
EPUB or FanFicFare files.
"""

from __future__ import annotations

import re

from ficlens.analysis import structure
from ficlens.readers.markup import Element, text_of
from ficlens.story import Metadata, Span, Story

_BLOCK = frozenset(
    "address article aside blockquote body center dd div dl document dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header html li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_SKIP = frozenset("head script style title noscript template img svg object iframe".split())
_ITALIC = frozenset("em i cite var".split())
_WS = re.compile(r"\s+")
_QUOTES = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb")
_PUNCT = frozenset(".\u2026?!")
_WORDY = re.compile(r"[^\W\d_xXoO]|\d")  # a letter other than x/o, or a digit: words, not a divider
_SCENE_ATTRS = {"person": None, "narrator": None, "focal": None, "tense": None}
#: Paragraphs an author writes around the story in the text itself (FanFiction.net habits).
_FRONT = re.compile(
    r"[\W_]{0,3}(?:(?P<author_note>(?i:a/n\b|a\.n\.|author'?s'?\s*notes?\b)|AN\s*[:\-])|(?P<disclaimer>(?i:disclaimer)\b))"
)
HR_TEXT = "* * *"
#: A heading that only numbers a section: "ii.", "III", "2)".
_SECTION_NUMBER = re.compile(r"(?:[ivxlc]{1,7}|[IVXLC]{1,7}|\d{1,3})[.):]?")
#: A story header's first line (LiveJournal/Dreamwidth and personal-site habits): "Title: …", "Pairing: …".
_HEADER_START = re.compile(
    r"(?i:title|authors?|writer|fandoms?|pairings?|relationships?|ships?|characters?|rating|rated|warnings?|genres?"
    r"|summary|word ?count|words|length|spoilers?|beta|prompt|categor(?:y|ies)|timeline|series|status)\s*:\s*\S"
)
_LABEL_LINE = re.compile(r"([A-Z][\w'/ -]{0,24}?)\s*:\s*(\S.*)")
#: A byline over the story ("by Perpetua Vane", "BY<br>TOBIAS MARCHBANK"), not a sentence ("By the time...").
_BYLINE = re.compile(
    r"(?i:by|written by)\s+(?!(?i:the|a|an|this|that|then|now|noon|night|morning|evening|dawn|midnight|my|his|her|"
    r"their|our|its|all|some|way|far|then)\b)\S+(?:\s+\S+){0,4}(?<![.!?,;:])"
)


def is_divider(text: str, centered: bool = False) -> bool:
    """A scene-break line: symbols only ("* * *", "~~~"), or x/o motifs ("xXx", "-o-", "OoOoO")."""
    if len(text) > 60 or _WORDY.search(text):
        return False
    t = "".join(text.split())
    if not t or len(t) > 40:
        return False
    letters = [c for c in t if c.isalpha()]
    if not letters:
        if _QUOTES.intersection(t):  # '"..."' is a silent reply, not a break
            return False
        if set(t) <= _PUNCT:  # "...", "?!" stand alone as prose unless centred
            return centered
        return len(t) >= 3 or centered
    if set("".join(letters).lower()) <= {"x", "o"} and len(t) >= 3:
        return len(letters) < len(t) or (any(c.isupper() for c in letters) and any(c.islower() for c in letters))
    return False


def paragraph_kind(text: str, centered: bool = False) -> str | None:
    """What a paragraph is when it is not prose: divider, pov (header), author_note or disclaimer."""
    n = len(text)
    if n > 50:  # the common case, a line of prose, leaves at once unless it starts like a note
        first = text[0]
        if n >= 1500 or (first.isalnum() and first not in "aAdD"):
            return None
    else:  # dividers and POV headers are short
        if is_divider(text, centered) or (n <= 40 and _WORDY.search(text) and structure.is_divider(text)):
            return "divider"
        if structure.pov_name(text):
            return "pov"
    m = _FRONT.match(text) if n < 1500 else None
    return m.lastgroup if m else None


def _centered(el: Element) -> bool:
    if not el.attrib:
        return el.tag == "center"
    if el.tag == "center" or el.get("align", "").lower() == "center":
        return True
    style = el.get("style", "").replace(" ", "").lower()
    return "text-align:center" in style or "center" in el.get("class", "").split()


def is_byline(text: str) -> bool:
    return _BYLINE.fullmatch(text) is not None


def is_header(text: str) -> bool:
    """Whether most lines of a block are ``Label: value`` lines (a story header, not prose)."""
    lines = text.split("\n")
    return len(text) < 3000 and 2 * sum(bool(_LABEL_LINE.fullmatch(line)) for line in lines) >= len(lines)


def header_fields(text: str) -> list[tuple[str, str]]:
    """The ``(label, value)`` pairs of a header block."""
    return [m.groups() for line in text.split("\n") if (m := _LABEL_LINE.fullmatch(line))]


class TextBuilder:
    """Writes blocks of text one after another and records the layers on the way."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.paragraphs: list[Span] = []
        self.front: list[Span] = []
        self.italics: list[Span] = []
        self.chapters: list[Span] = []
        self.scenes: list[Span] = []
        self._chapter: tuple[str | None, int] | None = None  # (title, index of its first paragraph)
        self._scene_first = 0
        self._scene_label: str | None = None  # the POV header over the current scene
        self._opening = True  # no prose yet in the story or the current chapter (see _opening_kind)
        #: Author's notes and disclaimers written into the text, verbatim.
        self.notes: list[str] = []
        self._buf: list[str] = []
        self._len = 0
        self._space = True
        self._ital: list[tuple[int, int]] = []
        self._skip: set[Element] = set()
        #: Heading tags that start a chapter (for plain HTML books without chapter markup).
        self.chapter_tags: frozenset[str] = frozenset()
        #: Element ids that start a chapter, with its title (the anchors an e-book's table of contents points at).
        self.chapter_ids: dict[str, str] = {}

    # -- blocks ---------------------------------------------------------------------------------

    def _block(self, text: str) -> tuple[int, int]:
        start = self.pos + 2 if self.parts else 0  # blocks are joined by a blank line
        self.parts.append(text)
        self.pos = start + len(text)
        return start, self.pos

    def heading(self, text: str) -> None:
        """An in-text heading line (not story prose)."""
        start, end = self._block(text)
        self.front.append(Span(start, end, "heading"))

    def divider(self, text: str = HR_TEXT) -> None:
        """A scene break line; the current scene ends here."""
        self._end_scene()
        start, end = self._block(text)
        self.front.append(Span(start, end, "divider"))

    def chapter(self, title: str | None, heading: str | None = None) -> None:
        """Start a chapter; ``heading`` is the line shown in the text (none for invisible headings)."""
        if self._chapter is None and not self.chapters and self.paragraphs:
            if self._title_page():  # a book's title lines before the first chapter are not prose
                self.front += [Span(p.start, p.end, "header") for p in self.paragraphs]
                self.paragraphs.clear()
                self._scene_first = 0
            else:
                self._chapter = (None, 0)  # prose before the first heading is an untitled chapter of its own
        self._end_chapter()
        if heading:
            self.heading(heading)
        self._chapter = (title, len(self.paragraphs))
        self._opening = True

    def _title_page(self) -> bool:
        """A few short lines with no sentence end ("Tidewater Letters", "by Ines Marlow"): a title page."""
        if len(self.paragraphs) > 4:
            return False
        text = self.text()
        lines = [text[p.start : p.end] for p in self.paragraphs]
        return all(len(line) <= 80 and line[-1] not in ".!?\u2026\"'\u201d\u2019" for line in lines)

    def _end_scene(self) -> None:
        if len(self.paragraphs) > self._scene_first:
            first, last = self.paragraphs[self._scene_first], self.paragraphs[-1]
            self.scenes.append(Span(first.start, last.end, self._scene_label, dict(_SCENE_ATTRS)))
        self._scene_first = len(self.paragraphs)
        self._scene_label = None

    def _end_chapter(self) -> None:
        self._end_scene()
        if self._chapter and len(self.paragraphs) > self._chapter[1]:
            first, last = self.paragraphs[self._chapter[1]], self.paragraphs[-1]
            self.chapters.append(Span(first.start, last.end, attrs={"title": self._chapter[0]}))
        self._chapter = None

    # -- markup ---------------------------------------------------------------------------------

    def content(self, el: Element, skip: set[Element] | None = None) -> None:
        """Render the children of ``el`` (an author's HTML) as prose, leaving out the ``skip`` elements."""
        self._skip = skip or set()
        self._children(el, False)
        self._flush(False)

    def _children(self, el: Element, centered: bool) -> None:
        """Render ``el``'s text, children and their tails: the hot loop of every reader, so the common
        cases (a paragraph of plain text, inline emphasis, whitespace between blocks) are dispatched here."""
        if el.text:
            self._text(el.text)
        skip, chapter_tags, ids = self._skip, self.chapter_tags, self.chapter_ids
        for child in el:
            tag = child.tag
            if ids and child.get("id") in ids:
                self._flush(centered)
                self.chapter(ids[child.get("id")])
            if skip and child in skip:
                pass
            elif tag in _BLOCK and tag not in chapter_tags:
                if self._buf:
                    self._flush(centered)
                inner = centered or _centered(child)
                if len(child) or self._ital:  # (pending italics, left by a <br><br>, go with the next paragraph)
                    self._children(child, inner)
                    self._flush(inner, tag in _HEADINGS)
                elif child.text:  # a block of plain text needs no buffer
                    text = child.text
                    text = text.strip() if text.isprintable() and "  " not in text else " ".join(text.split())
                    if text:
                        self._put(text, inner, tag in _HEADINGS)
            elif tag in _ITALIC:
                self._italic(child, centered)
            elif tag == "br":
                self._br(centered)
            elif tag == "hr":
                self._flush(centered)
                self.divider()
            elif tag in chapter_tags:
                self._flush(centered)
                title = text_of(child)
                self.chapter(title or None, title)
            elif not isinstance(tag, str) or tag in _SKIP:
                pass
            elif "italic" in child.get("style", ""):
                self._italic(child, centered)
            else:
                self._children(child, centered)
            tail = child.tail
            if tail and not (self._space and tail.isspace()):
                self._text(tail)

    def _italic(self, el: Element, centered: bool) -> None:
        start = self._len
        self._children(el, centered)
        if self._len > start:
            self._ital.append((start, self._len))

    def _br(self, centered: bool) -> None:
        buf = self._buf
        if buf and buf[-1] == "\n":  # <br><br>: a blank line ends the paragraph
            buf.pop()
            self._len -= 1
            self._flush(centered)
            return
        if buf and buf[-1].endswith(" "):
            buf[-1] = buf[-1][:-1]
            self._len -= 1
        buf.append("\n")
        self._len += 1
        self._space = True

    def _text(self, s: str) -> None:
        if not s.isprintable() or "  " in s:  # anything but single ASCII spaces needs collapsing
            s = _WS.sub(" ", s)
        if self._space and s[0] == " ":
            s = s[1:]
            if not s:
                return
        self._buf.append(s)
        self._len += len(s)
        self._space = s[-1] == " "

    def _flush(self, centered: bool, heading: bool = False) -> None:
        if not self._buf:
            return
        raw = "".join(self._buf)
        ital = self._ital
        self._buf, self._len, self._space, self._ital = [], 0, True, []
        text = raw.strip()
        if text:
            self._put(text, centered, heading, raw, ital)

    def _put(
        self, text: str, centered: bool, heading: bool, raw: str = "", ital: list[tuple[int, int]] | None = None
    ) -> None:
        """Write one rendered block (``raw`` before stripping, with its italics) as what it is."""
        kind = "heading" if heading else paragraph_kind(text, centered)
        if heading and _SECTION_NUMBER.fullmatch(text) and len(self.paragraphs) > (self._chapter or (0, 0))[1]:
            kind = "divider"  # "<h3>ii.</h3>" after prose in the chapter: a numbered scene, not a new heading
        if kind is None and self._opening:
            kind = self._opening_kind(text)
        if kind is None:  # prose, by far the most common
            start, end = self._block(text)
            self.paragraphs.append(Span(start, end))
            if ital:
                self._italics(start, text, len(raw) - len(raw.lstrip()), ital)
        elif kind in ("heading", "header"):
            start, end = self._block(text)
            self.front.append(Span(start, end, kind))
        elif kind == "divider":
            self.divider(text)
        elif kind == "pov":
            self._end_scene()
            start, end = self._block(text)
            self.front.append(Span(start, end, "heading", {"pov": structure.pov_name(text)}))
            self._scene_label = text
        else:
            start, end = self._block(text)
            self.front.append(Span(start, end, kind))
            self.notes.append(text)

    def _opening_kind(self, text: str) -> str | None:
        """What a paragraph opening the story or a chapter is when it is not prose: the author's own "Chapter
        One" under the file's chapter heading, a byline under a book's title, or "Label: value" header lines."""
        if self._chapter and len(self.paragraphs) == self._chapter[1] and structure.is_heading(text):
            return "heading"
        if not self.paragraphs and (
            (self._chapter is None and is_byline(text)) or (_HEADER_START.match(text) and is_header(text))
        ):
            return "header"
        self._opening = False  # prose has begun: nothing more to check until the next chapter
        return None

    def _italics(self, start: int, text: str, lead: int, ital: list[tuple[int, int]]) -> None:
        """Italic runs (offsets into the paragraph before ``lead`` spaces were stripped), trimmed of spaces."""
        for a, b in ital:
            a = max(a - lead, 0)
            piece = text[a : b - lead]
            run = piece.strip()
            if run:
                a += start + len(piece) - len(piece.lstrip())
                self.italics.append(Span(a, a + len(run)))

    # -- result ---------------------------------------------------------------------------------

    def text(self) -> str:
        return "\n\n".join(self.parts)

    def parts_text(self, span: Span) -> str:
        """The text of a span written so far (before ``story()``)."""
        return self.text()[span.start : span.end]

    def story(self, meta: Metadata, source: str, producer: str) -> Story:
        """The Story with every layer; a text without chapter headings is one untitled chapter."""
        if self._chapter is None and not self.chapters:
            self._chapter = (None, 0)
        self._end_chapter()
        meta.notes += self.notes
        story = Story(self.text(), meta, source=source)
        story.add_layer("paragraphs", self.paragraphs, producer=producer)
        story.add_layer("chapters", self.chapters, producer=producer)
        story.add_layer("scenes", self.scenes, producer=producer)
        story.add_layer("front_matter", self.front, producer=producer)
        story.add_layer("italics", self.italics, producer=producer)
        return story


def leading_blockquotes(el: Element) -> list[Element]:
    """Block quotes before the first prose paragraph: a summary, notes or an epigraph, not story text."""
    found: list[Element] = []
    inside: set[Element] = set()
    for child in el.iter():
        if child.tag == "blockquote" and child not in inside:
            found.append(child)
            inside.update(child.iter())
        elif child.tag == "p" and child not in inside and (child.text or len(child)):
            break
    return found


def plain(el: Element | None) -> str | None:
    """The text of an element (a summary, a note) as paragraphs separated by blank lines."""
    if el is None:
        return None
    b = TextBuilder()
    b.content(el)
    return b.text() or None
