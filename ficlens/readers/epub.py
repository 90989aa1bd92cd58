"""EPUB 2/3: AO3 downloads (Calibre-made), FanFicFare books, and any other e-book.

The container is opened in memory with the bounds of ``archive.SafeZip``; the OPF spine gives
the reading order, never file names. Which kind of book it is comes from its content: FanFicFare
names itself in ``dc:contributor`` / the ``fanficfare-uid`` identifier, an AO3 download has its
preface message; anything else is read as a generic book (chapters from spine and headings).
"""

from __future__ import annotations

import posixpath
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ficlens import fandoms
from ficlens.errors import ReadError
from ficlens.readers import ao3, fanficfare, tags
from ficlens.readers.archive import SafeZip, is_zip
from ficlens.readers.markup import Element, classes, find, first_class, parse_html, parse_xml, text_of
from ficlens.readers.render import TextBuilder, plain
from ficlens.story import Metadata, Story

PRIORITY = 10


def sniff(head: bytes, path: Path) -> bool:
    """A zip whose first member is the EPUB ``mimetype`` (the rule), or one whose own members include its
    container or OPF. Only this zip's member names count, so a zip that stores an EPUB is not one."""
    if not is_zip(head):
        return False
    names = _member_names(head)
    return names[:1] == ["mimetype"] or any(n == "META-INF/container.xml" or n.endswith(".opf") for n in names)


#: A zip local file header: flags, compressed size, name and extra-field lengths (signature checked apart).
_LOCAL_HEADER = struct.Struct("<6xH10xI4xHH")


def _member_names(head: bytes) -> list[str]:
    """The names of the members whose local headers lie in ``head``, walked header by header."""
    names, at = [], 0
    while head[at : at + 4] == b"PK\x03\x04" and at + 30 <= len(head):
        flags, size, name_len, extra_len = _LOCAL_HEADER.unpack_from(head, at)
        names.append(head[at + 30 : at + 30 + name_len].decode("utf-8", "replace"))
        if flags & 8:  # sizes follow the data: the next header cannot be found from here
            break
        at += 30 + name_len + extra_len + size
    return names


def _attr(el: Element, name: str) -> str | None:
    """An attribute whatever its namespace (``opf:event`` arrives as ``{...opf}event``)."""
    for key, value in el.attrib.items():
        if key == name or key.endswith("}" + name):
            return value
    return None


@dataclass
class Package:
    """An opened EPUB: its OPF metadata elements and the spine documents in reading order."""

    zip: SafeZip
    path: Path
    metadata: list[Element]
    spine: list[str]
    toc: str | None = None  # the EPUB 3 nav document, else the NCX

    def toc_entries(self) -> dict[str, list[tuple[str, str]]]:
        """Spine document -> its ``(fragment, title)`` entries in the table of contents, in order (a damaged
        TOC gives none)."""
        if not self.toc:
            return {}
        try:
            root = self.doc(self.toc)
        except ReadError:
            return {}
        base = posixpath.dirname(self.toc)
        links = (
            [(text_of(a), a.get("href", "")) for a in root.iter("a")]
            if root.tag == "html"
            else [(text_of(p.find("navLabel")), p.find("content").get("src", "")) for p in root.iter("navPoint")
                  if p.find("navLabel") is not None and p.find("content") is not None]
        )  # fmt: skip
        entries: dict[str, list[tuple[str, str]]] = {}
        for title, href in links:
            path, _, fragment = unquote(href).partition("#")
            if title and path:
                entries.setdefault(posixpath.normpath(posixpath.join(base, path)), []).append((fragment, title))
        return entries

    def doc(self, name: str) -> Element:
        return parse_xml(self.zip.read(name), self.path, name)

    def values(self, tag: str) -> list[str]:
        return [text_of(e) for e in self.metadata if e.tag == tag and text_of(e)]

    def first(self, tag: str) -> str | None:
        return next(iter(self.values(tag)), None)

    def creators(self) -> list[str]:
        """The authors: creators without a role, or with role ``aut`` (an editor or illustrator is not one)."""
        roles = {e.get("refines", "").lstrip("#"): text_of(e) for e in self.metadata if e.get("property") == "role"}
        return [
            text_of(e)
            for e in self.metadata
            if e.tag == "creator" and text_of(e) and (_attr(e, "role") or roles.get(e.get("id", ""), "aut")) == "aut"
        ]

    def refined(self, prop: str) -> tuple[str, dict[str, str]] | None:
        """An EPUB 3 ``<meta property=prop>`` value and the properties that refine it (series position...)."""
        el = next((e for e in self.metadata if e.tag == "meta" and e.get("property") == prop), None)
        if el is None:
            return None
        ref = "#" + el.get("id", "")
        return text_of(el), {e.get("property", ""): text_of(e) for e in self.metadata if e.get("refines") == ref}

    def meta(self, name: str) -> str | None:
        return next((e.get("content") for e in self.metadata if e.tag == "meta" and e.get("name") == name), None)


