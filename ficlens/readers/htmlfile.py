"""HTML files: AO3 downloads and saved work pages, FanFicFare's HTML, and any other HTML story.

Which one a file is comes from its content (the AO3 preface message, the work page's
``dl.work``, FanFicFare's ``section0001`` anchors), never from the file name.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ficlens.readers import ao3, fanficfare, tags
from ficlens.readers.markup import Element, decode_markup, find, parse_html, parse_markup, text_of
from ficlens.readers.plaintext import set_label
from ficlens.readers.render import TextBuilder, header_fields, is_byline, leading_blockquotes, plain
from ficlens.story import Metadata, Story

PRIORITY = 20

_HTML = re.compile(rb"<(?:!doctype\s+html|html|body|head)[\s>]", re.I)
_FFF_SECTION = re.compile(r"<a\s+name=[\"']section\d+[\"']\s*>", re.I)


def sniff(head: bytes, path: Path) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Windows "Unicode"): look at the characters
        head = head.decode("utf-16", "ignore").encode("utf-8")
    return _HTML.search(head) is not None


def read(path: Path, data: bytes) -> Story:
    text = decode_markup(data, path)
    meta = Metadata()
    builder = TextBuilder()
    sections = _FFF_SECTION.split(text)
    if len(sections) > 1 and ('name="TOCTOP"' in text or 'class="full"' in text):
        fmt = "fanficfare_html"
        _read_fanficfare(sections, meta, builder)
    else:
        root = parse_markup(text)
        if ao3.is_download(root):
            fmt = "ao3_html"
            ao3.read_download([root], meta, builder)
            if not builder.paragraphs:  # a layout the AO3 parser does not know: keep its metadata, read the text
                builder = TextBuilder()
                _render_body(root, builder, meta)
        elif ao3.is_web_page(root):
            fmt = "ao3_web"
            ao3.read_web_page(root, meta, builder, ao3.page_url(root, text))
        else:
            fmt = "html"
            _read_generic(root, meta, builder)
        if not meta.title:
            title = find(root, "title")
            meta.title = text_of(title) if title is not None else None
    meta.extra["format"] = fmt
    return tags.finish(builder.story(meta, str(path), f"reader/{fmt}"))


def _read_fanficfare(sections: list[str], meta: Metadata, builder: TextBuilder) -> None:
    """FanFicFare's HTML writer: ``<h1>`` title/author, a label table, then one anchor per chapter."""
    head = parse_html(sections[0])
    h1 = find(head, "h1")
    if h1 is not None:
        links = list(h1.iter("a"))
        meta.title = text_of(links[0]) if links else text_of(h1)
        meta.authors = [text_of(a) for a in links[1:]]
        ao3.set_work_url(meta, links[0].get("href") if links else None)
    fanficfare.apply_title_page(meta, fanficfare.title_page_fields(sections[0]))
    chapters = []
    for section in sections[1:]:
        root = parse_html(section)
        h2 = find(root, "h2")
        title = text_of(h2) if h2 is not None else None
        info: dict = {"title": title}
        builder.chapter(title, title)
        fanficfare.render_chapter(root, h2, builder, meta, info)
        chapters.append({k: v for k, v in info.items() if v})
    meta.extra["chapters"] = chapters


def _read_generic(root: Element, meta: Metadata, builder: TextBuilder) -> None:
    """Any HTML story: title, author and description from the head, then the body."""
    metas = {m.get("name", "").lower(): m.get("content") for m in root.iter("meta") if m.get("name")}
    meta.authors = [metas["author"]] if metas.get("author") else []
    meta.summary = metas.get("description") or None
    _render_body(root, builder, meta)
    found = Metadata()
    for span in builder.front:
        if span.label == "header":
            for label, value in header_fields(builder.parts_text(span)):
                set_label(found, label, value)
    for name, value in vars(found).items():  # the header fills what the page head left empty
        if value and not getattr(meta, name):
            setattr(meta, name, value)


def _render_body(root: Element, builder: TextBuilder, meta: Metadata) -> None:
    """The whole body as prose, chapters at the most repeated heading level (h1-h3); block quotes
    before the first paragraph are notes, not prose."""
    levels = Counter(el.tag for el in root.iter() if el.tag in ("h1", "h2", "h3"))
    repeated = [tag for tag in ("h1", "h2", "h3") if levels[tag] >= 2]
    if repeated:
        builder.chapter_tags = frozenset({repeated[0]})
    body = find(root, "body")
    body = body if body is not None else root
    notes = leading_blockquotes(body)
    meta.notes += [n for n in map(plain, notes) if n]
    builder.content(body, skip=set(notes) | _contents_lists(body) | _gutenberg_boilerplate(body, meta))
    bylines = (builder.parts_text(s) for s in builder.front if s.label == "header")
    byline = next((b for b in bylines if is_byline(b)), None)
    if byline and not meta.authors:
        meta.authors = [byline.split(None, 1)[1]]


_CONTENTS = re.compile(r"(?:table of )?contents\.?", re.I)


def _contents_lists(body: Element) -> set[Element]:
    """A table of contents (a list or table of links into the file, and its "Contents" heading): not prose."""
    found: set[Element] = set()
    for el in body.iter():
        if el.tag in ("h1", "h2", "h3", "h4") and _CONTENTS.fullmatch(text_of(el)):
            found.add(el)
        elif el.tag in ("ul", "ol", "table", "nav"):
            links = [a for a in el.iter("a") if a.get("href", "").startswith("#")]
            if len(links) >= 2 and len(text_of(el).split()) <= 15 * len(links):
                found.add(el)
    return found


_PG_MARK = re.compile(r"\*\*\*\s*(START|END) OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_PG_FIELD = re.compile(r"^\s*(Title|Author|Language)\s*:\s*(\S.*?)\s*$", re.M)


def _gutenberg_boilerplate(body: Element, meta: Metadata) -> set[Element]:
    """Project Gutenberg's licence header and footer (around its ``*** START/END OF ...`` lines); the header's
    Title, Author and Language lines become metadata."""
    order = list(body.iter())
    marks = {m.group(1).upper(): i for i, el in enumerate(order) if el.text and (m := _PG_MARK.search(el.text))}
    if "START" not in marks:
        return set()
    parents = {child: el for el in order for child in el}
    keep: set[Element] = set()
    for i in marks.values():  # the containers of the marker lines stay open; what else lies outside goes
        el: Element | None = order[i]
        while el is not None:
            keep.add(el)
            el = parents.get(el)
    start, end = marks["START"], marks.get("END", len(order))
    head = "\n".join("".join(el.itertext()) for el in order[:start] if el.tag in ("p", "pre"))
    fields = {k.lower(): v for k, v in reversed(_PG_FIELD.findall(head))}
    meta.title = fields.get("title") or meta.title
    meta.authors = [fields["author"]] if "author" in fields else meta.authors
    meta.language = fields.get("language") or meta.language
    outside = order[: start + 1] + order[end:]
    return {el for el in outside if el not in keep} | {order[start], *order[end : end + 1]}
