"""Build the reader fixtures in tests/fixtures/formats/ from small stories written for ficlens.

One work ("The Lighthouse Ledger", three chapters) is rendered the ways fans receive it: AO3's
HTML download in its historical variants, the Calibre-made AO3 EPUB (classes flattened, split
into several spine documents), the saved AO3 work page, and FanFicFare's EPUB, HTML and TXT.
A one-shot and a plain e-book/HTML story cover the other layouts (formats.md sections 1-2).
Every file is deterministic, so re-running the script gives byte-identical fixtures.

    python scripts/make_fixtures.py            # writes tests/fixtures/formats/
    python scripts/make_fixtures.py --big OUT  # a 100k-word EPUB and its text, for the benchmark
"""

from __future__ import annotations

import argparse
import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "formats"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


@dataclass
class Chapter:
    title: str | None
    paragraphs: list[str]  # author HTML, one block each ("<hr/>" and centred dividers allowed)
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None


@dataclass
class Work:
    id: str
    title: str
    authors: list[str]
    rating: str
    warnings: list[str]
    categories: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    freeforms: list[str]
    language: str
    summary: str
    notes: str | None
    end_notes: str | None
    chapters: list[Chapter]
    published: str
    updated: str | None
    series: list[tuple[int, str, str]] = field(default_factory=list)  # (part, name, id)
    collections: list[str] = field(default_factory=list)
    wip: bool = False  # a work in progress: "Chapters: 2/?"

    def words(self) -> int:
        return sum(len(_strip(p).split()) for c in self.chapters for p in c.paragraphs if not _divider(p))

    def url(self, scheme: str = "https") -> str:
        return f"{scheme}://archiveofourown.org/works/{self.id}"


