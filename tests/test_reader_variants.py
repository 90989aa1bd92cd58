"""Files shaped like the ones fans really have, beyond the main fixtures: older and newer AO3 templates,
other encodings, saved pages with the site around them, FanFiction.net through FanFicFare, bare e-books.

The HTML/TXT variants are hand-written files in fixtures/formats/variants/; the EPUBs there are built by
scripts/make_fixtures.py. All text is original.
"""

from pathlib import Path

import pytest
from test_reader_formats import LEDGER, chapter_texts, contract

import ficlens

VAR = Path(__file__).parent / "fixtures" / "formats" / "variants"
FIX = VAR.parent


def meta(story, *keys: str) -> dict:
    return {k: getattr(story.meta, k) for k in keys}


def front(story) -> list[tuple[str, str]]:
    return [(s.label, story.span_text(s)) for s in story.spans("front_matter")]


def test_pre_2019_tag_soup_download_with_missing_rows_anonymous_and_br_lines():
    story = ficlens.read(VAR / "ao3_2016_soup.html")
    assert meta(story, "authors", "relationships", "characters", "language", "words", "work_id") == {
        "authors": ["Anonymous"], "relationships": [], "characters": [], "language": None, "words": 61,
        "work_id": "6061",
    }  # fmt: skip
    assert story.meta.additional_tags == ["Fluff", "Ferries & Boats"]
    assert [c.attrs["title"] for c in story.spans("chapters")] == [
        "Chapter 1: The 6:15", "Chapter 2: 1999: Part Two", "Chapter 3",
    ]  # fmt: skip
    assert story.meta.extra["end_notes"] == "No ferries were harmed." and story.meta.notes == []
    assert chapter_texts(story)[1].startswith("Nell counted the timetable twice.\nArrivals: four.\nDepartures:")
    assert "The harbourmaster\u2019s dog" in story.text and "&#" not in story.text
    assert [story.span_text(s) for s in story.spans("italics")] == ["Someone is staying,"]
    assert "stats_mismatch" not in story.meta.extra


def test_cp1252_bytes_under_a_utf8_declaration_multifandom_orphan_and_pseud():
    story = ficlens.read(VAR / "ao3_cp1252_wrong_charset.html")
    assert story.meta.title == "\u201cCaf\u00e9\u201d Society"
    assert story.meta.authors == ["orphan_account", "Wren (quillfeather)"]
    assert len(story.meta.fandoms) == 4 and story.meta.fandoms[2] == "Caf\u00e9 Noir - \u00c9lodie Brun"
    assert story.meta.relationships[2] == "Kit | The Barista/\u00c9lodie Brun/Mara Quill"
    assert story.meta.extra["pairing_characters"][-1] == "Kit | The Barista"
    assert [s["part"] for s in story.meta.extra["series"]] == [3, 1]
    assert story.text.startswith("\u201cThe usual,\u201d said Mara, and \u00c9lodie")


def test_bom_cjk_emoji_rtl_and_a_one_chapter_work_with_a_chapter_heading():
    story = ficlens.read(VAR / "ao3_unicode_bom.html")
    assert meta(story, "title", "language", "words", "chapter_count") == {
        "title": "\u706f\u53f0\u306e\u8a18\u9332 \U0001f30a", "language": "\u65e5\u672c\u8a9e", "words": 35,
        "chapter_count": 1,
    }  # fmt: skip
    assert "\u062a\u0631\u062c\u0645\u0629" in story.meta.additional_tags
    assert "stats_mismatch" not in story.meta.extra  # CJK counted per character, as AO3 does
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["Chapter 1: \u7b2c\u4e00\u7ae0\uff1a\u5149"]
    assert not story.text.startswith("\ufeff")


def test_saved_work_page_with_site_chrome_relative_links_and_untitled_chapter():
    story = ficlens.read(VAR / "ao3_web_chrome.html")
    assert meta(story, "source_url", "work_id", "site", "complete", "chapter_count", "words") == {
        "source_url": "https://archiveofourown.org/works/31337", "work_id": "31337", "site": "archiveofourown.org",
        "complete": False, "chapter_count": 2, "words": 27,
    }  # fmt: skip
    assert story.meta.authors == ["nightferry (ferrywriter)", "saltwrit"]
    assert story.meta.warnings == ["Rape/Non-Con", "Underage Sex"]
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["Chapter 1", "Chapter 2: Slack Water: 2 a.m."]
    for chrome in ("Log In", "Kudos", "I cried", "Site Map", "Entire Work", "not text"):
        assert chrome not in story.text


FFN = {
    "title": "Harbour Lights",
    "authors": ["Gullwing42"],
    "fandoms": ["Tidewatch"],
    "relationships": ["Mara Q./Tobias W."],
    "characters": ["Mara Q.", "Tobias W.", "Edda Q."],
    "rating": "Teen And Up Audiences",
    "additional_tags": ["Adventure", "Hurt/Comfort"],
    "complete": False,
    "work_id": "13570001",
    "site": "www.fanfiction.net",
}


@pytest.mark.parametrize("name", ["fff_ffn.html", "fff_ffn.txt"])
def test_fanficfare_fanfiction_net_story(name):
    story = ficlens.read(VAR / name)
    assert meta(story, *FFN) == FFN
    assert story.meta.extra["reviews"] == "395"


