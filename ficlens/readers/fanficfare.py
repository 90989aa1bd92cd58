"""FanFicFare's own pages: the title page of label lines, and chapters with inlined AO3 notes.

Users can rename or drop every title-page entry, so labels are matched leniently and whatever is
missing falls back to the OPF (EPUB) or the page head (HTML). For AO3 stories FanFicFare's
"Category" holds the fandoms and "Genre" mixes additional tags with AO3 categories (F/M...).
Notes that FanFicFare inlines (``div.fff_chapter_notes``) go to metadata, not into the prose.
"""

from __future__ import annotations

import re

from ficlens.readers import tags
from ficlens.readers.ao3 import apply_chapters
from ficlens.readers.markup import Element, classes, parse_html, text_of
from ficlens.readers.render import TextBuilder, plain
from ficlens.story import Metadata

_LABEL = re.compile(r"<b>\s*([^<>]{1,40}?)\s*:\s*</b>", re.I)
_PAGE = re.compile(r"<table[^>]*class=\"full\"[^>]*>(.*?)</table>|<body[^>]*>(.*)</body>", re.I | re.S)
_FIELDS = {
    "category": "fandoms",
    "categories": "fandoms",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "genre": "genre",
    "genres": "genre",
    "freeform tags": "additional_tags",
    "freeformtags": "additional_tags",
    "additional tags": "additional_tags",
    "ao3 categories": "categories",
    "ao3categories": "categories",
    "language": "language",
    "characters": "characters",
    "relationships": "relationships",
    "pairings": "relationships",
    "ships": "relationships",
    "rating": "rating",
    "warnings": "warnings",
    "status": "status",
    "chapters": "chapters",
    "words": "words",
    "publisher": "site",
    "summary": "summary",
    "description": "summary",
    "series": "series",
    "published": "published",
    "updated": "updated",
    "packaged": "packaged",
    "collections": "collections",
}
#: Words that name a field inside a renamed label ("Story Status", "Word Count", "Rated", "Main Pairings").
_KEYWORDS = (
    ("rat", "rating"), ("status", "status"), ("word", "words"), ("chapter", "chapters"), ("pairing", "relationships"),
    ("ship", "relationships"), ("relationship", "relationships"), ("character", "characters"),
    ("warning", "warnings"), ("fandom", "fandoms"), ("genre", "genre"), ("summary", "summary"),
    ("language", "language"), ("publish", "published"), ("update", "updated"),
)  # fmt: skip
_LISTS = {"fandoms", "additional_tags", "categories", "characters", "relationships", "warnings"}
#: Bold labels FanFicFare puts before AO3 notes inside chapters, and where each note goes.
_NOTE_LABELS = {
    "author's note": "author",
    "summary for the chapter": "summary",
    "notes for the chapter": "notes",
}


def title_page_fields(markup: str) -> dict[str, Element]:
    """``<b>Label:</b> value`` entries (lines or table rows) as lower-case label -> value fragment."""
    m = _PAGE.search(markup)
    body = (m.group(1) or m.group(2)) if m else markup
    pieces = _LABEL.split(body)
    return {pieces[i].lower(): parse_html(pieces[i + 1]) for i in range(1, len(pieces) - 1, 2)}


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _extend(meta: Metadata, field: str, values: list[str]) -> None:
    """Add tags to a list field once each (a tag may be shown under two labels)."""
    setattr(meta, field, list(dict.fromkeys(getattr(meta, field) + values)))


def apply_title_page(meta: Metadata, fields: dict[str, Element]) -> None:
    """Fill ``meta`` from the title page entries FanFicFare wrote (its defaults and AO3 extras)."""
    for label, frag in fields.items():
        name = _FIELDS.get(label) or _keyword_field(label)
        value = text_of(frag)
        if name is None:
            meta.extra[label.replace(" ", "_")] = value
        elif name == "summary":
            meta.summary = plain(frag)
        elif name == "genre":
            values = _split(value)
            _extend(meta, "categories", [v for v in values if tags.is_category(v)])
            _extend(meta, "additional_tags", [v for v in values if not tags.is_category(v)])
        elif name in _LISTS:
            _extend(meta, name, _split(value))
        elif name == "words":
            digits = re.sub(r"\D", "", value)
            meta.words = int(digits) if digits else None
        elif name == "chapters":
            apply_chapters(meta, value)
        elif name == "status":
            meta.complete = value.lower().startswith("complete")
        elif name == "series":
            sm = re.match(r"(.*?)\s*\[(\d+)\]$", value)
            link = next((a.get("href") for a in frag.iter("a")), None)
            name_, part = (sm.group(1), int(sm.group(2))) if sm else (value, None)
            sid = re.search(r"/series/(\d+)", link or "")
            meta.extra["series"] = [{"name": name_, "part": part, "url": link, "id": sid.group(1) if sid else None}]
        elif name == "collections":
            meta.extra["collections"] = _split(value)
        elif name in ("published", "updated", "packaged"):
            meta.extra[name] = value
        else:
            setattr(meta, name, value or None)


def _keyword_field(label: str) -> str | None:
    """The field a label renamed by the user names, by the first keyword one of its words starts with."""
    words = label.split()
    return next((field for key, field in _KEYWORDS if any(w.startswith(key) for w in words)), None)


def render_chapter(body: Element, title: Element | None, builder: TextBuilder, meta: Metadata, info: dict) -> None:
    """Render a chapter's prose without its ``title`` element, moving inlined notes to ``info`` and ``meta``."""
    order = list(body.iter())
    notes = [d for d in order if d.tag == "div" and any(c.startswith("fff_chapter_notes") for c in classes(d))]
    inside = {el for div in notes for el in div.iter()}
    first_prose = next((i for i, el in enumerate(order) if el.tag == "p" and el not in inside), len(order))
    for div in notes:
        cls = classes(div)
        # Calibre's class flattening can drop the head/foot class: then the position decides.
        foot = "fff_foot_notes" in cls or ("fff_head_notes" not in cls and order.index(div) > first_prose)
        _notes(div, foot, meta, info)
    builder.content(body, skip=set(notes + ([title] if title is not None else [])))


def _notes(div: Element, foot: bool, meta: Metadata, info: dict) -> None:
    label = None
    for child in div:
        if child.tag == "b":
            label = _NOTE_LABELS.get(text_of(child).lower().rstrip(":"))
            continue
        text = plain(child) if child.tag in ("blockquote", "div") else None
        if not text or not label:
            if child.tag == "ul" and "associations" in classes(child):
                meta.extra["associations"] = [text_of(li) for li in child.iter("li")]
            continue
        if label == "author":
            if foot:
                meta.extra["end_notes"] = text
            else:
                meta.notes.append(text)
        elif label == "notes" and foot:
            info["end_notes"] = text
        else:
            info[label] = text
        label = None
