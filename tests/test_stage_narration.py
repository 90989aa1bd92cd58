"""Narration stage: person, narrator/focal and tense per scene, on our own tiny stories.

The cast of each fixture is given by hand (``expected.json``) so these tests check the narration
stage and not character finding; one test runs the whole ``analyze`` for person and tense only.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

import ficlens
from ficlens.analysis.narration import narration
from ficlens.analysis.pipeline import run
from ficlens.cli import main
from ficlens.story import Character, Span, Story

DIR = FIXTURES / "narration"
EXPECTED = json.loads((DIR / "expected.json").read_text(encoding="utf-8"))


def with_cast(text: str, cast: list, *, quotes: bool = True) -> Story:
    """Structure (and quotes) by the real stages, mentions of the given cast by exact name, then narration."""
    story = run(Story(text), ["structure", "quotes"] if quotes else ["structure"])
    chars, mentions = [], []
    for name, pronouns, aliases in cast:
        cid = name.lower().replace(" ", "_")
        chars.append(Character(cid, name, aliases, pronouns=pronouns, mentions=text.count(name.split()[0])))
        for n in sorted([name, *aliases], key=len, reverse=True):
            for m in re.finditer(rf"\b{re.escape(n)}\b", text):
                if not any(s.start <= m.start() < s.end for s in mentions):
                    mentions.append(Span(m.start(), m.end(), attrs={"char": cid, "kind": "name"}))
    story.characters = chars
    story.add_layer("mentions", mentions)
    return narration(story)


def who(story: Story, scene: Span) -> str | None:
    char = story.character(scene.attrs["narrator"] if scene.attrs["person"] == "first" else scene.attrs["focal"])
    return char.name if char else None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_scenes(name: str) -> None:
    exp = EXPECTED[name]
    story = with_cast((DIR / name).read_text(encoding="utf-8"), exp["cast"])
    got = [{"person": s.attrs["person"], "who": who(story, s), "tense": s.attrs["tense"]}
           for s in story.spans("scenes")]
    assert got == exp["scenes"]


def test_dialogue_does_not_make_a_third_person_story_first_person() -> None:
    text = (
        'Mina opened the door. "I told you I would come," she said. "I always keep my word, and I brought my own '
        'lantern, and I am not leaving."\n\n"I know," said Pell. "I never doubted you. I only worried."\n\n'
        "She set the lantern down and looked at him for a long moment.\n"
    )
    for quotes in (True, False):  # without the quotes stage, a rough quote finder stands in
        story = with_cast(text, [["Mina", "she/her", []], ["Pell", "he/him", []]], quotes=quotes)
        scene = story.spans("scenes")[0]
        assert scene.attrs["person"] == "third"
        assert scene.attrs["focal"] == "mina"


def test_mixed_scene_is_flagged_with_shares() -> None:
    text = (
        "I remember the winter my brother left. I was nine and I did not understand any of it. I only knew that "
        "my mother cried at night and that I was not allowed to ask why.\n\n"
        "Aldo packed his bag in the grey morning. He folded every shirt twice, and he looked at the door for a "
        "long time before he opened it. The snow was falling on the road, and the bus was late, and Aldo stood "
        "in the cold and did not once look back at the house where his mother stood watching.\n"
    )
    scene = with_cast(text, [["Aldo", "he/him", []]]).spans("scenes")[0]
    assert scene.attrs["mixed"] is True
    assert scene.attrs["person_share"]["first"] > 0 and scene.attrs["person_share"]["third"] > 0


def test_focal_is_the_perceiver_not_the_most_mentioned() -> None:
    story = with_cast((DIR / "third_past.txt").read_text(encoding="utf-8"), EXPECTED["third_past.txt"]["cast"])
    text = story.text
    assert text.count("Declan") > text.count("Orla")  # the fixture is built so that counting names would fail
    assert story.spans("scenes")[0].attrs["focal"] == "orla_brennick"


def test_kinship_rules_out_the_relative_and_pairs_with_the_relationship_tag() -> None:
    text = "I waited up again. My husband Corin Vale came home at three, and I pretended to be asleep.\n"
    cast = [["Corin Vale", "he/him", ["Corin"]], ["Essa Brand", "she/her", ["Essa"]]]
    scene = with_cast(text, cast).spans("scenes")[0]
    assert scene.attrs["person"] == "first" and scene.attrs["narrator"] != "corin_vale"
    story = Story(text)
    story.meta.relationships = ["Corin Vale/Essa Brand"]
    run(story, ["structure"])
    story.characters = [Character("corin_vale", "Corin Vale", ["Corin"]), Character("essa_brand", "Essa Brand")]
    story.add_layer("mentions", [Span(text.index("Corin"), text.index(" came"), attrs={"char": "corin_vale",
                                                                                        "kind": "name"})])
    assert narration(story).spans("scenes")[0].attrs["narrator"] == "essa_brand"


def test_story_without_scenes_or_words_is_left_alone() -> None:
    story = Story("")
    story.add_layer("scenes", [])
    story.add_layer("mentions", [])
    assert narration(story).spans("scenes") == []
    story = Story("* * *\n")
    story.add_layer("scenes", [Span(0, 5)])
    story.add_layer("mentions", [])
    assert narration(story).spans("scenes")[0].attrs["tense"] is None


def test_analyze_reports_person_and_tense_end_to_end() -> None:
    for name in EXPECTED:
        story = ficlens.analyze(DIR / name)
        got = [(s.attrs["person"], s.attrs["tense"]) for s in story.spans("scenes")]
        assert got == [(s["person"], s["tense"]) for s in EXPECTED[name]["scenes"]]
    result = CliRunner().invoke(main, ["analyze", str(DIR / "mixed_frame.txt")])
    assert result.exit_code == 0
    assert "first person, present tense" in result.output and "third person" in result.output


def test_eval_narration_needs_an_input() -> None:
    result = CliRunner().invoke(main, ["eval", "narration"])
    assert result.exit_code != 0 and "GOLD_DIR" in result.output


@pytest.mark.shared
def test_seed_gold_scenes(shared) -> None:
    from ficlens.eval.narration import score_narration

    rows, summary = score_narration(shared / "gold")
    assert len(rows) == 7
    assert summary["person_ok"] == 1.0 and summary["tense_ok"] == 1.0


def test_an_unquoted_letter_is_not_narration() -> None:
    text = (
        "The owl came at dawn. Wren untied the letter and unfolded it by the window, and she felt her heart "
        "thump as she recognised the hand.\n\nDear Wren,\nI hope you are well. I miss you and I think of you "
        "every day. Write to me when you can, and tell me if you are still angry.\nTobin\n\n"
        "She read it twice, then folded it small and put it in her pocket.\n"
    )
    scene = with_cast(text, [["Wren", "she/her", []], ["Tobin", "he/him", []]]).spans("scenes")[0]
    assert (scene.attrs["person"], scene.attrs["focal"], scene.attrs["mixed"]) == ("third", "wren", False)


def test_a_scene_too_short_to_tell_takes_the_story_majority() -> None:
    first = "I walked home in the rain, and I did not look back once, because I knew he was watching me go. " * 3
    text = f"{first}\n\n* * *\n\n\"Well?\" \"Well.\"\n\n* * *\n\n{first}\n"
    scenes = with_cast(text, []).spans("scenes")
    assert len(scenes) == 3
    assert [s.attrs["person"] for s in scenes] == ["first"] * 3
    assert scenes[1].attrs["tense"] == "past"


def test_kinship_finds_the_spouse_the_fandom_pack_knows() -> None:
    text = (
        "I waited up again. My husband James came home at three, and I pretended to be asleep, because I did "
        "not want to hear another apology, and I did not trust myself to accept it.\n"
    )
    story = run(Story(text), ["structure"])
    story.characters = [
        Character("james", "James", canon="James Potter"),
        Character("rose", "Rose", canon="Rose Weasley"),
        Character("lily", "Lily", canon="Lily Evans Potter"),
    ]
    start = text.index("James")
    story.add_layer("mentions", [Span(start, start + 5, attrs={"char": "james", "kind": "name"})])
    scene = narration(story).spans("scenes")[0]
    assert scene.attrs["narrator"] == "lily" and "kinship" in scene.attrs["evidence"]


@pytest.mark.parametrize(
    "label", ["~Ron~", "-Ron-", "Ron's POV", "Ron's point of view", "POV: Ron", "[Ron Weasley POV]", "Ron P.O.V."]
)
def test_pov_header_decides_the_focal_character(label: str) -> None:
    text = "Hermione noticed the rain first. She felt it on her neck and wondered where Ron had gone.\n"
    story = with_cast(text, [["Hermione", "she/her", []], ["Ron Weasley", "he/him", ["Ron"]]])
    assert story.spans("scenes")[0].attrs["focal"] == "hermione"
    story.spans("scenes")[0].label = label
    assert narration(story).spans("scenes")[0].attrs["focal"] == "ron_weasley"


def test_score_pdnc_on_a_tiny_corpus(tmp_path) -> None:
    from ficlens.eval.narration import score_pdnc

    index = "Novel Code,Narrative Person,Folder Name\nA,1.0,Vocative\nB,3.0,Third\n"
    (tmp_path / "PDNC-Novel-Index.csv").write_text(index, encoding="utf-8")
    for folder, src, info in (
        ("Vocative", "first_past_vocative.txt", "0,Mr. Hollis,\"{'Hollis', '_narr'}\",M,major\n"),
        ("Third", "third_past.txt", "0,Orla Brennick,\"{'Orla'}\",F,major\n"),
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "novel_text.txt").write_text((DIR / src).read_text(encoding="utf-8"), encoding="utf-8")
        (tmp_path / folder / "character_info.csv").write_text(
            "Character ID,Main Name,Aliases,Gender,Category\n" + info, encoding="utf-8"
        )
    rows, summary = score_pdnc(tmp_path)
    assert [(r["person"], r["narrator_ok"]) for r in rows] == [("first/first", True), ("third/third", "-")]
    assert summary["person_ok"] == 1.0 and summary["narrator_ok"] == "1/1"


def test_an_ao3_first_person_tag_names_the_narrator() -> None:
    text = (
        "I never meant to stay in the city. I came for a week, and then I met the girl with the red scarf, and I "
        "stopped counting the days.\n"
    )
    cast = [["Ren Adair", "she/her", ["Ren"]], ["Tobias Wren", "he/him", ["Tobias"]]]
    assert with_cast(text, cast).spans("scenes")[0].attrs["narrator"] is None
    story = Story(text)
    story.meta.additional_tags = ["Angst", "First Person Tobias", "Slow Burn"]
    run(story, ["structure", "quotes"])
    story.characters = [Character(n.lower().replace(" ", "_"), n, aliases) for n, _, aliases in cast]
    story.add_layer("mentions", [])
    assert narration(story).spans("scenes")[0].attrs["narrator"] == "tobias_wren"


def test_an_intrusive_authors_asides_to_the_reader_do_not_make_a_story_first_person() -> None:
    text = (
        "Bettany Crewe had never been thought pretty. I must beg the reader to believe that I do not say this "
        "unkindly, for I have grown fond of my heroine. As I have already said, she kept her father's shop. She "
        "counted the spools every evening and felt, each time, that the day had been wasted on thread.\n"
    )
    scene = with_cast(text, [["Bettany Crewe", "she/her", ["Bettany"]]]).spans("scenes")[0]
    assert (scene.attrs["person"], scene.attrs["focal"]) == ("third", "bettany_crewe")
    assert "asides to the reader" in scene.attrs["evidence"]
    own = "I counted the spools every evening. I had kept my father's shop since I was twelve, and I felt " * 2
    assert with_cast(own + text, []).spans("scenes")[0].attrs["person"] == "first"


def test_a_story_that_switches_person_at_each_scene_break() -> None:
    story = with_cast((DIR / "switching.txt").read_text(encoding="utf-8"), [["Perrin Oake", "he/him", ["Perrin"]]])
    scenes = story.spans("scenes")
    assert [s.attrs["person"] for s in scenes] == ["first", "third", "second", "first"]
    assert [s.attrs["tense"] for s in scenes] == ["past", "past", "present", "past"]
    # Only the last scene runs a long paragraph in another person (third, with no I in it) beside its first person.
    assert [s.attrs["mixed"] for s in scenes] == [False, False, False, True]
    assert [s.attrs["person_share"][s.attrs["person"]] for s in scenes[:3]] == [1.0, 1.0, 1.0]
    last = scenes[3].attrs["person_share"]
    assert last["first"] >= 0.2 and last["third"] >= 0.2 and last["first"] + last["third"] == pytest.approx(1.0)
    assert scenes[1].attrs["focal"] == "perrin_oake"


def test_analyze_shows_a_mixed_scene_with_its_shares() -> None:
    result = CliRunner().invoke(main, ["analyze", str(DIR / "switching.txt")])
    assert result.exit_code == 0
    assert "second person, present tense" in result.output
    assert re.search(r"scene 4: first person.*mixed \(first \d+%, third \d+%\)", result.output)


def test_tagged_thoughts_without_italics_do_not_make_a_story_first_person() -> None:
    # Plain text loses the italics that marked a thought; its tag ("she thought") still says whose it is.
    text = (
        "Ilse folded the letter twice and put it in her coat.\n\n"
        "I can't do this, she thought. I can't tell him. Not after everything I said to him in the spring.\n\n"
        "Bram was waiting at the gate, and he smiled when he saw her.\n\n"
        "He looks so happy, thought Ilse. I'm going to ruin it, and I don't even know how to start.\n"
    )
    cast = [["Ilse", "she/her", []], ["Bram", "he/him", []]]
    scene = with_cast(text, cast).spans("scenes")[0]
    assert (scene.attrs["person"], scene.attrs["focal"], scene.attrs["mixed"]) == ("third", "ilse", False)
    narrated = text.replace(", she thought", "").replace(", thought Ilse", "")
    assert with_cast(narrated, cast).spans("scenes")[0].attrs["person"] == "first"  # the tag is what tells


def test_present_tense_third_person_with_a_flashback() -> None:
    text = (
        "Juno lands on the roof and folds her wings. The city glitters below. She remembers the night Tam left: he "
        "had packed one bag, he had kissed her forehead, and he had walked out without looking back. Juno shakes "
        "the memory off. Tam climbs through the hatch an hour later, sits down beside her and hands her a cup. Juno "
        "takes it. Tam grins.\n"
    )
    scene = with_cast(text, [["Juno", "she/her", []], ["Tam", "he/him", []]]).spans("scenes")[0]
    assert (scene.attrs["tense"], scene.attrs["focal"]) == ("present", "juno")


def test_a_summary_or_note_that_names_the_point_of_view_names_the_narrator() -> None:
    text = (
        "I never meant to stay in the city. I came for a week, and then I met the girl with the red scarf, and I "
        "stopped counting the days.\n"
    )
    cast = [["Ren Adair", "she/her", ["Ren"]], ["Tobias Wren", "he/him", ["Tobias"]]]
    for summary, notes in (("A week in the city, from Tobias's POV.", []), (None, ["A/N: POV: Tobias, as promised."])):
        story = Story(text)
        story.meta.summary, story.meta.notes = summary, notes
        run(story, ["structure", "quotes"])
        story.characters = [Character(n.lower().replace(" ", "_"), n, aliases) for n, _, aliases in cast]
        story.add_layer("mentions", [])
        assert narration(story).spans("scenes")[0].attrs["narrator"] == "tobias_wren"


def test_a_letter_that_opens_with_just_a_name_is_not_narration() -> None:
    text = (
        "The owl dropped the envelope on the breakfast table, and Wren knew the hand at once.\n\n"
        "Wren,\n\nI am sorry. I should have told you about the house, and I should have told you about my "
        "father, and I did neither, and I have been a coward about both of them. Write to me if you can.\n\n"
        "Tobin\n\nShe read it twice, then folded it small and put it in her pocket.\n"
    )
    scene = with_cast(text, [["Wren", "she/her", []], ["Tobin", "he/him", []]]).spans("scenes")[0]
    assert (scene.attrs["person"], scene.attrs["mixed"]) == ("third", False)


def test_a_story_told_in_letters_is_first_person_and_signed_by_its_narrator() -> None:
    cast = [["Maud", "she/her", []], ["Hester", "she/her", []], ["Pim", "he/him", []]]
    scene = with_cast((DIR / "letters.txt").read_text(encoding="utf-8"), cast).spans("scenes")[0]
    assert (scene.attrs["person"], scene.attrs["narrator"], scene.attrs["tense"]) == ("first", "hester", "present")


def test_upper_case_pov_header_names_the_narrator() -> None:
    text = (
        "MARA'S POV\n\nI wake before the bells and lie still, listening to the house. I count the steps on the stair "
        "and I know them all: the cook, the boy with the coal, and last of all my uncle, slow and heavy. I get up "
        "when he has gone past my door.\n\nTobin is already in the yard when I come down.\n"
    )
    story = with_cast(text, [["Mara Quill", "she/her", ["Mara"]], ["Tobin Ashe", "he/him", ["Tobin"]]])
    scene = story.spans("scenes")[0]
    assert (scene.attrs["person"], scene.attrs["narrator"]) == ("first", "mara_quill")


SWITCHING_NARRATORS = """\
I find Tobin on the roof again. Tobin is sitting with his back to the chimney and his knees pulled up, and Tobin \
does not look round when I climb out of the window. I sit down beside him and I wait.

