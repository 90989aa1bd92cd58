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
from ficlens.readers.render import TextBuilder, leading_blockquotes, plain
from ficlens.story import Metadata, Story

PRIORITY = 20

_HTML = re.compile(rb"<(?:!doctype\s+html|html|body|head)[\s>]", re.I)
_FFF_SECTION = re.compile(r"<a\s+name=[\"']section\d+[\"']\s*>", re.I)


def sniff(head: bytes, path: Path) -> bool:
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
    builder.content(body, skip=set(notes))