def open_package(path: Path, data: bytes) -> Package:
    """The container, its OPF and spine; a missing piece is a one-line error naming it."""
    z = SafeZip(data, path)
    opf = None
    if z.has("META-INF/container.xml"):
        rootfile = find(parse_xml(z.read("META-INF/container.xml"), path, "META-INF/container.xml"), "rootfile")
        opf = rootfile.get("full-path") if rootfile is not None else None
    if not opf or not z.has(opf):
        opf = next((n for n in z.names() if n.lower().endswith(".opf")), None)
    if opf is None:
        raise ReadError("EPUB has no OPF package document; the file is damaged, download it again", path=str(path))
    root = parse_xml(z.read(opf), path, opf)
    metadata = find(root, "metadata")
    manifest = {item.get("id"): item for item in root.iter("item")}
    base = posixpath.dirname(opf)
    nav = next((i for i in manifest.values() if "nav" in i.get("properties", "").split()), None)
    ncx = next((i for i in manifest.values() if i.get("media-type") == "application/x-dtbncx+xml"), None)
    toc = nav if nav is not None else ncx
    spine = []
    for ref in root.iter("itemref"):
        item = manifest.get(ref.get("idref"))
        if item is None or "html" not in item.get("media-type", "") or "nav" in item.get("properties", "").split():
            continue
        spine.append(posixpath.normpath(posixpath.join(base, unquote(item.get("href", "")))))
    if not spine:
        raise ReadError(f"EPUB spine in {opf} lists no documents; the file is damaged", path=str(path))
    toc_name = posixpath.normpath(posixpath.join(base, unquote(toc.get("href", "")))) if toc is not None else None
    return Package(z, path, list(metadata) if metadata is not None else [], spine, toc_name)


def read(path: Path, data: bytes) -> Story:
    pkg = open_package(path, data)
    meta = Metadata()
    builder = TextBuilder()
    if _is_fanficfare(pkg):
        fmt = "fanficfare_epub"
        _read_fanficfare(pkg, meta, builder)
    else:
        docs = [pkg.doc(name) for name in pkg.spine]
        if any(ao3.is_download(d) for d in docs[:8]):  # after a cover, title page, jacket...
            fmt = "ao3_epub"
            ao3.read_download(docs, meta, builder)
            _ao3_fallbacks(pkg, meta)
            if not builder.paragraphs:  # a layout the AO3 parser does not know: keep its metadata, read the text
                builder = TextBuilder()
                _render_spine(pkg, docs, builder)
        else:
            fmt = "epub"
            _read_generic(pkg, docs, meta, builder)
    meta.extra["format"] = fmt
    return tags.finish(builder.story(meta, str(path), f"reader/{fmt}"))


def _is_fanficfare(pkg: Package) -> bool:
    return any("fanficfare" in v.lower() for v in pkg.values("contributor")) or any(
        e.tag == "identifier" and (e.get("id") == "fanficfare-uid" or text_of(e).startswith("fanficfare-uid"))
        for e in pkg.metadata
    )


_DATE_EVENTS = {"publication": "published", "modification": "updated", "creation": "packaged", "": "date"}


def _opf_common(pkg: Package, meta: Metadata) -> None:
    """Fields every EPUB may carry in its OPF, used where the book's own pages say nothing."""
    meta.title = meta.title or pkg.first("title")
    meta.authors = meta.authors or pkg.creators()
    meta.language = meta.language or pkg.first("language")
    if meta.summary is None and pkg.first("description"):
        meta.summary = plain(parse_html(pkg.first("description") or ""))
    series, index = pkg.meta("calibre:series"), pkg.meta("calibre:series_index")
    collection = pkg.refined("belongs-to-collection")
    if not series and collection and collection[1].get("collection-type", "series") == "series":
        series, index = collection[0], collection[1].get("group-position")
    if series and "series" not in meta.extra:
        part = int(float(index)) if index and re.fullmatch(r"\d+(\.0+)?", index) else None
        meta.extra["series"] = [{"name": series, "part": part, "url": None, "id": None}]
    for e in pkg.metadata:
        key = _DATE_EVENTS.get(_attr(e, "event") or "")
        if e.tag == "date" and key and text_of(e) and "published" not in meta.extra:
            meta.extra.setdefault(key, text_of(e))