"You'll fall one day, Mara," he says.

"Not today."

The town is all lights below us. I take the flask when he offers it and I drink, and I do not ask him why.

* * *

Mara thinks I don't notice when she climbs out after me. I notice. Mara is loud on the tiles, louder than she \
knows, and Mara always takes the flask. I let her. I like the company more than I will ever tell her.

"Not now, Tobin," she says, when I open my mouth.

So I don't say it. I watch the lights go out one by one and I keep my hands in my pockets.
"""


def test_first_person_scenes_without_headers_keep_their_own_narrators() -> None:
    cast = [["Mara Quill", "she/her", ["Mara"]], ["Tobin Ashe", "he/him", ["Tobin"]]]
    story = with_cast(SWITCHING_NARRATORS, cast)
    got = [(s.attrs["person"], s.attrs["narrator"]) for s in story.spans("scenes")]
    assert got == [("first", "mara_quill"), ("first", "tobin_ashe")]


def test_a_name_that_answers_a_question_is_not_a_vocative() -> None:
    text = (
        "The guard at the gate is older than I expected, grey at the temples, and I can see him deciding whether I "
        "am worth the trouble. I keep my chin up and my hands where he can see them.\n\n"
        '"Who sent you, Wren?" the guard asks.\n\n"Zane."\n\n'
        "He looks at me for a long time, and then I hear the bolt slide back.\n"
    )
    story = with_cast(text, [["Wren", "she/her", []], ["Zane", "he/him", []]])
    assert story.spans("scenes")[0].attrs["narrator"] == "wren"


CHAT = """\
Peter's phone buzzed four times during chemistry, and Peter spent the whole lesson pretending not to feel it. \
He read the messages on the stairs afterwards.

