"""AO3, FanFicFare and generic e-book readers on the fixtures built by scripts/make_fixtures.py."""

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from test_reader_safety import rewrite_epub

import ficlens

FIX = Path(__file__).parent / "fixtures" / "formats"

CONTRACT = (
    "title authors summary notes fandoms relationships characters rating warnings categories additional_tags "
    "language words chapter_count complete source_url work_id site"
).split()

LEDGER = {
    "title": "The Lighthouse Ledger",
    "authors": ["saltwrit"],
    "summary": "Mara keeps the light. Tobias keeps the books.\n\nNeither of them keeps quiet.",
    "notes": ["Written for the winter swap. Thanks to R. for the beta!"],
    "fandoms": ["Tidewatch (TV)"],
    "relationships": ["Mara Quill/Tobias Wren", "Edda Quill & Mara Quill"],
    "characters": ["Mara Quill", "Tobias Wren", "Edda Quill"],
    "rating": "Teen And Up Audiences",
    "warnings": ["Choose Not To Use Archive Warnings"],
    "categories": ["F/M", "Gen"],
    "additional_tags": ["Alternate Universe - Canon Divergence", "Slow Burn", "Lighthouses"],
    "language": "English",
    "words": 254,
    "chapter_count": 3,
    "complete": True,
    "source_url": "https://archiveofourown.org/works/4242",
    "work_id": "4242",
    "site": "archiveofourown.org",
}
LEDGER_END_NOTES = "Thank you for reading. The ledger is real; the storm is not."
LEDGER_RENDERINGS = {
    "ao3_current.html": "ao3_html",
    "ao3.epub": "ao3_epub",
    "ao3_web.html": "ao3_web",
    "fff_ao3.epub": "fanficfare_epub",
    "fff_ao3_table.epub": "fanficfare_epub",
    "fff_ao3.html": "fanficfare_html",
}


def contract(story) -> dict:
    return {k: getattr(story.meta, k) for k in CONTRACT}


def chapter_texts(story) -> list[str]:
    return [story.text[c.start : c.end] for c in story.spans("chapters")]


@pytest.mark.parametrize("name", LEDGER_RENDERINGS)
def test_every_rendering_of_the_work_gives_the_same_metadata(name):
    story = ficlens.read(FIX / name)
    assert story.meta.extra["format"] == LEDGER_RENDERINGS[name]
    assert contract(story) == LEDGER
    assert story.meta.extra["end_notes"] == LEDGER_END_NOTES
    assert story.meta.extra["series"][0]["name"] == "Salt Roads"
    assert story.meta.extra["series"][0]["part"] == 2
    assert story.meta.extra["published"] == "2024-03-02"


def test_chapter_text_is_identical_across_html_epub_and_fanficfare():
    texts = {name: chapter_texts(ficlens.read(FIX / name)) for name in [*LEDGER_RENDERINGS, "ao3_2019.html"]}
    reference = texts.pop("ao3_current.html")
    assert len(reference) == 3
    assert reference[0].startswith("The lamp at Gullrock had not gone dark")
    assert reference[2].endswith("Gullrock: kept.")
    for name, chapters in texts.items():
        assert chapters == reference, name


def test_notes_and_summaries_stay_out_of_the_prose_and_go_to_metadata():
    for name in LEDGER_RENDERINGS:
        story = ficlens.read(FIX / name)
        assert "winter swap" not in story.text and "Next time" not in story.text, name
        chapters = story.meta.extra["chapters"]
        assert chapters[0]["summary"] == "Mara climbs the tower; Tobias opens the book.", name
        assert chapters[0]["notes"] == "Gullrock is loosely based on a real lighthouse.", name
        assert chapters[0]["end_notes"] == "Next time: the storm.", name
        assert chapters[1]["notes"] == "Weather research courtesy of my uncle.", name
        assert chapters[2]["end_notes"] == "The end! Comments make my day.", name


def test_2019_download_singular_labels_http_and_no_language_row():
    story = ficlens.read(FIX / "ao3_2019.html")
    expected = {**LEDGER, "language": None, "source_url": "http://archiveofourown.org/works/4242"}
    assert contract(story) == expected
    assert story.meta.extra["collections"] == ["Winter Swap 2024"]
    assert "as_written" not in story.meta.extra  # the raw name is already current


