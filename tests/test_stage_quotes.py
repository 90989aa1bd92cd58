"""The quotes stage: what counts as a quotation, where it starts and ends, and what kind it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ficlens.analysis import quotes
from ficlens.story import Span, Story

DIALOGUE = Path(__file__).parent / "fixtures" / "dialogue"


def story_of(text: str) -> Story:
    """A story with only the layer the stage needs: paragraphs split on blank lines."""
    story = Story(text)
    paras = [Span(m.start(), m.end()) for m in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text)]
    story.add_layer("paragraphs", paras)
    return quotes.quotes(story)


def found(story: Story) -> list[tuple[str, str]]:
    return [(story.span_text(q), q.attrs["kind"]) for q in story.spans("quotes")]


def fixture(name: str) -> Story:
    return story_of((DIALOGUE / name).read_text(encoding="utf-8"))


def test_interrupted_speech_is_two_pieces_of_one_utterance():
    story = fixture("two_speakers.txt")
    qs = story.spans("quotes")
    know = next(q for q in qs if story.span_text(q) == '"I know,"')
    rest = next(q for q in qs if story.span_text(q) == '"but the tide was against me."')
    assert know.attrs["utterance"] == rest.attrs["utterance"]
    late = next(q for q in qs if story.span_text(q) == '"You\'re late,"')
    assert late.attrs["utterance"] != know.attrs["utterance"]


def test_multi_paragraph_speech_continues_the_utterance():
    story = fixture("two_speakers.txt")
    qs = story.spans("quotes")
    first = next(q for q in qs if story.span_text(q).startswith('"It should turn now'))
    second = next(q for q in qs if story.span_text(q).startswith('"And if it doesn'))
    assert story.span_text(first).endswith("try it.")  # runs to its paragraph's end, no closing mark
    assert first.attrs["utterance"] == second.attrs["utterance"]


def test_kinds_scare_quote_and_asterisk_thought():
    kinds = dict(found(fixture("two_speakers.txt")))
    assert kinds['"workshop"'] == "other"
    assert kinds["*He never listens,*"] == "thought"
    assert kinds['"Fair enough."'] == "speech"


def test_british_single_quotes_keep_apostrophes_inside():
    texts = [t for t, _ in found(fixture("british.txt"))]
    assert texts == [
        "'Well, 'tis a fine day for ducks,'",
        "'It's a fine day for staying in bed,'",
        "'Turn that rock 'n' roll down, would you?'",
        "'You sound like your father, Wilfred.'",
        "'Somebody has to.'",
    ]


def test_missing_closing_mark_is_recovered_within_its_paragraph():
    texts = [t for t, _ in found(fixture("damaged.txt"))]
    assert texts == [
        '"Who left this?',
        '"The postman,"',
        '"Who else would?"',
        '"Nobody comes out here,"',
        '"Well, somebody did,"',
    ]


def test_one_stray_mark_does_not_flip_the_paragraphs_after_it():
    story = story_of('He measured the shelf: 5" deep.\n\n"Is it enough?" she asked.\n\n"Plenty," he said.')
    assert [t for t, _ in found(story)][-2:] == ['"Is it enough?"', '"Plenty,"']


def test_em_dash_dialogue_stops_before_the_tag():
    texts = [t for t, _ in found(fixture("dashes.txt"))]
    assert texts == ["— Where were you last night?", "— Out,", "— Out where?", "— Just out."]


def test_curly_quotes_with_a_nested_quote_are_one_quotation():
    story = story_of("“She told me ‘never again’ and left,” said Ada. “I believed her.”")
    assert [t for t, _ in found(story)] == ["“She told me ‘never again’ and left,”", "“I believed her.”"]


def test_quotation_reported_inside_a_quote_is_cut_out_of_it():
    story = story_of("\"Then Mum said, 'Not in my house, young man.' After that nobody argued,\" Ben told us.")
    qs = story.spans("quotes")
    assert [story.span_text(q) for q in qs] == ['"Then Mum said,', 'After that nobody argued,"']
    assert qs[0].attrs["utterance"] == qs[1].attrs["utterance"]
    assert qs[1].attrs["kind"] == "speech"  # the rest of Ben's words, not a scare quote


def test_word_mentioned_in_single_marks_stays_inside_its_quote():
    story = story_of("\"The initials 'R.B.' are on the trunk, and 'Bristol' under them.\"")
    assert [t for t, _ in found(story)] == [story.text]


def test_stage_direction_in_parentheses_splits_the_quote():
    story = story_of('"Indeed! (glancing at the clock,) we should go now. Yes--(with a sigh)--now."')
    qs = story.spans("quotes")
    assert [story.span_text(q) for q in qs] == ['"Indeed!', "we should go now. Yes--", 'now."']
    assert len({q.attrs["utterance"] for q in qs}) == 1


def test_speakers_own_aside_in_parentheses_stays_inside_the_quote():
    story = story_of('"And if I did, (which, I admit, is unlikely) nobody would know."')
    assert [t for t, _ in found(story)] == [story.text]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('He cast a quick "Lumos" and went on reading.', "other"),
        ('She had read "The Hobbit" twice that summer.', "other"),
        ('The note on the door read: "Back at six."', "written"),
        ('"What an idiot," she thought.', "thought"),
        ('She cried out a mournful "No!"', "speech"),
        ('He called "Come here!" across the yard.', "speech"),
        ('They called him "Padfoot, the dog," at school.', "other"),
        ('She whispered the word "love" twice.', "other"),
        ('"Duty" was all he ever talked about.', "other"),
        ('"I believe you" was her whole answer.', "speech"),
    ],
)
def test_kind_of_a_quote_in_narration(text: str, kind: str):
    assert found(story_of(text))[0][1] == kind


def test_every_quote_lies_inside_a_paragraph_and_carries_the_contract_keys():
    story = fixture("two_speakers.txt")
    paras = story.spans("paragraphs")
    for q in story.spans("quotes"):
        assert any(p.start <= q.start and q.end <= p.end for p in paras)
        assert {"kind", "speaker", "addressees", "cue", "confidence", "utterance"} <= set(q.attrs)


@pytest.mark.shared
def test_seed_quotes_found_exactly_and_scare_quote_is_not_speech(shared):
    from ficlens.analysis import pipeline
    from ficlens.eval.quotes import load_seeds

    for doc in load_seeds(shared / "gold"):
        story = pipeline.run(Story(doc.text), ["structure", "quotes"])
        got = {(q.start, q.end): q.attrs["kind"] for q in story.spans("quotes")}
        assert got == {(g.start, g.end): g.kind for g in doc.quotes}