Ned: dude where are you
Ned: I saved you a seat at lunch
Ned: MJ says I'm being clingy. am I being clingy
Ned: you don't have to answer that

Peter grinned and typed back that he was on his way. Then he put the phone in his pocket and ran.
"""

INNER_VOICE = """\
I can't do this. I can't do this, I can't, I can't.

Hermione pressed her back against the cold stone of the corridor and made herself breathe. In for four, hold for \
four, out for four, the way the healer had shown her. The portraits were watching. She didn't care.
"""


@pytest.mark.parametrize(("text", "cast"), [
    (CHAT, [["Peter Parker", "he/him", ["Peter"]], ["Ned", "he/him", []]]),
    (INNER_VOICE, [["Hermione Granger", "she/her", ["Hermione"]]]),
])
def test_chat_logs_and_unmarked_inner_voice_do_not_make_a_scene_first_person(text, cast) -> None:
    scene = with_cast(text, cast).spans("scenes")[0]
    assert (scene.attrs["person"], scene.attrs["tense"]) == ("third", "past")


def test_a_first_person_past_narrator_keeps_short_present_asides() -> None:
    text = (
        "I remember the house better than I remember the people in it. I was nine when we moved there, and I hated "
        "it from the first night, when the wind got into the chimney and howled.\n\nI still do not know why.\n\n"
        "My brother loved it. He slept through every storm that winter, and I lay awake and listened for both of us.\n"
    )
    assert with_cast(text, []).spans("scenes")[0].attrs["person"] == "first"
