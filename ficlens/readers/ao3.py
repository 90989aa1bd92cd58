"""AO3 (and other OTW-archive) works: the download preface/chapters/afterword, and the saved web page.

The same download HTML reaches a fan as a file, or split into EPUB spine documents by Calibre
with its class names flattened (``userstuff`` -> ``userstuff2``). So the download parser keys on
ids (``preface``, ``chapters``, ``afterword``, ``endnotesN``), label paragraphs ("Summary",
"Chapter Notes"...) and element kinds, never on exact class names, and walks any number of
documents in order. Every historical label spelling is accepted (see formats.md section 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

from ficlens.readers.markup import Element, classes, find, first_class, text_of
from ficlens.readers.render import TextBuilder, plain
from ficlens.story import Metadata

#: Preface ``dt`` labels (lower case, no colon) in every spelling AO3 has used.
LABELS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "category": "categories",
    "categories": "categories",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tag": "additional_tags",
    "additional tags": "additional_tags",
    "language": "language",
    "series": "series",
    "collection": "collections",
    "collections": "collections",
    "stats": "stats",
}
#: Label paragraphs before a ``blockquote`` and where the note goes.
_NOTE_LABELS = {
    "summary": "summary",
    "notes": "notes",
    "end notes": "end_notes",
    "chapter summary": "chapter_summary",
    "chapter notes": "chapter_notes",
    "chapter end notes": "chapter_end_notes",
}
_CHAPTER_HEADING = re.compile(r"^Chapter \d+(?:: .*)?$")
_STAT = re.compile(r"(Published|Updated|Completed|Words|Chapters):\s*(\S+)")
_WORK_URL = re.compile(r"/works/(\d+)")
#: A story's id in its URL: AO3 and other OTW archives (``/works/ID``), FanFiction.net and its kin (``/s/ID``).
_STORY_ID = re.compile(r"/(?:works|s)/(\d+)")


def is_download(root: Element) -> bool:
    """An AO3-style download: a ``#preface`` whose message says where the work was posted."""
    preface = find(root, id="preface")
    return preface is not None and any("Posted originally on" in text_of(p) for p in preface.iter("p"))


def is_web_page(root: Element) -> bool:
    return any("work" in classes(d) for d in root.iter("dl")) and find(root, id="workskin") is not None


def set_work_url(meta: Metadata, url: str | None) -> None:
    """Source URL, work id and site (the archive's domain) from a work link."""
    if not url:
        return
    meta.source_url = url
    m = _STORY_ID.search(url)
    if m:
        meta.work_id = m.group(1)
    meta.site = urlparse(url).netloc or meta.site


#: Where a browser saved the page from (Chrome and IE write ``<!-- saved from url=(0047)https://… -->``).
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->")


def page_url(root: Element, markup: str) -> str | None:
    """The absolute address a saved page came from: canonical or og:url links, or the browser's note."""
    for el in root.iter("link"):
        if el.get("rel") == "canonical" and el.get("href", "").startswith("http"):
            return el.get("href")
    for el in root.iter("meta"):
        if el.get("property") == "og:url" and el.get("content", "").startswith("http"):
            return el.get("content")
    m = _SAVED_FROM.search(markup[:2000])
    return m.group(1) if m else None


def apply_stats(meta: Metadata, text: str) -> None:
    """``Published: 2016-06-22 Completed: … Words: 21,069 Chapters: 5/5`` (or ``3/?`` while in progress)."""
    stats = dict(_STAT.findall(text))
    for key in ("Published", "Updated", "Completed"):
        if key in stats:
            meta.extra[key.lower()] = stats[key]
    if "Words" in stats:
        digits = re.sub(r"\D", "", stats["Words"])
        meta.words = int(digits) if digits else None
    if "Chapters" in stats:
        apply_chapters(meta, stats["Chapters"])
    if "Completed" in stats:
        meta.complete = True


def apply_chapters(meta: Metadata, value: str) -> None:
    """``5/5`` -> 5 chapters, complete; ``3/?`` -> 3 chapters, in progress."""
    posted, _, total = value.partition("/")
    if posted.strip().isdigit():
        meta.chapter_count = int(posted)
    if total:
        total = total.strip()
        meta.extra["chapters_expected"] = int(total) if total.isdigit() else None
        meta.complete = total.isdigit() and int(total) == meta.chapter_count


def _link_texts(el: Element) -> list[str]:
    links = [text_of(a) for a in el.iter("a")]
    if links:
        return [t for t in links if t]
    return [t.strip() for t in text_of(el).split(",") if t.strip()]


def _series(dd: Element) -> list[dict]:
    """``Part 2 of <a href=.../series/9>Name</a>, Part 1 of …`` (download and web page)."""
    text = text_of(dd)
    out = []
    for a in dd.iter("a"):
        href = a.get("href", "")
        sid = re.search(r"/series/(\d+)", href)
        if not sid:
            continue
        name = text_of(a)
        m = re.search(r"Part\s+(\d+)\s+of\s+" + re.escape(name), text)
        out.append({"name": name, "part": int(m.group(1)) if m else None, "url": href, "id": sid.group(1)})
    return out


