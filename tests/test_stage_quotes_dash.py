"""Em-dash dialogue: where the speech stops before a tag, and where it resumes after one."""

from __future__ import annotations

import pytest

from ficlens.analysis import pipeline
from ficlens.story import Story
from tests.test_stage_quotes import story_of

#: Enough dash paragraphs for the story to be read as em-dash dialogue.
OPENING = "— Ready?\n\n— Ready.\n\n— Then go.\n\n"


def pieces(paragraph: str) -> list[str]:
    """The quote pieces found in ``paragraph`` (after a few lines that make the story dash-style)."""
    story = story_of(OPENING + paragraph)
    return [story.span_text(q) for q in story.spans("quotes") if q.start >= len(OPENING)]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "— Good morning, Aunt Vera! he called. — Is the kettle on?",
            ["— Good morning, Aunt Vera!", "— Is the kettle on?"],
        ),
        ("— You promised! cried Tomas. — You said we'd—", ["— You promised!", "— You said we'd—"]),
        (
            "— It won't hold, said Ilse, frowning at the rope. — Find another.",
            ["— It won't hold,", "— Find another."],
        ),
        ("— Maybe, she said. We could try.", ["— Maybe,", "We could try."]),
        ("— Maybe, she said, and shut the door.", ["— Maybe,"]),
        ("— Maybe, she said quietly. The door shut behind her.", ["— Maybe,"]),
        ("— Maybe, she said. She shut the door.", ["— Maybe,"]),
        ("— Maybe, said Ilse Brandt. Ilse shut the door.", ["— Maybe,"]),
        (
            "— You can't go in there, Pim. She told me that herself.",
            ["— You can't go in there, Pim. She told me that herself."],
        ),
        ("— Wait here. He said it twice, so listen.", ["— Wait here. He said it twice, so listen."]),
        ("— NEVER! Ilse and Marta shouted together.", ["— NEVER!"]),
        ("— Not today, Old Tom said.", ["— Not today,"]),
        ("— Why? asked the ferryman.", ["— Why?"]),
        ("— Yes — the old man said — I will come.", ["— Yes", "— I will come."]),
        ("— I wanted — no, I needed — to go.", ["— I wanted — no, I needed — to go."]),
    ],
)
def test_dash_speech_stops_at_the_tag_and_resumes_after_it(paragraph: str, expected: list[str]):
    assert pieces(paragraph) == expected


def test_pieces_around_a_tag_are_one_utterance_of_the_same_kind():
    story = story_of(OPENING + "— Morning! he called. — Tea?\n\n— Maybe, she said. Later.")
    qs = [q for q in story.spans("quotes") if q.start >= len(OPENING)]
    assert [q.attrs["utterance"] for q in qs][:2] == [qs[0].attrs["utterance"]] * 2
    assert qs[2].attrs["utterance"] == qs[3].attrs["utterance"] != qs[0].attrs["utterance"]
    assert {q.attrs["kind"] for q in qs} == {"speech"}


def test_both_pieces_get_the_speaker_named_in_the_tag():
    text = (
        "Greta waited at the gate with Tomas.\n\n"
        "— Morning, Tomas! Greta called. — Did you bring the map?\n\n"
        "— I forgot it, said Tomas.\n\n"
        "— Then we walk, Greta said. We walk until we find the river.\n\n"
        "Tomas sighed and followed her.\n"
    )
    story = pipeline.run(Story(text), ["structure", "characters", "quotes", "speakers"])
    names = {c.id: c.name for c in story.characters}
    said = [(story.span_text(q), names.get(q.attrs["speaker"])) for q in story.spans("quotes")]
    assert said == [
        ("— Morning, Tomas!", "Greta"),
        ("— Did you bring the map?", "Greta"),
        ("— I forgot it,", "Tomas"),
        ("— Then we walk,", "Greta"),
        ("We walk until we find the river.", "Greta"),
    ]