def test_display_warning_is_normalised_and_the_original_kept():
    story = ficlens.read(FIX / "ao3_current.html")
    assert story.meta.extra["as_written"] == {"warnings": ["Creator Chose Not To Use Archive Warnings"]}
    assert story.meta.extra["romantic"] == ["Mara Quill/Tobias Wren"]
    assert story.meta.extra["platonic"] == ["Edda Quill & Mara Quill"]
    assert story.meta.extra["pairing_characters"] == ["Mara Quill", "Tobias Wren", "Edda Quill"]


ONESHOT = {
    "title": "Salt and Static",
    "authors": ["saltwrit", "nightferry"],
    "summary": "Edda hears a voice on the emergency band.",
    "notes": [],
    "fandoms": ["Tidewatch (TV)", "Radio Nights (Podcast)"],
    "relationships": ["Edda Quill & Hal Sorrow"],
    "characters": ["Edda Quill", "Hal Sorrow"],
    "rating": "Mature",
    "warnings": ["Graphic Depictions Of Violence", "Underage Sex"],
    "categories": ["Gen"],
    "additional_tags": ["Crossover", "Radio"],
    "language": "English",
    "words": 39,
    "chapter_count": 1,
    "complete": True,
    "source_url": "http://archiveofourown.org/works/9001",
    "work_id": "9001",
    "site": "archiveofourown.org",
}


@pytest.mark.parametrize("name", ["ao3_oneshot_2023.html", "ao3_oneshot.epub"])
def test_one_shot_has_one_untitled_chapter_and_current_warning_names(name):
    story = ficlens.read(FIX / name)
    url = "https" if name.endswith(".epub") else "http"
    assert contract(story) == {**ONESHOT, "source_url": f"{url}://archiveofourown.org/works/9001"}
    assert story.meta.extra["as_written"]["warnings"] == ["Graphic Depictions Of Violence", "Underage"]
    (chapter,) = story.spans("chapters")
    assert chapter.attrs["title"] is None
    assert story.text.startswith("The radio in the keeper\u2019s cottage")  # the invisible toc heading is not text


def test_work_in_progress_stats():
    story = ficlens.read(FIX / "ao3_wip.html")
    assert (story.meta.chapter_count, story.meta.complete, story.meta.words) == (2, False, 213)
    assert story.meta.extra["chapters_expected"] is None
    assert story.meta.extra["updated"] == "2024-04-10"
    assert "stats_mismatch" not in story.meta.extra


def test_layers_come_from_the_markup():
    story = ficlens.read(FIX / "ao3.epub")
    front = [(s.label, story.span_text(s)) for s in story.spans("front_matter")]
    assert front == [
        ("heading", "Chapter 1: The Lamp"),
        ("divider", "* * *"),
        ("heading", "Chapter 2: The Storm"),
        ("divider", "~o~"),
        ("heading", "Chapter 3: The Entry"),
    ]
    assert [c.attrs["title"] for c in story.spans("chapters")] == [t for _, t in front if t.startswith("Chapter")]
    assert len(story.spans("scenes")) == 5
    assert len(story.spans("paragraphs")) == 14
    italics = [story.span_text(s) for s in story.spans("italics")]
    assert "She has not slept" in italics and "Gullrock: kept" in italics
    assert all(not story.span_text(p).startswith("Chapter") for p in story.spans("paragraphs"))


def test_calibre_split_mid_chapter_keeps_the_chapter_whole():
    story = ficlens.read(FIX / "ao3.epub")
    second = chapter_texts(story)[1]
    assert "Did you bring it?" in second and second.endswith("Tobias wrote all three in black.")


def test_fanficfare_chapter_urls_and_packaged_date():
    story = ficlens.read(FIX / "fff_ao3.epub")
    assert story.meta.extra["chapters"][0]["url"] == "https://archiveofourown.org/works/4242/chapters/101"
    assert story.meta.extra["packaged"] == "2024-05-01 10:00:00"
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["1. The Lamp", "2. The Storm", "3. The Entry"]


BOOK = {
    "title": "Notes from the Breakwater",
    "authors": ["Ines Marlow"],
    "words": 32,
    "chapter_count": 2,
}