def pairs(dl: Element) -> Iterator[tuple[str, Element]]:
    """(label, dd) for each ``dt``/``dd`` pair of a definition list; labels lower case without colon."""
    label = None
    for child in dl:
        if child.tag == "dt":
            label = text_of(child).lower().rstrip(":").strip()
        elif child.tag == "dd" and label is not None:
            yield label, child
            label = None


def _set_tag_field(meta: Metadata, field: str, dd: Element) -> None:
    if field == "language":
        meta.language = text_of(dd) or None
    elif field == "stats":
        apply_stats(meta, text_of(dd))
    elif field == "series":
        meta.extra["series"] = _series(dd)
    elif field == "collections":
        meta.extra["collections"] = _link_texts(dd)
    elif field == "rating":
        values = _link_texts(dd)
        meta.rating = ", ".join(values) or None
    else:
        setattr(meta, field, _link_texts(dd))


class _Download:
    """Walks the download's documents in order, filling metadata and the text builder."""

    def __init__(self, meta: Metadata, builder: TextBuilder) -> None:
        self.meta = meta
        self.b = builder
        self.region = "preface"
        self.label: str | None = None
        self.chapters: list[dict] = []
        self.tags_done = False

    def walk(self, el: Element) -> None:
        for child in el:
            self.visit(child)

    def visit(self, el: Element) -> None:
        tag, el_id = el.tag, el.get("id", "")
        if el_id in ("preface", "chapters", "afterword"):
            self.region = el_id
            self.walk(el)
        elif tag == "p":
            self._paragraph(el)
        elif tag == "blockquote":
            self._note(el)
        elif tag == "dl":
            self._dl(el)
        elif tag == "h1" and self.region == "preface":
            self.meta.title = text_of(el) or self.meta.title
        elif tag == "h2":
            self._heading(el)
        elif tag == "ul" and self.region == "preface":
            self.meta.extra["associations"] = [text_of(li) for li in el.iter("li")]
        elif first_class(el) == "byline" and self.region == "preface":
            authors = [text_of(a) for a in el.iter("a") if a.get("rel") == "author"]
            self.meta.authors = authors or [a.strip() for a in text_of(el).removeprefix("by ").split(",")]
        elif first_class(el) == "endnote-link":
            return
        elif tag == "div" and self.region == "chapters" and (_has_prose(el) or not _is_meta(el)):
            if not self.chapters:  # a work whose chapter heading was lost: still one chapter
                self._start_chapter(None, None)
            self.b.content(el)
        else:
            self.walk(el)

    def _paragraph(self, el: Element) -> None:
        text = text_of(el)
        label = _NOTE_LABELS.get(text.lower().rstrip(":"))
        if label:
            self.label = label
        elif "Posted originally on" in text:
            links = [a.get("href", "") for a in el.iter("a")]
            set_work_url(self.meta, next((h for h in links if _WORK_URL.search(h)), None))
            bold = find(el, "b")
            if bold is not None and not self.meta.title:
                self.meta.title = text_of(bold)
        elif text.startswith("Chapter by ") and self.chapters:
            self.chapters[-1]["by"] = text.removeprefix("Chapter by ")

    def _note(self, el: Element) -> None:
        label, self.label = self.label, None
        text = plain(el)
        if not label or not text:
            return
        if label == "summary":
            self.meta.summary = text
        elif label == "notes":
            self.meta.notes.append(text)
        elif label == "end_notes":
            self.meta.extra["end_notes"] = text
        elif self.chapters:
            self.chapters[-1][label.removeprefix("chapter_")] = text

    def _dl(self, el: Element) -> None:
        if self.region == "afterword":
            dds = [text_of(dd) for dd in el.iter("dd")]
            if dds:
                self.meta.extra["inspired_works"] = dds
            return
        if self.tags_done:
            return
        self.tags_done = True
        for label, dd in pairs(el):
            if label in LABELS:
                _set_tag_field(self.meta, LABELS[label], dd)

    def _heading(self, el: Element) -> None:
        text = text_of(el)
        if self.region == "preface" and self.tags_done and _CHAPTER_HEADING.match(text):
            self.region = "chapters"  # a layout without div#chapters (older downloads): the text starts here
        if self.region != "chapters" or not text:
            return
        if first_class(el) == "toc-heading" and not _CHAPTER_HEADING.match(text):
            self._start_chapter(None, None)  # a one-chapter work: its heading is invisible
        else:
            self._start_chapter(text, text)

    def _start_chapter(self, title: str | None, heading: str | None) -> None:
        self.chapters.append({"title": title})
        self.b.chapter(title, heading)

    def finish(self) -> None:
        if any(len(c) > 1 for c in self.chapters):
            self.meta.extra["chapters"] = self.chapters


