"""HTML to text with offsets: paragraphs, scene breaks, italics, line breaks; generic HTML stories."""

from pathlib import Path

import pytest

import ficlens
from ficlens.readers.markup import parse_html, parse_markup
from ficlens.readers.render import TextBuilder, is_divider
from ficlens.story import Metadata


def render(markup: str):
    b = TextBuilder()
    b.content(parse_html(markup))
    return b.story(Metadata(), "test", "test")


def layer(story, name):
    return [story.span_text(s) for s in story.spans(name)]


def test_paragraphs_are_separated_by_blank_lines_and_whitespace_collapsed():
    story = render("<p>  One\n  two </p><p>&nbsp;</p><div>Three <b>four</b></div>")
    assert story.text == "One two\n\nThree four"
    assert layer(story, "paragraphs") == ["One two", "Three four"]


def test_hr_and_centred_dividers_are_scene_breaks():
    story = render(
        "<p>A.</p><hr/><p>B.</p><p align='center'>***</p><p>C.</p><center>oOo</center><p>D.</p>"
        "<p style='text-align: center'>Chapter heading?</p><p>xXx</p><p>E.</p>"
    )
    assert [(s.label, story.span_text(s)) for s in story.spans("front_matter")] == [
        ("divider", "* * *"),
        ("divider", "***"),
        ("divider", "oOo"),
        ("divider", "xXx"),
    ]
    assert layer(story, "scenes") == ["A.", "B.", "C.", "D.\n\nChapter heading?", "E."]


def test_italics_offsets_point_at_the_emphasised_words():
    story = render("<p>She thought, <em> never again </em>, and <i>left</i>.</p>")
    assert layer(story, "italics") == ["never again", "left"]
    assert story.text == "She thought, never again , and left."


def test_line_breaks_inside_a_paragraph_are_kept():
    story = render("<p>Roses are red,<br/> violets are blue.</p>")
    assert story.text == "Roses are red,\nviolets are blue."


def test_double_line_breaks_separate_paragraphs():
    story = render("<p>First line.<br/>Same paragraph.<br />\n<br/>Second <em>one</em>.<br/><br/><br/>Third.</p>")
    assert layer(story, "paragraphs") == ["First line.\nSame paragraph.", "Second one.", "Third."]
    assert layer(story, "italics") == ["one"]


def test_divider_vocabulary():
    assert all(is_divider(t) for t in ["* * *", "~~~", "xXx", "-o-", "OoOoO", "=====", "~*~"])
    assert not any(is_divider(t) for t in ["xxx", "Oh.", "No!", "...", "2.", "A/N", "\u201c\u2026\u201d", "\"...\""])
    assert is_divider("...", centered=True)


def test_unclosed_paragraphs_and_stray_tags_still_give_paragraphs():
    story = render("<p>One<p>Two</span><li>Three<li>Four</ul>")
    assert layer(story, "paragraphs") == ["One", "Two", "Three", "Four"]


def test_generic_html_chapters_at_repeated_headings_and_cp1252(tmp_path: Path):
    page = tmp_path / "story.htm"
    page.write_bytes(
        b"<html><head><meta charset='windows-1252'><title>Tide</title></head><body>"
        b"<h1>Tide</h1><h2>One</h2><p>It\x92s cold.</p><h2>Two</h2><p>Warmer.</p></body></html>"
    )
    story = ficlens.read(page)
    assert story.meta.title == "Tide" and story.meta.extra["format"] == "html"
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["One", "Two"]
    assert layer(story, "chapters") == ["It\u2019s cold.", "Warmer."]


def test_prose_before_the_first_chapter_heading_is_an_untitled_chapter():
    b = TextBuilder()
    b.content(parse_html("<p>Prologue words.</p>"))
    b.chapter("One", "One")
    b.content(parse_html("<p>First.</p>"))
    story = b.story(Metadata(), "test", "test")
    assert [(c.attrs["title"], story.span_text(c)) for c in story.spans("chapters")] == [
        (None, "Prologue words."),
        ("One", "First."),
    ]


def test_html_without_headings_is_one_untitled_chapter(tmp_path: Path):
    page = tmp_path / "snippet.html"
    page.write_text("<html><body><p>Just one.</p><p>And two.</p></body></html>")
    story = ficlens.read(page)
    (chapter,) = story.spans("chapters")
    assert chapter.attrs["title"] is None and story.span_text(chapter) == "Just one.\n\nAnd two."