@pytest.mark.parametrize("name, fmt", [("book.epub", "epub"), ("book.html", "html")])
def test_generic_book_chapters_from_headings(name, fmt):
    story = ficlens.read(FIX / name)
    assert story.meta.extra["format"] == fmt
    assert {k: getattr(story.meta, k) for k in BOOK} == BOOK
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["I. The First Letter", "II. The Second Letter"]
    assert chapter_texts(story)[1].endswith("We mended it with stones and stubbornness.")
    if fmt == "epub":
        assert story.meta.language == "English" and story.meta.extra["as_written"] == {"language": "en"}
        assert story.meta.summary == "Two letters from a harbour town."
        assert story.meta.additional_tags == ["Fiction", "Sea stories"]


def test_format_is_sniffed_from_content_not_extension(tmp_path):
    disguised = tmp_path / "story.txt"
    shutil.copy(FIX / "ao3.epub", disguised)
    assert ficlens.read(disguised).meta.extra["format"] == "ao3_epub"
    html_as_epub = tmp_path / "story.epub"
    shutil.copy(FIX / "fff_ao3.html", html_as_epub)
    assert ficlens.read(html_as_epub).meta.extra["format"] == "fanficfare_html"


def test_zip_holding_one_story_reads_as_that_story(tmp_path):
    one = tmp_path / "one.zip"
    with zipfile.ZipFile(one, "w") as z:
        z.write(FIX / "ao3_current.html", "Lighthouse.html")
    story = ficlens.read(one)
    assert story.meta.title == "The Lighthouse Ledger"
    assert story.source.endswith("one.zip!Lighthouse.html")


