"""Parsing HTML and XML into one small element tree, safely, for the HTML and EPUB readers.

Both parsers return ``xml.etree.ElementTree`` elements with namespace-free tag names, so every
reader walks one kind of tree. XML goes through the stdlib C parser once entity declarations are
refused (a billion-laughs file is refused, never expanded; nothing external is fetched); HTML goes
through the stdlib
``html.parser`` (it never expands declared entities), repaired into a tree the way browsers do
for the few cases fan fiction files need (unclosed ``<p>``, ``<li>``, void tags).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.entities import name2codepoint
from html.parser import HTMLParser
from pathlib import Path

from ficlens.errors import ReadError, UnsafeInput

Element = ET.Element

_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
#: Tags that end an open <p> (HTML's implied end tag rule, reduced to what stories use).
_CLOSES_P = frozenset(
    "address article aside blockquote center div dl fieldset footer form h1 h2 h3 h4 h5 h6 header hr "
    "li ol p pre section table ul".split()
)
_SIBLING_ENDS = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr"}, "td": {"td", "th"}}
_HTML_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_DEFAULT_NS = re.compile(rb"""\sxmlns\s*=\s*(?:"[^"]*"|'[^']*')""")
_ENTITY_MARKERS = tuple("<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


class _TreeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = ET.Element("document")
        self.stack = [self.root]
        self.tags = [self.root.tag]  # the open elements' tags, beside ``stack`` so no lookup builds a list
        self.last: Element | None = None  # element whose tail receives the next text

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> Element:
        el = ET.SubElement(self.stack[-1], tag, {k: v or "" for k, v in attrs})
        self.last = None
        return el

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        top = self.tags[-1]
        if tag in _CLOSES_P and "p" in self.tags:
            self._close("p")
        ends = _SIBLING_ENDS.get(tag)
        if ends and top in ends:
            self._close(top)
        el = self._open(tag, attrs)
        if tag in _VOID:
            self.last = el
        else:
            self.stack.append(el)
            self.tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.last = self._open(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and "p" not in self.tags:
            self.handle_startendtag("p", [])  # a stray </p> is an empty paragraph, as in browsers
            return
        self._close(tag)

    def _close(self, tag: str) -> None:
        tags = self.tags
        for i in range(len(tags) - 1, 0, -1):
            if tags[i] == tag:
                self.last = self.stack[i]
                del self.stack[i:], tags[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.last is not None:
            self.last.tail = (self.last.tail or "") + data
        else:
            parent = self.stack[-1]
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + data
            else:
                parent.text = (parent.text or "") + data


def parse_html(text: str) -> Element:
    """An HTML document (or fragment) as a tree under a ``document`` root; never fails."""
    p = _TreeParser()
    p.feed(text)
    p.close()
    return p.root


def _numeric_entity(m: re.Match[bytes]) -> bytes:
    name = m.group(1).decode("ascii")
    cp = name2codepoint.get(name)
    return b"&#%d;" % cp if cp and name not in _XML_ENTITIES else m.group()


def _ascii_compatible(encoding: str) -> bool:
    """Whether markup in ``encoding`` spells ``<!ENTITY`` as ASCII does (so the scan below can see it)."""
    try:
        return "<!ENTITY".encode(encoding) == b"<!ENTITY" or encoding.lower().startswith("utf-16")
    except (LookupError, UnicodeError):
        return False


def parse_xml(data: bytes, path: Path, member: str) -> Element:
    """A well-formed XML document from an archive member; bad or unsafe XML is a one-line error.

    Entity declarations are refused before parsing (a story never needs them, and they are how
    billion-laughs files blow up); the stdlib parser fetches no external entities or DTDs.
    defusedxml would do the same at several times the cost (its parser is pure Python).
    """
    declared = _XML_ENCODING.match(data)
    if declared and not _ascii_compatible(declared.group(1).decode("ascii")):
        raise ReadError(
            f"{member} is in the {declared.group(1).decode()} encoding; convert it to UTF-8", path=str(path)
        )
    markers = _ENTITY_MARKERS if b"\x00" in data else _ENTITY_MARKERS[:1]  # UTF-16 spells it with NULs
    if any(marker in data for marker in markers):
        raise UnsafeInput(
            f"{member} declares XML entities (an entity bomb?); story files never need them, refusing to read it",
            path=str(path),
        )
    try:
        return _xml_tree(data)
    except ET.ParseError as e:
        raise ReadError(
            f"{member} is not well-formed XML ({e}); the file is damaged, download or convert it again",
            path=str(path),
        ) from None


def _xml_tree(data: bytes, encoding: str | None = None) -> Element:
    """Parse checked XML (raises ``ET.ParseError``); HTML named entities allowed, namespaces dropped."""
    if b"&" in data:  # XHTML may use HTML's named entities (&nbsp;) with no DTD defining them
        data = _HTML_ENTITY.sub(_numeric_entity, data)
    renamed = b"xmlns" in data  # namespaced tags arrive as {uri}tag
    ns = _DEFAULT_NS.search(data) if renamed else None
    if ns and data.count(b"xmlns") == 1 and _in_tag(data, ns.start()) and b"<![CDATA[" not in data:
        data = data[: ns.start()] + data[ns.end() :]  # XHTML's one namespace dropped: no tag needs renaming
        renamed = False
    parser = ET.XMLParser(encoding=encoding)
    parser.feed(data)
    root = parser.close()
    if renamed or b"<xml:" in data:
        for el in root.iter():
            tag = el.tag
            if isinstance(tag, str) and tag[0] == "{":
                el.tag = tag.rsplit("}", 1)[1]
    return root


def _in_tag(data: bytes, i: int) -> bool:
    """Whether offset ``i`` lies inside markup (text may hold ``>`` but never ``<``)."""
    return data.rfind(b"<", 0, i) > data.rfind(b">", 0, i)


_XHTML = re.compile(r"\A\s*<\?xml|xmlns=[\"']http://www\.w3\.org/1999/xhtml")


def parse_markup(text: str) -> Element:
    """An HTML file's tree: well-formed XHTML (AO3 and FanFicFare write it) through the fast XML parser,
    anything else, or anything declaring entities, through the forgiving HTML parser."""
    if "<!ENTITY" not in text and _XHTML.search(text[:2000]):
        try:
            return _xml_tree(text.encode("utf-8"), "utf-8")
        except ET.ParseError:
            pass  # tag soup after all
    return parse_html(text)


def classes(el: Element) -> list[str]:
    return el.get("class", "").split()


def first_class(el: Element) -> str:
    """The first class name without Calibre's counter (``userstuff2`` -> ``userstuff``)."""
    cls = el.get("class", "").split()
    return cls[0].rstrip("0123456789") if cls else ""


def text_of(el: Element) -> str:
    """All text inside ``el`` with whitespace collapsed (for labels, titles and tag names); a ``<br>``
    separates words ("CHAPTER I.<br>THE FLOOD")."""
    if el.find(".//br") is None:
        return " ".join("".join(el.itertext()).split())
    return " ".join("".join(_text_with_breaks(el)).split())


def _text_with_breaks(el: Element) -> Iterator[str]:
    if el.tag == "br":
        yield " "
    if el.text:
        yield el.text
    for child in el:
        yield from _text_with_breaks(child)
        if child.tail:
            yield child.tail


def find(root: Element, tag: str | None = None, **attrs: str) -> Element | None:
    """The first element (depth first) with ``tag`` and these attribute values; ``class_`` matches one
    class name. Stops at the first match (``find(root, id="preface")`` runs on every HTML file)."""
    cls = attrs.pop("class_", None)
    if cls is None and len(attrs) == 1:
        ((key, value),) = attrs.items()
        return next((el for el in root.iter(tag) if el.get(key) == value), None)
    for el in root.iter(tag):
        if (cls is None or cls in classes(el)) and all(el.get(k) == v for k, v in attrs.items()):
            return el
    return None


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


def decode_markup(data: bytes, path: Path) -> str:
    """Decode an HTML file: a BOM or a ``<meta charset>`` decides, else the plain-text rules."""
    from ficlens.readers.plaintext import decode

    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = _CHARSET.search(data[:4096])
        if m:
            try:
                return data.decode(m.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration: fall back to detection
    text, _ = decode(data, path)
    return text.lstrip("\ufeff")