def _strip(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _divider(p: str) -> bool:
    return p.startswith("<hr") or "text-align: center" in p


LEDGER = Work(
    id="4242",
    title="The Lighthouse Ledger",
    authors=["saltwrit"],
    rating="Teen And Up Audiences",
    warnings=["Creator Chose Not To Use Archive Warnings"],
    categories=["F/M", "Gen"],
    fandoms=["Tidewatch (TV)"],
    relationships=["Mara Quill/Tobias Wren", "Edda Quill & Mara Quill"],
    characters=["Mara Quill", "Tobias Wren", "Edda Quill"],
    freeforms=["Alternate Universe - Canon Divergence", "Slow Burn", "Lighthouses"],
    language="English",
    summary="<p>Mara keeps the light. Tobias keeps the books.</p><p>Neither of them keeps <em>quiet</em>.</p>",
    notes="<p>Written for the winter swap. Thanks to R. for the beta!</p>",
    end_notes="<p>Thank you for reading. The ledger is real; the storm is not.</p>",
    published="2024-03-02",
    updated="2024-04-10",
    series=[(2, "Salt Roads", "77")],
    collections=["Winter Swap 2024"],
    chapters=[
        Chapter(
            "The Lamp",
            [
                "<p>The lamp at Gullrock had not gone dark in forty years, and Mara Quill did not intend to be "
                "the keeper who let it.</p>",
                "<p>She climbed the hundred and twelve steps before supper, counting them aloud the way her "
                "grandmother had taught her. <em>One for the sea, one for the ships.</em></p>",
                "<p>\u201cYou\u2019re late,\u201d said Edda from the gallery, without turning round.</p>",
                "<p>\u201cThe tide was early,\u201d Mara said. It was not an answer, and they both knew it.</p>",
                "<hr/>",
                "<p>Down in the harbour office, Tobias Wren opened the ledger and wrote the date in his "
                "careful, slanting hand.</p>",
                "<p>Every ship that passed the light went into the book. Every ship that did not pass it went "
                "in as well, in red.</p>",
            ],
            summary="<p>Mara climbs the tower; Tobias opens the book.</p>",
            notes="<p>Gullrock is loosely based on a real lighthouse.</p>",
            end_notes="<p>Next time: the storm.</p>",
        ),
        Chapter(
            "The Storm",
            [
                "<p>The storm came in sideways, the way the old fishermen said only bad storms did.</p>",
                "<p>Tobias found Mara at the top of the tower with her sleeves rolled back and oil to the "
                "elbows. <i>She has not slept</i>, he thought, and then, <i>neither have I</i>.</p>",
                "<p>\u201cThe ledger,\u201d she said. \u201cDid you bring it?\u201d</p>",
                '<p style="text-align: center;">~o~</p>',
                "<p>By morning the sea had flattened to pewter. Edda brought tea up the steps and did not "
                "say <em>I told you so</em>, which Mara counted as a kindness.</p>",
                "<p>Three ships had passed in the night. Tobias wrote all three in black.</p>",
            ],
            notes="<p>Weather research courtesy of my uncle.</p>",
        ),
        Chapter(
            "The Entry",
            [
                "<p>In spring the harbour board sent a letter asking whether the light might be automated.</p>",
                "<p>Mara read it twice, folded it once, and handed it to Tobias.</p>",
                "<p>He opened the ledger to a clean page and wrote, in black, <em>Gullrock: kept</em>.</p>",
            ],
            end_notes="<p>The end! Comments make my day.</p>",
        ),
    ],
)

ONESHOT = Work(
    id="9001",
    title="Salt and Static",
    authors=["saltwrit", "nightferry"],
    rating="Mature",
    warnings=["Graphic Depictions Of Violence", "Underage"],
    categories=["Gen"],
    fandoms=["Tidewatch (TV)", "Radio Nights (Podcast)"],
    relationships=["Edda Quill & Hal Sorrow"],
    characters=["Edda Quill", "Hal Sorrow"],
    freeforms=["Crossover", "Radio"],
    language="English",
    summary="<p>Edda hears a voice on the emergency band.</p>",
    notes=None,
    end_notes=None,
    published="2023-11-05",
    updated=None,
    chapters=[
        Chapter(
            None,
            [
                "<p>The radio in the keeper\u2019s cottage only ever played static, until the night it "
                "said Edda\u2019s name.</p>",
                "<p>\u201cWho is this?\u201d she asked the handset. <em>Nobody should know this channel.</em></p>",
                "<p>\u201cHal,\u201d said the voice. \u201cHal Sorrow. I think I\u2019m lost.\u201d</p>",
            ],
        )
    ],
)

#: A plain e-book (not fan fiction): chapters from spine and headings only.
BOOK = Work(
    id="",
    title="Notes from the Breakwater",
    authors=["Ines Marlow"],
    rating="",
    warnings=[],
    categories=[],
    fandoms=[],
    relationships=[],
    characters=[],
    freeforms=["Fiction", "Sea stories"],
    language="en",
    summary="<p>Two letters from a harbour town.</p>",
    notes=None,
    end_notes=None,
    published="2020-05-01",
    updated=None,
    chapters=[
        Chapter(
            "I. The First Letter",
            [
                "<p>Dear Ana, the gulls have learned my name.</p>",
                "<p>They shout it every morning. I have stopped answering.</p>",
            ],
        ),
        Chapter(
            "II. The Second Letter",
            [
                "<p>Dear Ana, the breakwater cracked in the night.</p>",
                "<p>We mended it with <em>stones and stubbornness</em>.</p>",
            ],
        ),
    ],
)


# -- AO3 download HTML -------------------------------------------------------------------------------


@dataclass
class Style:
    """Template details that changed over the years (formats.md 1.1)."""

    scheme: str = "https"
    plural: bool = True
    language_row: bool = True
    title_line: bool = True
    display_warnings: bool = True
    separators: bool = True


CURRENT = Style()
OLD_2019 = Style(
    scheme="http", plural=False, language_row=False, title_line=False, display_warnings=False, separators=False
)
STYLE_2023 = Style(scheme="http")

_DISPLAY = {"Choose Not To Use Archive Warnings": "Creator Chose Not To Use Archive Warnings"}
_RAW = {v: k for k, v in _DISPLAY.items()}


def _links(values: list[str], st: Style) -> str:
    return ", ".join(
        f'<a href="{st.scheme}://archiveofourown.org/tags/{html.escape(v)}/works">{html.escape(v)}</a>' for v in values
    )


def _stats(w: Work, st: Style, n_chapters: int) -> str:
    words = w.words()
    words_s = f"{words:,}" if st.separators else str(words)
    chapters = f"{n_chapters}/{'?' if w.wip else n_chapters}"
    done = "Updated" if w.wip else "Completed"
    upd = f" {done}: {w.updated}" if w.updated else ""
    return f"Published: {w.published}{upd} Words: {words_s} Chapters: {chapters}"


def _warnings(w: Work, st: Style) -> list[str]:
    if st.display_warnings:
        return [_DISPLAY.get(x, x) for x in w.warnings]
    return [_RAW.get(x, x) for x in w.warnings]


def ao3_preface(w: Work, st: Style) -> str:
    s = "s" if st.plural else ""
    rows = [
        (f"Rating{s}", _links([w.rating], st)),
        (f"Archive Warning{s}", _links(_warnings(w, st), st)),
        ("Categories" if st.plural else "Category", _links(w.categories, st)),
        (f"Fandom{s}", _links(w.fandoms, st)),
        (f"Relationship{s}", _links(w.relationships, st)),
        (f"Character{s}", _links(w.characters, st)),
        ("Additional Tags", _links(w.freeforms, st)),
    ]
    if st.language_row:
        rows.append(("Language", w.language))
    if w.series:
        rows.append(
            (
                "Series",
                ", ".join(
                    f'Part {n} of <a href="{st.scheme}://archiveofourown.org/series/{sid}">{html.escape(name)}</a>'
                    for n, name, sid in w.series
                ),
            )
        )
    if w.collections:
        rows.append(
            (
                "Collections",
                ", ".join(
                    f'<a href="{st.scheme}://archiveofourown.org/collections/c{i}">{html.escape(c)}</a>'
                    for i, c in enumerate(w.collections)
                ),
            )
        )
    rows.append(("Stats", _stats(w, st, len(w.chapters))))
    dl = "\n".join(f"      <dt>{k}:</dt>\n      <dd>{v}</dd>" for k, v in rows)
    title_line = f"<b>{html.escape(w.title)}</b><br/>\n    " if st.title_line else ""
    byline = ", ".join(
        f'<a rel="author" href="{st.scheme}://archiveofourown.org/users/{a}/pseuds/{a}">{a}</a>' for a in w.authors
    )
    notes = f'\n    <p>Notes</p>\n    <blockquote class="userstuff">{w.notes}</blockquote>' if w.notes else ""
    endlink = (
        '\n    <div class="endnote-link">See the end of the work for <a href="#endnotes">more notes</a></div>'
        if w.end_notes
        else ""
    )
    return f"""<div id="preface">
  <h2 class="toc-heading">Preface</h2>
  <p class="message">{title_line}Posted originally on the <a href="{st.scheme}://archiveofourown.org/">Archive of Our Own</a> at <a href="{w.url(st.scheme)}">{w.url(st.scheme)}</a>.</p>
  <div class="meta">
    <dl class="tags">
{dl}
    </dl>
    <h1>{html.escape(w.title)}</h1>
    <div class="byline">by {byline}</div>
    <p>Summary</p>
    <blockquote class="userstuff">{w.summary}</blockquote>{notes}{endlink}
  </div>
</div>"""  # noqa: E501


def ao3_chapter(w: Work, n: int, ch: Chapter, chaptered: bool) -> str:
    if not chaptered:
        return (
            f'<h2 class="toc-heading">{html.escape(w.title)}</h2>\n'
            f'<div class="userstuff">{"".join(ch.paragraphs)}</div>'
        )
    heading = f"Chapter {n}: {html.escape(ch.title)}" if ch.title else f"Chapter {n}"
    parts = [f'<div class="meta group">\n  <h2 class="heading">{heading}</h2>']
    if ch.summary:
        parts.append(f'  <p>Chapter Summary</p>\n  <blockquote class="userstuff">{ch.summary}</blockquote>')
    if ch.notes:
        parts.append(f'  <p>Chapter Notes</p>\n  <blockquote class="userstuff">{ch.notes}</blockquote>')
    if ch.end_notes:
        parts.append(
            f'  <div class="endnote-link">See the end of the chapter for <a href="#endnotes{n}">notes</a></div>'
        )
    parts.append("</div>")
    text = "\n".join(ch.paragraphs)
    parts.append(f'<div class="userstuff">\n{text}\n</div>')
    if ch.end_notes:
        parts.append(
            f'<div class="meta" id="endnotes{n}">\n  <p>Chapter End Notes</p>\n'
            f'  <blockquote class="userstuff">{ch.end_notes}</blockquote>\n</div>'
        )
    return "\n".join(parts)


def ao3_afterword(w: Work, st: Style) -> str:
    end = (
        (
            f'<div id="endnotes">\n      <p>End Notes</p>\n'
            f'      <blockquote class="userstuff">{w.end_notes}</blockquote>\n    </div>'
        )
        if w.end_notes
        else ""
    )
    return f"""<div id="afterword">
  <h2 class="toc-heading">Afterword</h2>
  <div class="meta">
    {end}
  </div>
  <p class="message">Please <a href="{w.url(st.scheme)}/comments/new">drop by the Archive and comment</a> to let the creator know if you enjoyed their work!</p>
</div>"""  # noqa: E501


def _fandom_title(w: Work) -> str:
    return "Multifandom" if len(w.fandoms) > 3 else (w.fandoms[0] if w.fandoms else "No fandom specified")


def ao3_html(w: Work, st: Style = CURRENT) -> str:
    chaptered = len(w.chapters) > 1
    chapters = "\n".join(ao3_chapter(w, i, c, chaptered) for i, c in enumerate(w.chapters, 1))
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>
<title>{html.escape(w.title)} - {", ".join(w.authors)} - {html.escape(_fandom_title(w))}</title>
<style type="text/css">
body {{ font-family: serif; }} .toc-heading {{ display: none; }} .meta {{ page-break-after: always; }}
</style>
</head>
<body>
{ao3_preface(w, st)}
<div id="chapters" class="userstuff">
{chapters}
</div>
{ao3_afterword(w, st)}
</body>
</html>
"""  # noqa: E501


# -- AO3 EPUB as Calibre makes it --------------------------------------------------------------------


def _flatten_classes(markup: str) -> str:
    """Calibre's CSS flattening: first class name + a counter; the plain chapter heading loses its class."""
    seen: dict[str, str] = {}

    def rename(m: re.Match[str]) -> str:
        full = m.group(1)
        if full == "heading":
            return ""
        if full not in seen:
            base = full.split()[0].rstrip("0123456789").lower()
            seen[full] = base + (str(len(seen)) if len(seen) else "")
        return f' class="{seen[full]}"'

    return re.sub(r' class="([^"]+)"', rename, markup)


def _xhtml(title: str, body: str) -> str:
    return (
        f"<?xml version='1.0' encoding='utf-8'?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
        f'<head><title>{html.escape(title)}</title>\n<meta http-equiv="Content-Type" content="text/html; '
        f'charset=utf-8"/>\n<link rel="stylesheet" type="text/css" href="stylesheet.css"/></head>\n'
        f'<body class="calibre">\n{body}\n</body></html>\n'
    )


def _write_epub(path: Path, files: dict[str, str], opf_path: str) -> None:
    container = (
        f'<?xml version="1.0"?>\n<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:'
        f'container">\n<rootfiles><rootfile full-path="{opf_path}" media-type="application/oebps-package+'
        f'xml"/></rootfiles>\n</container>\n'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", ZIP_DATE), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr(zipfile.ZipInfo("META-INF/container.xml", ZIP_DATE), container, compress_type=zipfile.ZIP_DEFLATED)
        for name, content in files.items():
            z.writestr(zipfile.ZipInfo(name, ZIP_DATE), content, compress_type=zipfile.ZIP_DEFLATED)


def _opf(metadata: str, items: list[tuple[str, str, str]], spine: list[str], version: str = "2.0") -> str:
    manifest = "\n".join(f'    <item id="{i}" href="{h}" media-type="{t}"/>' for i, h, t in items)
    refs = "\n".join(f'    <itemref idref="{i}"/>' for i in spine)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="{version}" unique-identifier="uuid_id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
{metadata}
  </metadata>
  <manifest>
{manifest}
  </manifest>
  <spine toc="ncx">
{refs}
  </spine>
</package>
"""


def ao3_epub(w: Work, path: Path, split_chapter: int | None = 2) -> None:
    """The download HTML split like Calibre: preface, one file per chapter (one split mid-chapter), afterword."""
    st = CURRENT
    chaptered = len(w.chapters) > 1
    docs = [ao3_preface(w, st)]
    for i, ch in enumerate(w.chapters, 1):
        body = ao3_chapter(w, i, ch, chaptered)
        if i == split_chapter:  # Calibre splits big files at block boundaries, copying the ancestors
            cut = body.index(ch.paragraphs[2])
            docs.append(f'<div class="userstuff">\n{body[:cut]}</div></div>')
            docs.append(f'<div class="userstuff"><div class="userstuff">{body[cut:]}</div>')
        else:
            docs.append(f'<div class="userstuff">\n{body}\n</div>')
    docs[1] = docs[1].replace('<div class="userstuff">', '<div id="chapters" class="userstuff">', 1)
    docs.append(ao3_afterword(w, st))
    files = {}
    items = []
    for n, body in enumerate(docs):
        name = f"index_split_{n:03d}.html"
        files[name] = _xhtml(w.title, _flatten_classes(body))
        items.append((f"html{n}", name, "application/xhtml+xml"))
    files["stylesheet.css"] = ".calibre { display: block }\n"
    files["toc.ncx"] = '<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"/>\n'
    subjects = [
        "Fanworks",
        w.rating,
        *[_RAW.get(x, x) for x in w.warnings],
        *w.categories,
        *w.fandoms,
        *w.relationships,
        *w.characters,
        *w.freeforms,
    ]
    meta = "\n".join(
        [
            f"    <dc:title>{html.escape(w.title)}</dc:title>",
            f'    <dc:creator opf:file-as="{", ".join(w.authors)}" opf:role="aut">{", ".join(w.authors)}</dc:creator>',
            f"    <dc:description>{html.escape(w.summary)}</dc:description>",
            "    <dc:publisher>Archive of Our Own</dc:publisher>",
            '    <dc:identifier id="uuid_id" opf:scheme="uuid">0e0c3f4e-0000-4000-8000-000000004242</dc:identifier>',
            f"    <dc:date>{w.updated or w.published}T00:00:00+00:00</dc:date>",
            "    <dc:language>en</dc:language>",
            *(f"    <dc:subject>{html.escape(s)}</dc:subject>" for s in subjects),
            *(
                [
                    f'    <meta name="calibre:series" content="{w.series[0][1]}"/>',
                    f'    <meta name="calibre:series_index" content="{w.series[0][0]}.0"/>',
                ]
                if w.series
                else []
            ),
        ]
    )
    items += [("css", "stylesheet.css", "text/css"), ("ncx", "toc.ncx", "application/x-dtbncx+xml")]
    files["content.opf"] = _opf(meta, items, [f"html{n}" for n in range(len(docs))])
    _write_epub(path, files, "content.opf")


# -- AO3 saved web page ------------------------------------------------------------------------------


def ao3_web(w: Work) -> str:
    def tags(cls: str, values: list[str]) -> str:
        lis = "".join(
            f'<li><a class="tag" href="/tags/{html.escape(v)}/works">{html.escape(v)}</a></li>' for v in values
        )
        return f'<dt class="{cls} tags">x:</dt><dd class="{cls} tags"><ul class="commas">{lis}</ul></dd>'

    series = "".join(
        f'<span class="series"><span class="position">Part {n} of <a href="/series/{sid}">{name}</a></span></span>'
        for n, name, sid in w.series
    )
    total = "?" if w.wip else len(w.chapters)
    chapters = []
    for i, ch in enumerate(w.chapters, 1):
        summ = (
            (
                f'<div id="summary" class="summary module"><h3 class="heading">Summary:</h3>'
                f'<blockquote class="userstuff">{ch.summary}</blockquote></div>'
            )
            if ch.summary
            else ""
        )
        notes = (
            (
                f'<div id="notes" class="notes module"><h3 class="heading">Notes:</h3>'
                f'<blockquote class="userstuff">{ch.notes}</blockquote></div>'
            )
            if ch.notes
            else ""
        )
        end = (
            (
                f'<div class="end notes module" id="chapter_{i}_endnotes"><h3 class="heading">Notes:</h3>'
                f'<blockquote class="userstuff">{ch.end_notes}</blockquote></div>'
            )
            if ch.end_notes
            else ""
        )
        chapters.append(
            f'<div class="chapter" id="chapter-{i}"><div class="chapter preface group" role="complementary">'
            f'<h3 class="title"><a href="/works/{w.id}/chapters/{100 + i}">Chapter {i}</a>: {ch.title}</h3>'
            f'{summ}{notes}</div><div class="userstuff module" role="article">'
            f'<h3 class="landmark heading" id="work">Chapter Text</h3>\n{"".join(ch.paragraphs)}\n</div>'
            f'<div class="chapter preface group" role="complementary">{end}</div></div>'
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{w.title} - Chapter 1 - saltwrit - Tidewatch (TV) [Archive of Our Own]</title>
<link rel="canonical" href="{w.url()}"><link rel="stylesheet" href="/stylesheets/site/2.0/01-core.css"></head>
<body><div id="outer"><div id="main" class="works-show region" role="main">
<div class="wrapper"><dl class="work meta group">
{tags("rating", [w.rating])}{tags("warning", _warnings(w, CURRENT))}{tags("category", w.categories)}
{tags("fandom", w.fandoms)}{tags("relationship", w.relationships)}{tags("character", w.characters)}
{tags("freeform", w.freeforms)}
<dt class="language">Language:</dt><dd class="language" lang="en">{w.language}</dd>
<dt class="series">Series:</dt><dd class="series">{series}</dd>
<dt class="stats">Stats:</dt><dd class="stats"><dl class="stats">
<dt class="published">Published:</dt><dd class="published">{w.published}</dd>
<dt class="status">Completed:</dt><dd class="status">{w.updated}</dd>
<dt class="words">Words:</dt><dd class="words">{w.words():,}</dd>
<dt class="chapters">Chapters:</dt><dd class="chapters">{len(w.chapters)}/{total}</dd>
<dt class="kudos">Kudos:</dt><dd class="kudos">12</dd><dt class="hits">Hits:</dt><dd class="hits">340</dd>
</dl></dd></dl></div>
<div id="workskin"><div class="preface group"><h2 class="title heading">{w.title}</h2>
<h3 class="byline heading"><a rel="author" href="/users/saltwrit/pseuds/saltwrit">saltwrit</a></h3>
<div class="summary module"><h3 class="heading">Summary:</h3><blockquote class="userstuff">{w.summary}</blockquote></div>
<div class="notes module"><h3 class="heading">Notes:</h3><blockquote class="userstuff">{w.notes}</blockquote></div>
</div>
<div id="chapters" role="article">
{"".join(chapters)}
</div>
<div id="work_endnotes" class="end notes module"><h3 class="heading">Notes:</h3>
<blockquote class="userstuff">{w.end_notes}</blockquote></div>
</div></div></div></body></html>
"""  # noqa: E501


# -- FanFicFare ---------------------------------------------------------------------------------------


def _fff_entries(w: Work, packaged: str = "2024-05-01 10:00:00") -> list[tuple[str, str]]:
    genre = w.freeforms + w.categories
    status = "In-Progress" if w.wip else "Completed"
    series = ", ".join(
        f'<a href="https://archiveofourown.org/series/{sid}">{name}</a> [{n}]' for n, name, sid in w.series
    )
    entries = [
        ("Category", ", ".join(w.fandoms)),
        ("Genre", ", ".join(genre)),
        ("Language", w.language),
        ("Characters", ", ".join(w.characters)),
        ("Relationships", ", ".join(w.relationships)),
        ("Status", status),
        ("Published", w.published),
        ("Updated", w.updated or w.published),
        ("Packaged", packaged),
        ("Rating", w.rating),
        ("Warnings", ", ".join(_warnings(w, CURRENT))),
        ("Chapters", f"{len(w.chapters)}/?" if w.wip else str(len(w.chapters))),
        ("Words", f"{w.words():,}"),
        ("Publisher", "archiveofourown.org"),
    ]
    return [("Series", series), *((k, html.escape(v)) for k, v in entries), ("Summary", w.summary)]


def _fff_chapter_html(w: Work, i: int, ch: Chapter) -> str:
    """The chapter as FanFicFare's AO3 adapter assembles it: head notes, the text, foot notes."""
    head = []
    if i == 1 and w.notes:
        head.append(f'<b>Author\'s Note:</b><blockquote class="userstuff">{w.notes}</blockquote>')
    if ch.summary:
        head.append(f'<b>Summary for the Chapter:</b><blockquote class="userstuff">{ch.summary}</blockquote>')
    if ch.notes:
        head.append(f'<b>Notes for the Chapter:</b><blockquote class="userstuff">{ch.notes}</blockquote>')
    foot = []
    if ch.end_notes:
        foot.append(f'<b>Notes for the Chapter:</b><blockquote class="userstuff">{ch.end_notes}</blockquote>')
    if i == len(w.chapters) and w.end_notes:
        foot.append(f'<b>Author\'s Note:</b><blockquote class="userstuff">{w.end_notes}</blockquote>')
    parts = ['<div class="story">']
    if head:
        parts.append(f'<div class="fff_chapter_notes fff_head_notes">{"".join(head)}</div>')
    parts.append(f'<div class="userstuff module" role="article">\n{"".join(ch.paragraphs)}\n</div>')
    if foot:
        parts.append(f'<div class="fff_chapter_notes fff_foot_notes">{"".join(foot)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _fff_chapter_title(i: int, ch: Chapter, w: Work) -> str:
    return f"{i}. {ch.title}" if ch.title else w.title


def fff_epub(w: Work, path: Path, use_table: bool = False) -> None:
    entries = _fff_entries(w)
    if use_table:
        rows = "\n".join(f"<tr><td><b>{k}:</b></td><td>{v}</td></tr>" for k, v in entries if v)
        page = f'<table class="full">\n{rows}\n</table>'
    else:
        page = "<div>\n" + "\n".join(f"<b>{k}:</b> {v}<br />" for k, v in entries if v) + "\n</div>"
    head = (
        f'<h3><a href="{w.url()}">{html.escape(w.title)}</a> by <a class="authorlink" '
        f'href="https://archiveofourown.org/users/{w.authors[0]}/pseuds/{w.authors[0]}">{w.authors[0]}</a></h3>'
    )
    files = {"OEBPS/stylesheet.css": ".center { text-align: center; }\n"}
    files["OEBPS/title_page.xhtml"] = _fff_xhtml(w.title, "fff_titlepage", head + "\n" + page)
    items = [("title_page", "OEBPS/title_page.xhtml", "application/xhtml+xml")]
    for i, ch in enumerate(w.chapters, 1):
        title = _fff_chapter_title(i, ch, w)
        metas = (
            f'<meta name="chapterurl" content="{w.url()}/chapters/{100 + i}"/>\n'
            f'<meta name="chaptertitle" content="{html.escape(title)}"/>'
        )
        body = f'<h3 class="fff_chapter_title">{html.escape(title)}</h3>\n{_fff_chapter_html(w, i, ch)}'
        name = f"OEBPS/file{i:04d}.xhtml"
        files[name] = _fff_xhtml(title, "fff_chapter", body, metas)
        items.append((f"file{i:04d}", name, "application/xhtml+xml"))
    subjects = [
        "FanFiction",
        *w.fandoms,
        *w.freeforms,
        *w.categories,
        *w.characters,
        *w.relationships,
        "Last Update Year/Month: 2024/04",
        "Completed",
    ]
    meta = "\n".join(
        [
            f'    <dc:identifier id="fanficfare-uid">fanficfare-uid:archiveofourown.org-u{w.authors[0]}-s{w.id}'
            "</dc:identifier>",
            f"    <dc:title>{html.escape(w.title)}</dc:title>",
            *(f'    <dc:creator opf:role="aut">{a}</dc:creator>' for a in w.authors),
            '    <dc:contributor opf:role="bkp">FanFicFare [https://github.com/JimmXinu/FanFicFare]</dc:contributor>',
            "    <dc:rights></dc:rights>",
            "    <dc:language>en</dc:language>",
            f'    <dc:date opf:event="publication">{w.published}</dc:date>',
            '    <dc:date opf:event="creation">2024-05-01</dc:date>',
            f'    <dc:date opf:event="modification">{w.updated or w.published}</dc:date>',
            f"    <dc:description>{html.escape(w.summary)}</dc:description>",
            *(f"    <dc:subject>{html.escape(s)}</dc:subject>" for s in subjects),
            "    <dc:publisher>archiveofourown.org</dc:publisher>",
            f'    <dc:identifier opf:scheme="URL">{w.url()}</dc:identifier>',
            f"    <dc:source>{w.url()}</dc:source>",
        ]
    )
    items.append(("style", "OEBPS/stylesheet.css", "text/css"))
    files["content.opf"] = _opf(meta, items, [i for i, _, t in items if "xhtml" in t]).replace(
        'unique-identifier="uuid_id"', 'unique-identifier="fanficfare-uid"'
    )
    _write_epub(path, files, "content.opf")


def _fff_xhtml(title: str, body_class: str, body: str, metas: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
        f'"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f"<title>{html.escape(title)}</title>\n"
        f'<link href="stylesheet.css" type="text/css" rel="stylesheet"/>\n{metas}\n</head>\n'
        f'<body class="{body_class}">\n{body}\n</body>\n</html>\n'
    )


def fff_html(w: Work) -> str:
    rows = "\n".join(f"<tr><td><b>{k}:</b></td><td>{v}</td></tr>" for k, v in _fff_entries(w) if v)
    toc = "\n".join(
        f'<a href="#section{i:04d}">{html.escape(_fff_chapter_title(i, c, w))}</a><br />'
        for i, c in enumerate(w.chapters, 1)
    )
    chapters = "\n".join(
        f'<a name="section{i:04d}"><h2>{html.escape(_fff_chapter_title(i, c, w))}</h2></a>\n'
        f"{_fff_chapter_html(w, i, c)}"
        for i, c in enumerate(w.chapters, 1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>{html.escape(w.title)} by {w.authors[0]}</title>
</head>
<body>
<h1><a href="{w.url()}">{html.escape(w.title)}</a> by <a href="https://archiveofourown.org/users/{w.authors[0]}/pseuds/{w.authors[0]}">{w.authors[0]}</a></h1>

<table class="full">
{rows}
</table>

<a name="TOCTOP"><h3>Table of Contents</h3>
<p>
{toc}
</p>
{chapters}
</body>
</html>"""  # noqa: E501


def fff_txt(w: Work) -> str:
    """FanFicFare's TXT writer: header, label lines, TOC, chapters; wrapped at 78 columns, CRLF."""
    import textwrap

    lines = ["", "", "", w.title, "", f"by {w.authors[0]}", "", ""]
    for k, v in _fff_entries(w):
        if v and k != "Summary":
            lines.append(f"{k}: {_strip(v).strip()}")
    summary = " ".join(_strip(w.summary.replace("</p><p>", "</p> <p>")).split())
    lines.append(f"Summary: {summary}")
    lines += ["", "", "TABLE OF CONTENTS", ""]
    lines += [f"{_fff_chapter_title(i, c, w)}" for i, c in enumerate(w.chapters, 1)]
    for i, ch in enumerate(w.chapters, 1):
        lines += ["", "", f"\t{_fff_chapter_title(i, ch, w)}", ""]
        for p in ch.paragraphs:
            text = "* * *" if p.startswith("<hr") else " ".join(_strip(p).split())
            lines += textwrap.wrap(text, 78) + [""]
    lines += ["", "End file.", ""]
    return "\r\n".join(lines)


# -- a plain e-book and HTML story ---------------------------------------------------------------------


def generic_epub(w: Work, path: Path) -> None:
    """An EPUB 3 book with a nav document, a cover page and one file per chapter."""
    files = {
        "EPUB/nav.xhtml": _xhtml(
            "Contents", '<nav epub:type="toc"><ol><li><a href="c1.xhtml">I</a></li></ol></nav>'
        ).replace(
            'xmlns="http://www.w3.org/1999/xhtml"',
            'xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"',
        ),
        "EPUB/cover.xhtml": _xhtml("Cover", '<div><img src="cover.png" alt="cover"/></div>'),
    }
    items = [
        ("nav", "nav.xhtml", 'application/xhtml+xml" properties="nav'),
        ("cover", "cover.xhtml", "application/xhtml+xml"),
    ]
    for i, ch in enumerate(w.chapters, 1):
        files[f"EPUB/c{i}.xhtml"] = _xhtml(
            ch.title or "", f"<h2>{html.escape(ch.title or '')}</h2>\n" + "\n".join(ch.paragraphs)
        )
        items.append((f"c{i}", f"c{i}.xhtml", "application/xhtml+xml"))
    meta = "\n".join(
        [
            f"    <dc:title>{html.escape(w.title)}</dc:title>",
            *(f"    <dc:creator>{a}</dc:creator>" for a in w.authors),
            f"    <dc:description>{html.escape(w.summary)}</dc:description>",
            *(f"    <dc:subject>{s}</dc:subject>" for s in w.freeforms),
            f"    <dc:language>{w.language}</dc:language>",
            '    <dc:identifier id="uuid_id">urn:uuid:00000000-0000-4000-8000-000000000001</dc:identifier>',
            '    <meta property="dcterms:modified">2020-05-01T00:00:00Z</meta>',
        ]
    )
    files["EPUB/package.opf"] = _opf(
        meta, items, ["cover", *[f"c{i}" for i in range(1, len(w.chapters) + 1)]], version="3.0"
    ).replace(' toc="ncx"', "")
    _write_epub(path, files, "EPUB/package.opf")


def generic_html(w: Work) -> str:
    chapters = "\n".join(f"<h2>{html.escape(c.title or '')}</h2>\n" + "\n".join(c.paragraphs) for c in w.chapters)
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{w.title}</title>'
        f'<meta name="author" content="{w.authors[0]}"></head>\n<body>\n<h1>{w.title}</h1>\n{chapters}\n'
        "</body></html>\n"
    )


# -- held-out-like variants: other Calibre versions, FanFiction.net via FanFicFare, bare books ---------


def _xhtml3(title: str, body: str) -> str:
    return _xhtml(title, body).replace(
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">',
    )


def _ao3_docs(w: Work, preface: str) -> list[str]:
    docs = [preface]
    docs += [f'<div class="userstuff">\n{ao3_chapter(w, i, c, True)}\n</div>' for i, c in enumerate(w.chapters, 1)]
    docs[1] = docs[1].replace('<div class="userstuff">', '<div id="chapters" class="userstuff">', 1)
    return [*docs, ao3_afterword(w, CURRENT)]


def ao3_epub_calibre_new(w: Work, path: Path) -> None:
    """A newer Calibre's AO3 EPUB 3: ``text/part0000.xhtml``, an SVG cover page first, a nav document, a guide,
    one creator refined as author, the series as ``belongs-to-collection``."""
    files = {
        "OEBPS/titlepage.xhtml": _xhtml3(
            "Cover",
            '<div class="calibre1"><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            ' viewBox="0 0 600 800"><image width="600" height="800" xlink:href="cover.jpeg"/></svg></div>',
        ),
        "OEBPS/nav.xhtml": _xhtml3(
            "Contents",
            '<nav epub:type="toc" id="toc"><ol><li><a href="text/part0000.xhtml">Preface</a></li>'
            '<li><a href="text/part0001.xhtml">Chapter 1: The Lamp</a></li></ol></nav>',
        ),
        "OEBPS/cover.jpeg": "not an image",
    }
    items = [("titlepage", "titlepage.xhtml", "application/xhtml+xml")]
    for n, body in enumerate(_ao3_docs(w, ao3_preface(w, CURRENT))):
        files[f"OEBPS/text/part{n:04d}.xhtml"] = _xhtml3(w.title, _flatten_classes(body))
        items.append((f"id{n}", f"text/part{n:04d}.xhtml", "application/xhtml+xml"))
    spine = [i for i, _, _ in items]
    items += [
        ("nav", "nav.xhtml", 'application/xhtml+xml" properties="nav'),
        ("cover", "cover.jpeg", 'image/jpeg" properties="cover-image'),
    ]
    meta = f"""    <dc:title>{html.escape(w.title)}</dc:title>
    <dc:creator id="create1">{", ".join(w.authors)}</dc:creator>
    <meta refines="#create1" property="role" scheme="marc:relators">aut</meta>
    <dc:description>{html.escape(w.summary)}</dc:description>
    <dc:publisher>Archive of Our Own</dc:publisher>
    <dc:identifier id="uuid_id">urn:uuid:0e0c3f4e-0000-4000-8000-000000004243</dc:identifier>
    <dc:language>en</dc:language>
    <dc:subject>Fanworks</dc:subject>
    <meta property="dcterms:modified">2024-04-20T00:00:00Z</meta>
    <meta property="belongs-to-collection" id="c01">Salt Roads</meta>
    <meta refines="#c01" property="collection-type">series</meta>
    <meta refines="#c01" property="group-position">2</meta>
    <meta name="cover" content="cover"/>"""
    opf = _opf(meta, items, spine, version="3.0").replace(
        "</package>", '  <guide><reference type="cover" href="titlepage.xhtml" title="Cover"/></guide>\n</package>'
    )
    files["OEBPS/content.opf"] = opf
    _write_epub(path, files, "OEBPS/content.opf")


def fff_ffn_epub3(path: Path) -> None:
    """FanFicFare EPUB 3 of a FanFiction.net story, title page labels renamed by the user, no dates."""
    entries = [
        ("Fandom", "Tidewatch"), ("Genre", "Adventure, Hurt/Comfort"), ("Ships", "Mara Q./Tobias W."),
        ("Rated", "K+"), ("Story Status", "Complete"), ("Word Count", "9"), ("Favs", "12"),
        ("Summary", "<p>A lantern, a storm.</p>"),
    ]  # fmt: skip
    page = "<div>\n" + "\n".join(f"<b>{k}:</b> {v}<br />" for k, v in entries) + "\n</div>"
    head = (
        '<h3><a href="https://www.fanfiction.net/s/555/1/">Harbour Lights</a> by '
        '<a class="authorlink" href="https://www.fanfiction.net/u/1/Gull">Gull</a></h3>'
    )
    files = {"OEBPS/title_page.xhtml": _fff_xhtml("Harbour Lights", "fff_titlepage", head + page)}
    items = [("title_page", "OEBPS/title_page.xhtml", "application/xhtml+xml")]
    chapters = [
        ("1. Prologue", ["<p>Chapter 1: Prologue</p>", "<p>The lantern was old.</p>"]),
        ("2. Storm", ["<p>It rained.</p>", "<div class='center'>* * *</div>", "<p>It stopped, finally.</p>"]),
    ]
    for i, (title, paras) in enumerate(chapters, 1):
        body = (
            f'<h3 class="fff_chapter_title">{title}</h3>\n'
            f'<div id="storytextp"><div id="storytext">{"".join(paras)}</div></div>'
        )
        metas = f'<meta name="chapterurl" content="https://www.fanfiction.net/s/555/{i}/"/>'
        files[f"OEBPS/file{i:04d}.xhtml"] = _fff_xhtml(title, "fff_chapter", body, metas)
        items.append((f"file{i:04d}", f"OEBPS/file{i:04d}.xhtml", "application/xhtml+xml"))
    meta = "\n".join(
        [
            '    <dc:identifier id="fanficfare-uid">fanficfare-uid:www.fanfiction.net-u1-s555</dc:identifier>',
            "    <dc:title>Harbour Lights</dc:title>",
            '    <dc:creator id="id-1">Gull</dc:creator>',
            '    <dc:contributor id="id-2">FanFicFare [https://github.com/JimmXinu/FanFicFare]</dc:contributor>',
            "    <dc:language>en</dc:language>",
            "    <dc:publisher>www.fanfiction.net</dc:publisher>",
            "    <dc:subject>FanFiction</dc:subject>",
            "    <dc:identifier>URL:https://www.fanfiction.net/s/555/1/</dc:identifier>",
            '    <meta property="dcterms:modified">2024-06-01T00:00:00Z</meta>',
        ]
    )
    files["content.opf"] = _opf(meta, items, [i for i, _, _ in items], version="3.0")
    _write_epub(path, files, "content.opf")


def bare_epub(path: Path, nav: bool) -> None:
    """A Calibre book whose chapter files have no headings: titles only in the NCX, or only in an EPUB 3 nav."""
    texts = [["The first file has no heading.", "It just starts."], ["Second file, also bare."], ["Third and last."]]
    titles = ["Morning", "Noon", "Night"]
    files, items = {}, []
    for i, paras in enumerate(texts, 1):
        files[f"index_split_{i:03d}.html"] = _xhtml("Book", "".join(f'<p class="calibre1">{p}</p>' for p in paras))
        items.append((f"h{i}", f"index_split_{i:03d}.html", "application/xhtml+xml"))
    spine = [i for i, _, _ in items]
    if nav:
        links = "".join(f'<li><a href="index_split_{i:03d}.html#top">{t}</a></li>' for i, t in enumerate(titles, 1))
        files["nav.xhtml"] = _xhtml3("Nav", f'<nav epub:type="toc"><ol>{links}</ol></nav>')
        items.append(("nav", "nav.xhtml", 'application/xhtml+xml" properties="nav'))
    else:
        points = "".join(
            f'<navPoint id="n{i}" playOrder="{i}"><navLabel><text>{t}</text></navLabel>'
            f'<content src="index_split_{i:03d}.html"/></navPoint>'
            for i, t in enumerate(titles, 1)
        )
        files["toc.ncx"] = (
            '<?xml version="1.0" encoding="utf-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
            f'version="2005-1"><navMap>{points}</navMap></ncx>'
        )
        items.append(("ncx", "toc.ncx", "application/x-dtbncx+xml"))
    meta = (
        "    <dc:title>Bare Book</dc:title>\n"
        '    <dc:creator opf:role="aut" opf:file-as="Doe, Jan">Jan Doe</dc:creator>\n'
        '    <dc:creator opf:role="edt">An Editor</dc:creator>\n    <dc:language>eng</dc:language>'
    )
    _write_epub(path, {**files, "content.opf": _opf(meta, items, spine)}, "content.opf")


def mobi_converted_epub(path: Path) -> None:
    """A MOBI converted by Calibre: the whole book in one file, chapters marked only by ``filepos`` anchors
    the NCX points at, and the author's chapter lines as plain paragraphs."""
    chapters = [("Chapter 1", ["Wren woke to the sound of rigging.", "The ship had moved in the night."]),
                ("Chapter 2", ["Nobody on deck would say where they were.", "Wren stopped asking."])]  # fmt: skip
    body = ['<p class="calibre_1">Tidewater Letters</p>', '<p class="calibre_2">by Ines Marlow</p>']
    points = []
    for i, (title, paras) in enumerate(chapters, 1):
        body.append(f'<p class="calibre_3" id="filepos{i * 1000}"><span class="bold">{title}</span></p>')
        body += [f'<p class="calibre_4">{p}</p>' for p in paras]
        points.append(
            f'<navPoint id="n{i}" playOrder="{i}"><navLabel><text>{title}</text></navLabel>'
            f'<content src="index.html#filepos{i * 1000}"/></navPoint>'
        )
    ncx = (
        '<?xml version="1.0" encoding="utf-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
        f'version="2005-1"><navMap>{"".join(points)}</navMap></ncx>'
    )
    items = [("html", "index.html", "application/xhtml+xml"), ("ncx", "toc.ncx", "application/x-dtbncx+xml")]
    meta = "    <dc:title>Tidewater Letters</dc:title>\n    <dc:creator>Ines Marlow</dc:creator>"
    files = {"index.html": _xhtml("Tidewater Letters", "\n".join(body)), "toc.ncx": ncx}
    _write_epub(path, {**files, "content.opf": _opf(meta, items, ["html"])}, "content.opf")


def _epub_files(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n not in ("mimetype", "META-INF/container.xml")}


def fff_epub_calibre(w: Work, path: Path) -> None:
    """A FanFicFare EPUB after Calibre converted it: body classes "calibre", other classes numbered, the
    documents renamed ``index_split_NNN.html`` (so neither class names nor file names say what a page is)."""
    fff_epub(w, path)
    files = _epub_files(path)
    opf = files.pop("content.opf")
    renamed = {n: f"OEBPS/index_split_{i:03d}.html" for i, n in enumerate(sorted(n for n in files if "xhtml" in n))}
    for old, new in renamed.items():
        opf = opf.replace(old, new)
    out = {"content.opf": opf}
    for name, text in files.items():
        text = re.sub(r'<body class="[^"]*"', '<body class="calibre"', text)
        for n, cls in enumerate(("fff_chapter_title", "fff_chapter_notes fff_head_notes", "fff_chapter_notes "
                                 "fff_foot_notes", "userstuff module"), 1):  # fmt: skip
            text = text.replace(f'class="{cls}"', f'class="{cls.split()[0]}{n}"')
        out[renamed.get(name, name)] = text
    _write_epub(path, out, "content.opf")


def ao3_epub_front_pages(w: Work, path: Path) -> None:
    """An AO3 EPUB with four pages (cover, title page, jacket, about) before the preface."""
    ao3_epub(w, path)
    files = _epub_files(path)
    pages = ["cover_page.xhtml", "titlepage.xhtml", "jacket.xhtml", "about.xhtml"]
    for i, name in enumerate(pages):
        files[name] = _xhtml("Front", f"<div><p>Front page {i}</p></div>")
    items = "".join(
        f'\n    <item id="f{i}" href="{n}" media-type="application/xhtml+xml"/>' for i, n in enumerate(pages)
    )
    refs = "".join(f'\n    <itemref idref="f{i}"/>' for i in range(len(pages)))
    opf = files["content.opf"].replace("<manifest>", "<manifest>" + items)
    files["content.opf"] = opf.replace('<spine toc="ncx">', '<spine toc="ncx">' + refs)
    _write_epub(path, files, "content.opf")


def variant_epubs(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ao3_epub_calibre_new(LEDGER, out / "ao3_calibre_new.epub")
    fff_ffn_epub3(out / "fff_ffn_epub3.epub")
    bare_epub(out / "bare_ncx.epub", nav=False)
    bare_epub(out / "bare_nav.epub", nav=True)
    mobi_converted_epub(out / "mobi_converted.epub")
    fff_epub_calibre(LEDGER, out / "fff_calibre.epub")
    ao3_epub_front_pages(LEDGER, out / "ao3_front_pages.epub")


# -- the benchmark book -------------------------------------------------------------------------------


def big_work(words: int = 100_000) -> Work:
    """A long work made by repeating the Ledger's chapters: about ``words`` words in 40 chapters."""
    base = LEDGER.chapters
    per = sum(len(_strip(p).split()) for c in base for p in c.paragraphs if not _divider(p))
    rounds = max(1, words // per)
    chapters = []
    for r in range(40):
        paras = [p for _ in range(rounds // 40 + 1) for c in base for p in c.paragraphs]
        chapters.append(Chapter(f"Part {r + 1}", paras))
    big = Work(**{**LEDGER.__dict__, "chapters": chapters})
    return big


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", type=Path, help="write big.epub and big.txt (benchmark input) into this folder")
    args = ap.parse_args()
    if args.big:
        args.big.mkdir(parents=True, exist_ok=True)
        w = big_work()
        ao3_epub(w, args.big / "big.epub", split_chapter=None)
        (args.big / "big.txt").write_text(fff_txt(w), encoding="utf-8")
        print(f"{args.big}/big.epub: {w.words()} words")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    wip = Work(**{**LEDGER.__dict__, "chapters": LEDGER.chapters[:2], "wip": True})
    texts = {
        "ao3_current.html": ao3_html(LEDGER, CURRENT),
        "ao3_2019.html": ao3_html(LEDGER, OLD_2019),
        "ao3_oneshot_2023.html": ao3_html(ONESHOT, STYLE_2023),
        "ao3_wip.html": ao3_html(wip, CURRENT),
        "ao3_web.html": ao3_web(LEDGER),
        "fff_ao3.html": fff_html(LEDGER),
        "fff_ao3.txt": fff_txt(LEDGER),
        "book.html": generic_html(BOOK),
    }
    for name, text in texts.items():
        (OUT / name).write_bytes(text.encode("utf-8"))
    ao3_epub(LEDGER, OUT / "ao3.epub")
    ao3_epub(ONESHOT, OUT / "ao3_oneshot.epub", split_chapter=None)
    fff_epub(LEDGER, OUT / "fff_ao3.epub")
    fff_epub(LEDGER, OUT / "fff_ao3_table.epub", use_table=True)
    generic_epub(BOOK, OUT / "book.epub")
    with zipfile.ZipFile(OUT / "bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("ao3_current.html", "book.epub", "fff_ao3.txt"):
            z.writestr(zipfile.ZipInfo(f"downloads/{name}", ZIP_DATE), (OUT / name).read_bytes(), zipfile.ZIP_DEFLATED)
    variant_epubs(OUT / "variants")  # the hand-written HTML/TXT variants beside them are kept as files
    print(f"wrote {len(texts) + 13} fixtures to {OUT}")


if __name__ == "__main__":
    main()