def _ao3_fallbacks(pkg: Package, meta: Metadata) -> None:
    """Typed tags come from the preface; the OPF subjects (types lost) stand in when it has none."""
    meta.authors = meta.authors or [a for c in pkg.creators() for a in c.split(", ")]  # one joined creator
    _opf_common(pkg, meta)
    if not (meta.rating or meta.fandoms or meta.additional_tags):
        for subject in pkg.values("subject"):
            if subject == "Fanworks":
                continue
            if subject in tags.RATINGS:
                meta.rating = subject
            elif tags.warnings([subject])[0] in tags.WARNINGS:
                meta.warnings.append(subject)
            elif tags.is_category(subject):
                meta.categories.append(subject)
            elif "/" in subject or " & " in subject:
                meta.relationships.append(subject)
            elif fandoms.from_metadata([subject], fandoms.loaded_packs()):
                meta.fandoms.append(subject)  # a fandom a pack knows ("Harry Potter - J. K. Rowling")
            else:
                meta.additional_tags.append(subject)
        named = {n for r in meta.relationships for n in tags.split_relationship(r)["characters"]}
        meta.characters = [t for t in meta.additional_tags if t in named]  # a name a pairing holds is a character
        meta.additional_tags = [t for t in meta.additional_tags if t not in named]


def _read_fanficfare(pkg: Package, meta: Metadata, builder: TextBuilder) -> None:
    chapters = []
    title_page = False
    for name in pkg.spine:
        raw = pkg.zip.read(name)
        root = parse_xml(raw, pkg.path, name)
        body = find(root, "body")
        if body is None:
            continue
        kind = classes(body)
        # Calibre's conversions rename classes (fff_chapter_title1, body "calibre") and files (index_split_000)
        head = next((h for h in body.iter("h3") if first_class(h) == "fff_chapter_title"), None)
        metas = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
        fields = None
        if not title_page and not chapters and head is None:
            fields = fanficfare.title_page_fields(raw.decode("utf-8", "replace"))
        if "fff_titlepage" in kind or posixpath.basename(name).startswith("title_page") or len(fields or ()) >= 3:
            fanficfare.apply_title_page(meta, fields or fanficfare.title_page_fields(raw.decode("utf-8", "replace")))
            title_page = True
        elif "fff_chapter" in kind or head is not None or "chapterurl" in metas:
            heading = text_of(head) if head is not None else None
            info = {"title": metas.get("chaptertitle") or heading, "url": metas.get("chapterurl")}
            builder.chapter(info["title"], heading)
            fanficfare.render_chapter(body, head, builder, meta, info)
            chapters.append({k: v for k, v in info.items() if v})
    meta.extra["chapters"] = chapters
    _opf_common(pkg, meta)
    url = pkg.first("source") or next((v[4:] for v in pkg.values("identifier") if v.startswith("URL:")), None)
    ao3.set_work_url(meta, url)
    meta.site = pkg.first("publisher") or meta.site


_SKIP_DOCS = re.compile(r"(^|[/_-])(toc|nav|cover|titlepage|title_page|jacket)", re.I)


def _read_generic(pkg: Package, docs: list[Element], meta: Metadata, builder: TextBuilder) -> None:
    """Any e-book: each spine document with a heading starts a chapter titled by that heading."""
    _opf_common(pkg, meta)
    meta.additional_tags = pkg.values("subject")
    if pkg.first("publisher"):
        meta.extra["publisher"] = pkg.first("publisher")
    _render_spine(pkg, docs, builder)


def _render_spine(pkg: Package, docs: list[Element], builder: TextBuilder) -> None:
    """A chapter per spine document with a heading, or that the table of contents names (Calibre's
    split files continue the chapter before them)."""
    started = False
    toc = pkg.toc_entries()
    for name, root in zip(pkg.spine, docs, strict=True):
        body = find(root, "body")
        if body is None or _SKIP_DOCS.search(name):
            continue
        entries = toc.get(name, [])
        # Several entries into one file (a converted MOBI's filepos anchors): a chapter starts at each anchor.
        anchors = {f: t for f, t in entries if f} if len(entries) > 1 else {}
        title = next((t for f, t in entries if not f), None) or (entries[0][1] if entries and not anchors else None)
        heading = next((h for tag in ("h1", "h2", "h3") for h in body.iter(tag)), None)
        if heading is not None or title:
            builder.chapter((text_of(heading) if heading is not None else "") or title)
        elif not started and not anchors:
            builder.chapter(None)
        started = True
        builder.chapter_ids = anchors
        builder.content(body)
    builder.chapter_ids = {}