def _is_label(p: Element) -> bool:
    return not len(p) and (p.text or "").strip().lower().rstrip(":") in _NOTE_LABELS


def _has_prose(div: Element) -> bool:
    """Author's paragraphs directly inside: a chapter's text, even if the author wrote "Chapter 1" headings in it."""
    return bool((div.text or "").strip()) or any(
        p.tag == "p" and not _is_label(p) and not text_of(p).startswith("Chapter by ") for p in div
    )


def _is_meta(div: Element) -> bool:
    """A wrapper of headings and notes (not an author's text), even after Calibre renamed its classes."""
    for el in div.iter():
        tag = el.tag
        if tag == "h2" and (first_class(el) in ("heading", "toc-heading") or _CHAPTER_HEADING.match(text_of(el))):
            return True
        if tag == "p" and _is_label(el):
            return True
        if el.get("id", "").startswith(("endnotes", "preface", "afterword")):
            return True
    return False


def read_download(roots: list[Element], meta: Metadata, builder: TextBuilder) -> None:
    """Fill ``meta`` and ``builder`` from the download's documents (one HTML file or EPUB spine)."""
    walker = _Download(meta, builder)
    for root in roots:
        body = find(root, "body")
        walker.walk(body if body is not None else root)
    walker.finish()


# -- the saved work web page ----------------------------------------------------------------------

_WEB_FIELDS = {
    "rating": "rating",
    "warning": "warnings",
    "category": "categories",
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "freeform": "additional_tags",
    "language": "language",
    "series": "series",
    "collections": "collections",
    "stats": "stats",
}


def read_web_page(root: Element, meta: Metadata, builder: TextBuilder, url: str | None = None) -> None:
    """The work page as saved from a browser (``dl.work.meta.group``, ``div#workskin``); ``url`` is where
    it was saved from, when known (its links are often relative: ``/works/31337/chapters/902``)."""
    dl = next(d for d in root.iter("dl") if "work" in classes(d))
    for dd in dl.iter("dd"):
        field = _WEB_FIELDS.get(first_class(dd))
        if field == "stats":
            inner = find(dd, "dl")
            stats = pairs(inner) if inner is not None else ()
            apply_stats(meta, " ".join(f"{label.capitalize()}: {text_of(v)}" for label, v in stats))
        elif field:
            _set_tag_field(meta, field, dd)
    skin = find(root, id="workskin")
    preface = find(skin, "div", class_="preface")
    title = find(preface, "h2") if preface is not None else None
    meta.title = text_of(title) if title is not None else meta.title
    byline = find(preface, "h3", class_="byline") if preface is not None else None
    if byline is not None:
        meta.authors = [text_of(a) for a in byline.iter("a") if a.get("rel") == "author"] or [text_of(byline)]
    summary = find(preface, "div", class_="summary") if preface is not None else None
    meta.summary = plain(find(summary, "blockquote")) if summary is not None else None
    notes = find(preface, "div", class_="notes") if preface is not None else None
    if notes is not None and find(notes, "blockquote") is not None:
        meta.notes.append(plain(find(notes, "blockquote")))
    end = find(root, id="work_endnotes")
    if end is not None:
        meta.extra["end_notes"] = plain(find(end, "blockquote"))
    link = next((a.get("href", "") for a in root.iter("a") if _WORK_URL.search(a.get("href", ""))), "")
    work = _WORK_URL.search(url or "") or _WORK_URL.search(link)
    host = urlparse(url or link).netloc
    title = find(root, "title")
    if not host and title is not None and "[Archive of Our Own]" in text_of(title):
        host = "archiveofourown.org"
    if work:  # the work's own address, not the chapter or the full-work view that was saved
        set_work_url(meta, f"https://{host}/works/{work.group(1)}" if host else f"/works/{work.group(1)}")
    chapters = find(skin, id="chapters")
    if chapters is None:
        return
    infos = []
    parts = [c for c in chapters if "chapter" in classes(c)] or [chapters]
    for ch in parts:
        head = find(ch, "h3", class_="title") if ch is not chapters else None
        title = text_of(head) if head is not None else None
        info: dict = {"title": title}
        for key in ("summary", "notes"):
            box = find(ch, "div", id=key)
            if box is not None and find(box, "blockquote") is not None:
                info[key] = plain(find(box, "blockquote"))
        end_box = next((d for d in ch.iter("div") if "end" in classes(d)), None)
        if end_box is not None and find(end_box, "blockquote") is not None:
            info["end_notes"] = plain(find(end_box, "blockquote"))
        infos.append(info)
        builder.chapter(title, title)
        text = find(ch, "div", role="article")
        if text is None:
            text = find(ch, "div", class_="userstuff")
        if text is not None:
            for landmark in [h for h in text if h.tag == "h3" and "landmark" in classes(h)]:
                text.remove(landmark)
            builder.content(text)
    if any(len(i) > 1 for i in infos):
        meta.extra["chapters"] = infos
