"""The characters stage: who is in a story, under which names, with which pronouns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import ficlens
from ficlens.analysis.characters import match_character
from ficlens.cli import main
from ficlens.story import Span, Story

FIX = Path(__file__).parent / "fixtures" / "characters"


def cast(name: str, **meta) -> Story:
    story = ficlens.read(FIX / name)
    for k, v in meta.items():
        setattr(story.meta, k, v)
    return ficlens.run(story, ["structure", "characters"])


def names(story: Story) -> set[str]:
    return {n for c in story.characters for n in (c.name, *c.aliases)}


def test_original_work_clusters_full_names_titles_and_nicknames():
    story = cast("saltmarsh.txt")
    mara = match_character(story, "Mara")
    tobias = match_character(story, "tobias")
    assert mara.name == "Mara Quill" and "Birdie" in mara.aliases
    assert match_character(story, "Mr Quill") is tobias  # the title's gender picks the brother
    assert mara.canon is None and mara.pronouns == "she/her" and tobias.pronouns == "he/him"
    assert match_character(story, "Dr Okafor").pronouns == "she/her"


def test_neopronouns_come_from_the_text():
    assert match_character(cast("saltmarsh.txt"), "Sol").pronouns == "xe/xem"


def test_places_exclamations_and_dedications_stay_out_of_the_cast():
    found = names(cast("saltmarsh.txt"))
    assert not {"Saltmarsh", "Dammit", "Rosalind"} & found


def test_a_group_called_to_is_not_a_character():
    text = (
        "'Boys, there's a man downstairs,' said Mrs Hale.\n\nThe boys came down. 'Boys, sit,' she said.\n\n"
        "Tom sat. 'Guys, really?' Tom asked. 'Boys will be boys,' said Mrs Hale to Tom.\n"
    )
    found = names(ficlens.run(Story(text), ["structure", "characters"]))
    assert "Tom" in found and not {"Boys", "Guys"} & found


def name_mentions(text: str) -> set[str]:
    story = ficlens.run(Story(text), ["structure", "characters"])
    return {story.text[s.start : s.end] for s in story.spans("mentions") if s.attrs["kind"] == "name"}


def test_titles_and_age_words_in_name_mentions():
    found = name_mentions(
        'But the Prince Orlan was happy, and the amiable Miss Pell laughed. "Your Aunt Mirela is here,"'
        " said Pell.\n\n"
        "Young Teodor ran in with Captain Jonas Good. Orlan looked at Teodor.\n\n"
        '"Orlan!" said Miss Pell. Good sat down. Prince Orlan smiled.\n'
    )
    assert {"Orlan", "Miss Pell", "Aunt Mirela", "Young Teodor", "Captain Jonas Good"} <= found
    assert not {"Prince Orlan Was", "Captain Jonas"} & found and "Prince Orlan" in found  # no article: titled


def test_places_firms_and_titles_of_works_are_not_people():
    found = name_mentions(
        "Maren read the _Evening Courier_ at the \u201cBlue Heron,\u201d an inn between Paris and Vauclaire.\n\n"
        "She had worked for Dobbin, Tarrant and Co. in the county of Edgemoor, and Maren said so.\n"
    )
    assert "Maren" in found
    assert not {"Evening Courier", "Blue Heron", "Vauclaire", "Dobbin", "Tarrant", "Edgemoor"} & found


def test_the_rank_alone_is_the_storys_one_holder_of_it():
    text = (
        'Dr. Vell came in with Captain Rook. The Captain sat down.\n\n"Sit," said the Doctor.\n\n'
        "Later the Inspector came, and the General sent word; no one knew them.\n"
    )
    story = ficlens.run(Story(text), ["structure", "characters"])
    assert match_character(story, "the Captain").name == "Captain Rook"  # named by its name, not the epithet
    assert match_character(story, "the Doctor").name == "Dr. Vell"  # "Dr" and "Doctor" are one rank
    assert match_character(story, "the Inspector") is None and match_character(story, "the General") is None


def test_a_disclaimer_naming_the_fandom_picks_its_pack():
    body = '"Out of tea," said Ron.\n\nHermione sighed. "Again, Ron?"\n\nHarry laughed.\n'
    plain = ficlens.run(Story(body), ["structure", "characters"])
    disclaimed = ficlens.run(Story("Disclaimer: I don't own Harry Potter.\n\n" + body), ["structure", "characters"])
    assert plain.meta.extra["fandoms_detected"] == []  # three first names alone are not enough
    assert disclaimed.meta.extra["fandoms_detected"] == ["Harry Potter"]
    assert match_character(disclaimed, "Ron").canon == "Ron Weasley"


def test_fandom_pack_links_canon_and_epithets():
    story = cast("dark_lord.txt")
    lily, voldemort = match_character(story, "Lils"), match_character(story, "the Dark Lord")
    assert lily.canon == "Lily Evans Potter" and "Lily Potter" in lily.aliases
    assert voldemort.canon == "Voldemort" and "Voldemort" in voldemort.aliases
    assert match_character(story, "James").canon == "James Potter"
    assert not {"Expelliarmus", "Godric", "Godric's Hollow", "Ministry", "JKR"} & names(story)


def test_wrong_pack_adds_no_one_the_text_lacks():
    story = cast("saltmarsh.txt", fandoms=["Harry Potter - J. K. Rowling"])
    for c in story.characters:
        assert any(a in story.text for a in (c.name, *c.aliases))
        assert c.canon is None


def test_mentions_index_story_text_and_point_at_cast():
    story = cast("dark_lord.txt")
    ids = {c.id for c in story.characters}
    spans = story.spans("mentions")
    assert {s.attrs["kind"] for s in spans} == {"name", "nominal", "pronoun"}
    for s in spans:
        assert s.attrs["char"] is None or s.attrs["char"] in ids
        if s.attrs["kind"] == "name":
            assert story.text[s.start : s.end][0].isupper()
    lils = next(s for s in spans if story.text[s.start : s.end] == "Lils")
    assert lils.attrs["char"] == match_character(story, "Lily").id


def test_prominence_marks_the_central_characters():
    story = cast("saltmarsh.txt")
    main = {c.name for c in story.characters if c.main}
    assert {"Mara Quill", "Tobias Quill"} <= main and "Dr Okafor" not in main
    assert story.characters[0].attrs["paragraph_share"] > 0.5
    assert match_character(story, "Sol").id in match_character(story, "Mara").attrs["co_present"]


def test_family_titles_pet_names_and_shouting():
    story = cast("ashby_family.txt")
    eleanor, thomas = match_character(story, "Eleanor"), match_character(story, "Thomas Ashby")
    assert match_character(story, "Miss Ashby") is eleanor  # the daughter is "Miss"...
    mother = match_character(story, "Mrs. Ashby")
    assert mother not in (eleanor, None) and mother.pronouns == "she/her"  # ...the mother "Mrs."
    assert match_character(story, "Tommy") is thomas and thomas.pronouns == "he/him"
    shout = next(s for s in story.spans("mentions") if story.text[s.start : s.end] == "ELEANOR")
    assert shout.attrs["char"] == eleanor.id


def test_unnamed_stranger_described_twice_is_one_character():
    stranger = match_character(cast("ashby_family.txt"), "the cloaked woman")
    assert stranger.name == "the cloaked woman" and stranger.pronouns == "she/her"
    assert "A woman in a grey cloak" in stranger.aliases


def test_canon_nicknames_titles_and_capitals():
    story = cast("workshop.txt")
    tony = match_character(story, "Tony")
    assert tony.canon == "Tony Stark" and match_character(story, "Mr. Stark") is tony
    assert match_character(story, "Cap").canon == "Steve Rogers"
    assert match_character(story, "Buck") is match_character(story, "Bucky Barnes")
    assert match_character(story, "Nat").canon == "Natasha Romanov"
    assert match_character(story, "JARVIS").canon == "JARVIS (Marvel)"
    assert match_character(story, "Karen").canon is None


def test_shared_canon_surname_goes_to_the_one_in_the_story():
    story = cast("temple.txt")
    anakin = match_character(story, "Anakin")
    assert match_character(story, "General Skywalker") is anakin and anakin.canon == "Anakin Skywalker"
    assert match_character(story, "Snips") is match_character(story, "Commander Tano")
    assert match_character(story, "Senator Amidala") is match_character(story, "Padmé")


def test_singular_they_from_the_text():
    story = cast("observatory.txt")
    rowan = match_character(story, "Rowan")
    assert rowan.name == "Rowan Vale" and rowan.pronouns == "they/them"
    assert match_character(story, "Ilse").pronouns == "she/her"


def test_reader_insert_and_name_suffixes():
    story = cast("reader_insert.txt")
    assert match_character(story, "Y/N").pronouns == "she/her"
    sasuke = match_character(story, "Sasuke-kun")
    assert sasuke is match_character(story, "Sasuke") and sasuke.canon == "Uchiha Sasuke"
    assert match_character(story, "Kakashi-sensei").name == "Kakashi"


def test_story_without_paragraph_prose_has_no_cast():
    story = Story("Hello there.")
    story.add_layer("paragraphs", [Span(0, 12)])
    assert ficlens.run(story, ["characters"]).characters == []


def test_json_round_trip_keeps_the_cast():
    story = cast("saltmarsh.txt")
    again = Story.from_json(story.to_json())
    assert [c.to_dict() for c in again.characters] == [c.to_dict() for c in story.characters]


def test_analyze_report_shows_the_cast():
    out = CliRunner().invoke(main, ["analyze", str(FIX / "saltmarsh.txt")]).output
    assert "Cast" in out and "Mara Quill" in out and "xe/xem" in out


@pytest.mark.shared
def test_seeds_match_gold(shared):
    for gold_path in sorted((shared / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        story = ficlens.analyze(shared / "seeds" / gold["file"], ["structure", "characters"])
        for char in gold["characters"].values():
            in_text = [n for n in char["names"] if n in story.text and n != "He"]
            found = match_character(story, in_text[0])
            assert found is not None, in_text
            assert all(match_character(story, n) is found for n in in_text), (found, in_text)
            assert found.pronouns == char["pronouns"]
            assert found.canon == char["canon"]
        assert not {n.lower() for n in gold["not_characters"]} & {n.lower() for n in names(story)}


def test_b_cubed_rewards_merging_only_what_belongs_together():
    from ficlens.eval.characters import b_cubed

    gold = {"Emma": "e", "Miss Woodhouse": "e", "Mr. Elton": "m", "Elton": "m"}
    assert b_cubed(gold, {"Emma": "1", "Miss Woodhouse": "1", "Mr. Elton": "2", "Elton": "2"}) == (1.0, 1.0, 1.0)
    p, r, _ = b_cubed(gold, {"Emma": "1", "Miss Woodhouse": "1", "Mr. Elton": "1", "Elton": "1"})
    assert p == 0.5 and r == 1.0


def test_litbank_gold_keeps_proper_names_only():
    from ficlens.eval.characters import litbank_gold

    text = "Mr. Blowers met old Cotter and the Englishmen , and a man ."
    ann = "\n".join(
        [
            "T1\tPER 0 11\tMr. Blowers",
            "T2\tPER 0 3\tMr.",
            "T3\tPER 16 26\told Cotter",
            "T4\tPER 31 45\tthe Englishmen",
            "T5\tPER 50 55\ta man",
        ]
    )
    assert {text[s:e] for s, e in litbank_gold(ann, text)} == {"Mr. Blowers", "Cotter"}


def test_litbank_gold_drops_sentence_capitals_but_keeps_people_named_like_places():
    from ficlens.eval.characters import litbank_gold

    text = "Florence waved . Old Cotter smiled at old Cotter . Farmers came ."
    spans = [(0, 8), (17, 27), (51, 58)]
    ann = "\n".join(f"T{i}\tPER {s} {e}\t{text[s:e]}" for i, (s, e) in enumerate(spans))
    assert {text[s:e] for s, e in litbank_gold(ann, text)} == {"Florence", "Cotter"}


def test_eval_command_needs_exactly_one_source():
    out = CliRunner().invoke(main, ["eval", "characters"])
    assert out.exit_code == 2 and "exactly one" in out.output


def test_pet_forms_titles_and_offices():
    story = cast("rectory.txt")
    lizzy = match_character(story, "Lizzy")
    assert lizzy.name == "Elizabeth Marsh"
    assert lizzy is match_character(story, "Miss Eliza") is match_character(story, "Eliza Marsh")
    found = names(story)
    assert "Arthur Penrose" in found  # "the late Arthur Penrose": a name after a description
    assert not {"Chancellor", "Lord Chancellor", "June"} & found
    assert not any("-ing" in n or "To-day" in n for n in found)  # "Emma Harte-ing", "To-day Thomas"


def test_double_barrelled_married_name_links_to_canon():
    story = cast("married_names.txt", fandoms=["Harry Potter - J. K. Rowling"])
    hermione = match_character(story, "Hermione Granger-Weasley")
    assert hermione.canon == "Hermione Granger" and match_character(story, "Mione") is hermione


def test_stop_word_that_the_story_uses_as_a_name():
    will = match_character(cast("porch.txt"), "Will")  # not the verb: capitalised mid-sentence, with cues
    assert will is not None and will.pronouns == "he/him"


def test_eldest_sister_is_miss_surname_and_a_stray_pronoun_keeps_a_mans_title():
    story = cast("hartwell_sisters.txt")
    agnes = match_character(story, "Agnes")
    assert match_character(story, "Miss Hartwell") is agnes  # her sisters are "Miss Clara", "Miss Rose Hartwell"
    assert match_character(story, "Mrs. Hartwell") not in (agnes, None)
    ralph = match_character(story, "Ralph Denby")  # "Ralph Denby looked up ... as she came in"
    assert match_character(story, "Mr. Denby") is ralph and ralph.pronouns == "he/him"


def test_bare_surname_goes_to_the_titled_man_not_a_rare_first_name():
    story = cast("hartwell_sisters.txt")
    assert match_character(story, "Hale") is match_character(story, "Mr. Hale")  # not the widow Hale Morton


def test_lower_case_i_is_the_narrator():
    story = Story("i went home and i slept.\n\nTom said that i was late, i.e. very late.\n")
    story = ficlens.run(story, ["structure", "characters"])
    pronouns = [story.text[s.start : s.end] for s in story.spans("mentions") if s.attrs["kind"] == "pronoun"]
    assert pronouns == ["i", "i", "i"]


def test_mister_surname_as_often_as_a_sons_first_name_is_his_father():
    paras = ["George Lorimer came home with his father."]
    paras += ["George looked out of the window, and he sighed.", "Mr. Lorimer read his paper, and he laughed."] * 30
    paras += ["George smiled at the dog."] * 30
    story = ficlens.run(Story("\n\n".join(paras) + "\n"), ["structure", "characters"])
    george = match_character(story, "George")
    assert george.name == "George Lorimer" and match_character(story, "Mr. Lorimer") not in (george, None)


def test_a_real_name_joins_the_character_it_belongs_to():
    text = (
        "Captain Vane walked into the tavern, and he sat down by the fire. Nobody there knew much about Vane. "
        "His real name was Edmund Thorne, and he had not used it in years.\n\n"
        "Edmund Thorne had been a clerk once. Vane ordered a drink from Marigold.\n\n"
        "Marigold's real name was Agatha Bell. Agatha Bell had kept the tavern for twenty years, and she laughed.\n"
    )
    story = ficlens.run(Story(text), ["structure", "characters"])
    assert match_character(story, "Captain Vane") is match_character(story, "Edmund Thorne")
    agatha = match_character(story, "Marigold")
    assert agatha is match_character(story, "Agatha Bell") and agatha.pronouns == "she/her"


def test_old_before_a_name_is_an_epithet():
    text = "Horace Talbot kept the gate, and he knew everyone.\n\nThe boys ran to Old Horace, who shook his head.\n"
    story = ficlens.run(Story(text), ["structure", "characters"])
    assert match_character(story, "Old Horace") is match_character(story, "Horace Talbot") is not None


def test_his_name_is_gives_the_gender_of_the_name():
    for possessive, pronouns in (("His", "he/him"), ("Her", "she/her")):
        text = f'A stranger came in. {possessive} name is Aurel. I pour tea; Aurel drinks it.\n\n"Ta," Aurel says.\n'
        assert match_character(ficlens.run(Story(text), ["structure", "characters"]), "Aurel").pronouns == pronouns


def test_common_pet_forms_join_the_full_name():
    text = (
        "Steven Marsh opened the shop. Steve always opened it.\n\nGinevra Hale came by at noon. Steve waved.\n\n"
        '"Tea, Ginny?" Steve asked. Ginny nodded.\n'
    )
    story = ficlens.run(Story(text), ["structure", "characters"])
    assert match_character(story, "Steve") is match_character(story, "Steven Marsh")
    assert match_character(story, "Ginny") is match_character(story, "Ginevra Hale")


def test_a_title_before_lower_case_particles_keeps_the_whole_surname():
    """ "Mr. van der Luyden" and "Mrs. van der Luyden" are a husband and a wife, not one "Luyden"."""
    story = ficlens.run(
        Story('Mr. van der Luyden bowed. "Come in," said Mrs. van der Luyden. Mr. de Winter waited.\n'),
        ["structure", "characters"],
    )
    assert {(c.id, c.pronouns) for c in story.characters} >= {
        ("van_der_luyden", "he/him"),
        ("mrs_van_der_luyden", "she/her"),
        ("de_winter", "he/him"),
    }
