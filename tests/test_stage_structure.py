"""The structure stage on the project's own fixtures (one convention each) and on the seeds."""

import json

import pytest
from conftest import FIXTURES

import ficlens

EXPECTED = json.loads((FIXTURES / "structure" / "expected.json").read_text(encoding="utf-8"))


def structure(path):
    return ficlens.analyze(path, ["structure"])


def squash(s):
    return " ".join(s.split()) if s is not None else None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_structure(name):
    want = EXPECTED[name]
    story = structure(FIXTURES / "structure" / name)
    assert squash(story.meta.summary) == squash(want["summary"])
    assert [squash(n) for n in story.meta.notes] == [squash(n) for n in want["notes"]]
    titles = [c.attrs["title"] for c in story.spans("chapters") if c.attrs["title"]]
    assert titles == want["chapter_titles"]
    scenes = story.spans("scenes")
    assert len(scenes) == want["scenes"]
    firsts = [" ".join(story.text[s.start : s.end].split()[:3]) for s in scenes]
    assert firsts == want["scene_first_words"]


def test_notes_and_headings_are_not_story_paragraphs():
    story = structure(FIXTURES / "structure" / "an_start_end_notes.txt")
    prose = " ".join(story.text[p.start : p.end] for p in story.spans("paragraphs"))
    assert "A/N" not in prose
    assert all(n in story.text for n in story.meta.notes)


def test_pov_header_labels_its_scene():
    story = structure(FIXTURES / "structure" / "pov_headers_tilde.txt")
    labels = [s.label for s in story.spans("scenes")]
    assert labels and all(labels)


SEED_000 = "000_2bc227d429d16c39"
SEED_001 = "001_4aa8bb9236b9c1b2"
SEED_003 = "003_2b538ff84cc81deb"


def test_seed_000_summary_and_dedication(shared):
    story = structure(shared / "seeds" / f"{SEED_000}.txt")
    gold = json.loads((shared / "gold" / f"{SEED_000}.json").read_text())
    assert story.meta.summary == gold["summary"]
    assert story.meta.notes == gold["notes"]
    prose = " ".join(story.text[p.start : p.end] for p in story.spans("paragraphs"))
    assert "Dedicated" not in prose
    assert len(story.spans("scenes")) == 1


def test_seeds_001_and_003_get_no_invented_front_matter(shared):
    for seed in (SEED_001, SEED_003):
        story = structure(shared / "seeds" / f"{seed}.txt")
        assert story.meta.summary is None
        assert story.meta.notes == []
    assert len(structure(shared / "seeds" / f"{SEED_001}.txt").spans("scenes")) == 1


def test_seed_003_chapter_title_and_five_gold_scenes(shared):
    story = structure(shared / "seeds" / f"{SEED_003}.txt")
    gold = json.loads((shared / "gold" / f"{SEED_003}.json").read_text())
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["Chapter 1"]
    prose = " ".join(story.text[p.start : p.end] for p in story.spans("paragraphs"))
    assert "Chapter 1" not in prose
    text = story.text
    lines = [(text.count("\n", 0, s.start) + 1, text.count("\n", 0, s.end - 1) + 1) for s in story.spans("scenes")]
    assert lines == [(s["first_line"], s["last_line"]) for s in gold["scenes"]]


def test_json_text_is_the_file_content_exactly(shared):
    for path in sorted((shared / "seeds").glob("*.txt")):
        data = json.loads(ficlens.analyze(path, ["structure"]).to_json())
        assert data["text"] == path.read_bytes().decode("utf-8")


def test_title_and_author_lines_above_the_summary_go_to_metadata():
    story = structure(FIXTURES / "structure" / "ao3_web_copy_paste.txt")
    assert story.meta.title == "The Cartographer's Apprentice"
    assert story.meta.authors == ["mapmaker_ink"]
    prose = " ".join(story.text[p.start : p.end] for p in story.spans("paragraphs"))
    assert "Chapter Text" not in prose and "mapmaker_ink" not in prose


def _story_of(tmp_path, text):
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    return structure(path)


PROSE = "She walked the length of the harbour wall and back again, counting the boats, and none of them was his."


def test_end_notes_label_at_the_end_is_a_note(tmp_path):
    end = "End Notes: Thank you for reading! Kudos and comments are love."
    story = _story_of(tmp_path, f"{PROSE}\n\n{PROSE}\n\n{end}\n")
    assert story.meta.notes == [end]
    assert len(story.spans("paragraphs")) == 2


@pytest.mark.parametrize("header", ["POV: Ada", "P.O.V. - Ada", "\u2014 Ada \u2014"])
def test_pov_header_forms_label_their_scene(tmp_path, header):
    story = _story_of(tmp_path, f"{PROSE}\n\n{header}\n\n{PROSE}\n")
    assert [s.label for s in story.spans("scenes")] == [None, "Ada"]
    assert header not in " ".join(story.text[p.start : p.end] for p in story.spans("paragraphs"))


@pytest.mark.parametrize("line", ["\u2014 Ada!", "[scene break]", "\u2014 Ada, wait \u2014", "[Illustration]"])
def test_dialogue_and_dividers_are_not_pov_headers(line):
    from ficlens.analysis.structure import pov_name

    assert pov_name(line) is None


ADA = "Ada kept the lamp lit. Ada did not sleep, and by morning Ada had read every letter twice."
BEN = "Ben came back at noon with the horses. Ben said nothing about the road, and Ben did not need to."


def test_bare_names_over_scenes_are_pov_headers(tmp_path):
    story = _story_of(tmp_path, f"{PROSE}\n\nAda\n\n{ADA}\n\nBen\n\n{BEN}\n\nAda\n\n{ADA}\n")
    assert [s.label for s in story.spans("scenes")] == [None, "Ada", "Ben", "Ada"]


def test_a_lone_name_inside_a_scene_is_prose(tmp_path):
    story = _story_of(tmp_path, f"{ADA}\n\nAda\n\n{ADA}\n")
    assert len(story.spans("scenes")) == 1
    assert len(story.spans("paragraphs")) == 3


def test_heading_glued_to_a_short_first_paragraph_is_split(tmp_path):
    first = "The training ground was still wet with dew when she arrived, and he was not there."
    story = _story_of(tmp_path, f"Chapter 4: Bells\n{first}\n\n{PROSE}\n")
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["Chapter 4: Bells"]
    assert story.text[story.spans("paragraphs")[0].start :].startswith(first)


def test_two_line_heading_keeps_its_title_line(tmp_path):
    story = _story_of(tmp_path, f"Chapter 3\nThe Return\n\n{PROSE}\n")
    assert [c.attrs["title"] for c in story.spans("chapters")] == ["Chapter 3 The Return"]


def test_tilde_separates_a_chapter_title():
    from ficlens.analysis.structure import is_heading

    assert is_heading("Chapter 2 ~ Letters")