def _variant(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = (FIX / name).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    out = tmp_path / name
    out.write_text(text, encoding="utf-8")
    return out


def test_other_otw_archive_untitled_chapter_with_co_creator(tmp_path):
    path = _variant(
        tmp_path,
        "ao3_current.html",
        ("archiveofourown.org", "squidgeworld.org"),
        ("Archive of Our Own", "SquidgeWorld Archive"),
        (
            '<h2 class="heading">Chapter 2: The Storm</h2>',
            '<h2 class="heading">Chapter 2</h2>\n<p class="byline">Chapter by nightferry</p>',
        ),
    )
    story = ficlens.read(path)
    assert (story.meta.site, story.meta.work_id) == ("squidgeworld.org", "4242")
    assert [c.attrs["title"] for c in story.spans("chapters")][1] == "Chapter 2"
    assert story.meta.extra["chapters"][1]["by"] == "nightferry"
    assert chapter_texts(story) == chapter_texts(ficlens.read(FIX / "ao3_current.html"))


def test_associations_and_inspired_works(tmp_path):
    path = _variant(
        tmp_path,
        "ao3_current.html",
        (
            '<div class="byline">',
            "<ul><li>Translation into Fran\u00e7ais available: Le Registre by traductrice</li></ul>\n"
            '<div class="byline">',
        ),
        (
            '  </div>\n  <p class="message">Please',
            "  <dl><dt>Works inspired by this one</dt><dd>The Keeper's Daughter by gullwing</dd></dl>\n"
            '  </div>\n  <p class="message">Please',
        ),
    )
    extra = ficlens.read(path).meta.extra
    assert extra["associations"] == ["Translation into Fran\u00e7ais available: Le Registre by traductrice"]
    assert extra["inspired_works"] == ["The Keeper's Daughter by gullwing"]


def test_stated_stats_that_disagree_with_the_text_are_flagged(tmp_path):
    path = _variant(tmp_path, "ao3_current.html", ("Words: 254", "Words: 2,540"))
    story = ficlens.read(path)
    assert story.meta.words == 2540 and story.meta.extra["words_counted"] == 254
    assert story.meta.extra["stats_mismatch"] == "file says 2540 words, the text has 254"


def test_fanficfare_renamed_labels(tmp_path):
    path = _variant(
        tmp_path,
        "fff_ao3.html",
        ("<b>Relationships:</b>", "<b>Pairings:</b>"),
        ("<b>Category:</b>", "<b>Fandoms:</b>"),
    )
    story = ficlens.read(path)
    assert story.meta.relationships == LEDGER["relationships"] and story.meta.fandoms == LEDGER["fandoms"]


def test_fanficfare_notes_found_after_calibre_flattened_their_classes(tmp_path):
    with zipfile.ZipFile(FIX / "fff_ao3.epub") as z:
        chapters = {n: z.read(n) for n in z.namelist() if n.startswith("OEBPS/file")}
    flattened = {
        n: d.replace(b"fff_chapter_notes fff_head_notes", b"fff_chapter_notes1").replace(
            b"fff_chapter_notes fff_foot_notes", b"fff_chapter_notes2"
        )
        for n, d in chapters.items()
    }
    story = ficlens.read(rewrite_epub(FIX / "fff_ao3.epub", tmp_path / "flat.epub", flattened))
    assert contract(story) == LEDGER
    assert story.meta.extra["chapters"][0]["end_notes"] == "Next time: the storm."
    assert story.meta.extra["end_notes"] == LEDGER_END_NOTES


def test_author_chapter_headings_inside_the_text_do_not_split_chapters(tmp_path):
    first = "<p>The lamp at Gullrock"
    path = _variant(tmp_path, "ao3_current.html", (first, "<h2>Chapter 1</h2>\n<p><b>Chapter One</b></p>\n" + first))
    story = ficlens.read(path)
    assert len(story.spans("chapters")) == 3
    front = [(s.label, story.span_text(s)) for s in story.spans("front_matter")]
    assert ("heading", "Chapter 1") in front and ("heading", "Chapter One") in front  # headings, not prose
    assert chapter_texts(story)[0].startswith("The lamp at Gullrock")


def test_xhtml_that_is_not_well_formed_falls_back_to_the_html_parser(tmp_path):
    path = _variant(tmp_path, "ao3_current.html", ("<p>Every ship that passed", "<p><br>Every ship that passed"))
    story = ficlens.read(path)
    assert contract(story) == LEDGER
    assert chapter_texts(story) == chapter_texts(ficlens.read(FIX / "ao3_current.html"))


def test_download_without_a_chapters_div_still_finds_its_chapters(tmp_path):
    path = _variant(tmp_path, "ao3_current.html", ('<div id="chapters" class="userstuff">', '<div class="userstuff">'))
    story = ficlens.read(path)
    assert chapter_texts(story) == chapter_texts(ficlens.read(FIX / "ao3_current.html"))


def test_unknown_chapter_layout_keeps_metadata_and_still_reads_the_text(tmp_path):
    path = _variant(tmp_path, "ao3_current.html", ('<div class="userstuff">\n<p>', "<article>\n<p>"))
    story = ficlens.read(path)
    assert contract(story)["fandoms"] == LEDGER["fandoms"] and story.meta.work_id == "4242"
    assert "The lamp at Gullrock had not gone dark" in story.text and story.spans("paragraphs")


def test_ao3_epub_without_preface_tags_falls_back_to_opf_subjects(tmp_path):
    with zipfile.ZipFile(FIX / "ao3.epub") as z:
        preface = z.read("index_split_000.html")
    stripped = re.sub(rb"<dl.*?</dl>", b"", preface, flags=re.S)
    story = ficlens.read(rewrite_epub(FIX / "ao3.epub", tmp_path / "old.epub", {"index_split_000.html": stripped}))
    m = story.meta
    assert (m.rating, m.warnings, m.categories) == (LEDGER["rating"], LEDGER["warnings"], LEDGER["categories"])
    assert m.relationships == LEDGER["relationships"]
    assert m.characters == LEDGER["characters"]  # the names the pairings hold
    assert m.additional_tags == ["Tidewatch (TV)", *LEDGER["additional_tags"]]  # a fandom cannot be told apart
    assert (m.authors, m.language, m.words, m.chapter_count) == (["saltwrit"], "English", 254, 3)
    assert m.extra["series"] == [{"name": "Salt Roads", "part": 2, "url": None, "id": None}]


def test_opf_subjects_that_a_fandom_pack_knows_are_fandoms(tmp_path):
    with zipfile.ZipFile(FIX / "ao3.epub") as z:
        preface, opf = z.read("index_split_000.html"), z.read("content.opf")
    opf = opf.replace(b"<dc:subject>Fanworks</dc:subject>",
                      b"<dc:subject>Fanworks</dc:subject><dc:subject>Harry Potter - J. K. Rowling</dc:subject>")
    changed = {"index_split_000.html": re.sub(rb"<dl.*?</dl>", b"", preface, flags=re.S), "content.opf": opf}
    m = ficlens.read(rewrite_epub(FIX / "ao3.epub", tmp_path / "hp.epub", changed)).meta
    assert m.fandoms == ["Harry Potter - J. K. Rowling"] and "Harry Potter - J. K. Rowling" not in m.additional_tags


def test_word_documents_say_how_to_make_them_readable(tmp_path):
    docx = tmp_path / "chapter.docx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ficlens.FiclensError, match="save it as HTML or plain text"):
        ficlens.read(docx)