def test_block_quotes_before_the_story_are_notes_not_prose(tmp_path: Path):
    page = tmp_path / "story.html"
    page.write_text(
        "<html><body><h1>Tide</h1><blockquote><p>For M., who asked.</p></blockquote>"
        "<p>It was cold.</p><blockquote><p>A letter, read aloud.</p></blockquote><p>Then warm.</p></body></html>"
    )
    story = ficlens.read(page)
    assert story.meta.notes == ["For M., who asked."]
    assert layer(story, "paragraphs") == ["It was cold.", "A letter, read aloud.", "Then warm."]


def test_notes_disclaimers_pov_headers_and_divider_phrases_written_into_the_text():
    story = render(
        "<p><b>A/N:</b> Thanks for the reviews!</p><p>Disclaimer: I own nothing.</p>"
        "<p>Harry's POV</p><p>He ran.</p><p>He hid.</p><p>-Line Break-</p><p>She waited.</p>"
        "<p>AN: See you next week.</p>"
    )
    assert [(s.label, story.span_text(s)) for s in story.spans("front_matter")] == [
        ("author_note", "A/N: Thanks for the reviews!"),
        ("disclaimer", "Disclaimer: I own nothing."),
        ("heading", "Harry's POV"),
        ("divider", "-Line Break-"),
        ("author_note", "AN: See you next week."),
    ]
    assert story.meta.notes == ["A/N: Thanks for the reviews!", "Disclaimer: I own nothing.", "AN: See you next week."]
    assert [(s.label, story.span_text(s)) for s in story.spans("scenes")] == [
        ("Harry's POV", "He ran.\n\nHe hid."),
        (None, "She waited."),
    ]
    assert layer(story, "chapters") == ["He ran.\n\nHe hid.\n\n-Line Break-\n\nShe waited."]


@pytest.mark.parametrize(
    "inner",
    [" One two ", "  One\n  two ", "One\xa0two", "One  two\t", "\n", "A/N: thanks", "Disclaimer:  no", "* * *", "~o~"]
    + ["Harry's POV"],
)
def test_a_block_renders_the_same_with_or_without_inline_markup_around_its_text(inner: str):
    # plain-text blocks take a shorter path than blocks with inline markup; the text and layers must not tell
    for attrs in ("", " align='center'"):
        bare = render(f"<p>Before.</p><p{attrs}>{inner}</p><p>After.</p>")
        wrapped = render(f"<p>Before.</p><p{attrs}><span>{inner}</span></p><p>After.</p>")
        assert bare.to_dict() == wrapped.to_dict()


def test_xhtml_namespaces_leave_tag_names_but_never_the_text():
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    xhtml = "http://www.w3.org/1999/xhtml"
    pages = {
        "default namespace": f'{head}<html xmlns="{xhtml}"><body><p>One.</p></body></html>',
        "and a prefix": f'{head}<html xmlns="{xhtml}" xmlns:epub="http://www.idpf.org/2007/ops"><body>'
        '<section epub:type="chapter"><p>One.</p></section></body></html>',
        "named in the text": f'{head}<html xmlns="{xhtml}"><body><p>Set xmlns="urn:x" first.</p></body></html>',
        "only in the text": f'{head}<html><body><p>Set xmlns="urn:x" first.</p></body></html>',
    }
    for name, page in pages.items():
        root = parse_markup(page)
        assert [el.tag for el in root.iter("p")] and root.tag == "html", name
        b = TextBuilder()
        b.content(root.find("body"))
        assert b.text() == ("One." if "One." in page else 'Set xmlns="urn:x" first.'), name


def test_a_numbered_section_heading_after_prose_is_a_scene_break():
    story = render("<h3>i.</h3><p>The tide came in.</p><p>Mara watched.</p><h3>ii.</h3><p>By noon it was gone.</p>"
                   "<h4>III</h4><p>Night.</p><h3>Later</h3><p>Dawn.</p>")
    assert [(s.label, story.span_text(s)) for s in story.spans("front_matter")] == [
        ("heading", "i."), ("divider", "ii."), ("divider", "III"), ("heading", "Later")]
    assert layer(story, "scenes")[:2] == ["The tide came in.\n\nMara watched.", "By noon it was gone."]
    assert len(story.spans("scenes")) == 3