def test_fanficfare_html_author_chapter_heading_and_notes_are_not_prose():
    story = ficlens.read(VAR / "fff_ffn.html")
    assert ("heading", "Chapter One") in front(story)
    assert chapter_texts(story)[0].startswith("The lantern was older than the harbour.")
    assert story.meta.notes[1].startswith("AN: thanks for all the reviews")
    assert "stats_mismatch" not in story.meta.extra


def test_fanficfare_txt_author_chapter_heading_stays_inside_its_chapter():
    story = ficlens.run(ficlens.read(VAR / "fff_ffn.txt"), ["structure"])
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["1. Prologue", "2. The Lantern: Part 1"]
    assert ("heading", "Chapter One") in front(story)


def test_fanficfare_epub3_with_renamed_labels():
    story = ficlens.read(VAR / "fff_ffn_epub3.epub")
    assert meta(story, "rating", "complete", "words", "work_id", "relationships", "fandoms") == {
        "rating": "General Audiences", "complete": True, "words": 9, "work_id": "555",
        "relationships": ["Mara Q./Tobias W."], "fandoms": ["Tidewatch"],
    }  # fmt: skip
    assert chapter_texts(story)[0] == "The lantern was old."


def test_newer_calibre_ao3_epub3_reads_like_the_html_download():
    story = ficlens.read(VAR / "ao3_calibre_new.epub")
    assert contract(story) == LEDGER
    assert chapter_texts(story) == chapter_texts(ficlens.read(FIX / "ao3_current.html"))


@pytest.mark.parametrize("name", ["fff_calibre.epub", "ao3_front_pages.epub"])
def test_calibre_renamed_classes_and_files_or_added_front_pages(name):
    story = ficlens.read(VAR / name)
    assert contract(story) == LEDGER
    assert chapter_texts(story) == chapter_texts(ficlens.read(FIX / "ao3_current.html"))
    assert story.meta.extra["chapters"][0]["end_notes"] == "Next time: the storm."


@pytest.mark.parametrize("name", ["bare_ncx.epub", "bare_nav.epub"])
def test_epub_without_headings_takes_chapters_from_its_table_of_contents(name):
    story = ficlens.read(VAR / name)
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["Morning", "Noon", "Night"]
    assert chapter_texts(story)[1] == "Second file, also bare."
    assert story.meta.authors == ["Jan Doe"] and story.meta.language == "English"  # editor dropped, "eng" named


def test_single_file_novel_toc_and_byline_are_not_prose():
    story = ficlens.read(VAR / "novel_h2.html")
    assert story.meta.authors == ["Perpetua Vane"]
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["One: Frost", "Two: Thaw"]
    assert ("header", "by Perpetua Vane") in front(story) and "Contents" not in story.text


def test_project_gutenberg_html_without_its_licence():
    story = ficlens.read(VAR / "gutenberg.html")
    assert meta(story, "title", "authors", "language") == {
        "title": "The Weir Keeper", "authors": ["Tobias Marchbank"], "language": "English",
    }  # fmt: skip
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["CHAPTER I. THE FLOOD", "CHAPTER II. THE MILLER"]
    assert "Gutenberg" not in story.text and "CONTENTS" not in story.text


def test_journal_style_header_lines_are_metadata_not_prose():
    story = ficlens.read(VAR / "lj_header.html")
    assert meta(story, "title", "authors", "fandoms", "relationships", "rating", "summary", "words") == {
        "title": "The Keeper's Tally", "authors": ["gullwing"], "fandoms": ["Tidewatch"],
        "relationships": ["Mara/Tobias"], "rating": "PG-13", "summary": "Mara counts ships. Tobias counts Mara.",
        "words": 31,
    }  # fmt: skip
    assert story.meta.extra["disclaimer"] == "Not mine, no profit."
    assert story.text.split("\n\n")[0].startswith("Title: ") and front(story)[0][0] == "header"
    assert chapter_texts(story)[0].startswith("Mara counted nine ships")


def test_utf16_html_is_sniffed_as_html(tmp_path):
    path = tmp_path / "novel.htm"
    path.write_bytes((VAR / "novel_h2.html").read_text(encoding="utf-8").encode("utf-16"))
    story = ficlens.read(path)
    assert story.meta.extra["format"] == "html"
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["One: Frost", "Two: Thaw"]


def test_converted_mobi_chapters_start_at_the_anchors_its_toc_points_at():
    story = ficlens.read(VAR / "mobi_converted.epub")
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["Chapter 1", "Chapter 2"]
    assert chapter_texts(story)[1] == "Nobody on deck would say where they were.\n\nWren stopped asking."
    assert front(story)[:3] == [("header", "Tidewater Letters"), ("header", "by Ines Marlow"), ("heading", "Chapter 1")]


def test_cp1252_tag_soup_without_any_charset(tmp_path):
    text = (VAR / "ao3_2016_soup.html").read_text(encoding="utf-8")
    text = text.replace('<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">', "")
    path = tmp_path / "soup.html"
    words = "so did the dog \u2014 na\u00efve, \u201cloyal\u201d."
    path.write_bytes(text.replace("so did the dog.", words).encode("cp1252"))
    story = ficlens.read(path)
    assert words in chapter_texts(story)[2]
    assert story.meta.work_id == "6061"
