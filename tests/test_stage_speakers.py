"""The speakers stage: who says each quotation, to whom, and how the text tells us."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import ficlens
from ficlens.analysis import quotes, speakers
from ficlens.cli import main
from ficlens.story import Character, Span, Story

DIALOGUE = Path(__file__).parent / "fixtures" / "dialogue"


def story_with_cast(name: str, cast: dict[str, str]) -> Story:
    """A fixture with the layers the stage needs, the cast given by hand (name -> pronouns) so the
    test does not depend on how well the characters stage finds them."""
    text = (DIALOGUE / name).read_text(encoding="utf-8")
    story = Story(text)
    story.add_layer("paragraphs", [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)])
    quotes.quotes(story)
    story.characters = [Character(n.lower(), n, [n], pronouns=p) for n, p in cast.items()]
    names = re.compile(r"\b(" + "|".join(cast) + r")\b")
    story.add_layer(
        "mentions", [Span(m.start(), m.end(), attrs={"char": m.group().lower(), "kind": "name"}) for m in
                     names.finditer(text)]
    )
    return speakers.speakers(story)


def said(story: Story) -> list[tuple[str, str | None]]:
    return [(story.span_text(q), q.attrs["speaker"]) for q in story.spans("quotes") if q.attrs["kind"] != "other"]


@pytest.fixture
def lighthouse() -> Story:
    return story_with_cast("two_speakers.txt", {"Mara": "she/her", "Tobin": "he/him"})


def test_tags_pronouns_turn_taking_and_continuation(lighthouse: Story):
    assert said(lighthouse) == [
        ('"You\'re late,"', "tobin"),  # said Tobin
        ('"I know,"', "mara"),  # she said
        ('"but the tide was against me."', "mara"),  # second piece of the same utterance
        ('"The tide is always against you, Mara."', "tobin"),  # action beat: He grunted.
        ('"Only when you need me."', "mara"),  # turn-taking
        ('"Fair enough."', "tobin"),
        ('"Hand me the small wrench, Tobin, and stop sulking."', "mara"),  # vocative: not Tobin's line
        ("*He never listens,*", "mara"),  # she thought
        ('"There,"', "mara"),
        ('"It should turn now. Go and try it.', "mara"),
        ('"And if it doesn\'t, we\'ll try again tomorrow."', "mara"),  # multi-paragraph speech
    ]


def test_fast_scores_are_the_model_on_every_feature(lighthouse: Story):
    """Decoding scores candidates without building their features; training reads the features: the
    two must give the same scores, or the model would be trained on something else than it runs on."""
    model = speakers.default_model()
    fast = speakers.decode(lighthouse, model)
    full = speakers.decode(lighthouse, model, features=True)
    assert [d.candidates for d in fast] == [d.candidates for d in full]
    for d in full:
        assert d.scores == pytest.approx([model.score(f) for f in d.features])
        assert "salience" in d.features[0]


def test_cue_and_speaker_mention(lighthouse: Story):
    qs = {lighthouse.span_text(q): q.attrs for q in lighthouse.spans("quotes")}
    late = qs['"You\'re late,"']
    assert late["cue"] == "explicit"
    start, end = late["speaker_mention"]
    assert lighthouse.text[start:end] == "Tobin"
    assert qs['"I know,"']["cue"] == "anaphoric"
    assert qs['"Only when you need me."']["cue"] == "implicit"
    assert 0.0 < qs['"Only when you need me."']["confidence"] <= 1.0


def test_addressees_from_vocatives_and_the_exchange(lighthouse: Story):
    qs = {lighthouse.span_text(q): q.attrs for q in lighthouse.spans("quotes")}
    assert qs['"The tide is always against you, Mara."']["addressees"] == ["mara"]
    assert qs['"Hand me the small wrench, Tobin, and stop sulking."']["addressees"] == ["tobin"]
    assert qs['"Fair enough."']["addressees"] == ["mara"]


def test_dialogue_share_is_set_on_the_cast(lighthouse: Story):
    share = {c.id: c.attrs["dialogue_share"] for c in lighthouse.characters}
    assert share["mara"] > share["tobin"] > 0
    assert sum(share.values()) == pytest.approx(1.0, abs=0.01)


def test_first_person_narrator_is_the_one_the_others_call_by_name():
    story = story_with_cast("first_person.txt", {"Dana": "she/her", "Sam": "he/him"})
    assert said(story) == [
        ('"You came,"', "dana"),
        ('"I said I would,"', "sam"),
        ('"Did you bring the map?"', "sam"),
        ('"Of course I did, Sam."', "dana"),
    ]


def test_inverted_tags_in_single_quote_and_dash_dialogue():
    british = story_with_cast("british.txt", {"Agnes": "she/her", "Wilfred": "he/him"})
    assert [s for _, s in said(british)] == ["agnes", "wilfred", "wilfred", "agnes", "wilfred"]
    dashes = story_with_cast("dashes.txt", {"Rosa": "she/her", "Marco": "he/him"})
    assert [s for _, s in said(dashes)] == ["rosa", "marco", "rosa", "marco"]


def test_missing_model_names_the_script_that_rebuilds_it(tmp_path: Path):
    from ficlens.errors import StageError

    with pytest.raises(StageError, match="train_speakers.py"):
        speakers.Model.load(tmp_path / "speakers.json")


def test_quotes_command_filters_by_speaker_and_addressee():
    result = CliRunner().invoke(main, ["quotes", str(DIALOGUE / "dashes.txt"), "--speaker", "Marco", "--json"])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line]  # Marco has lines
    assert all('"speaker": "marco"' in line for line in result.output.splitlines() if line)
    bad = CliRunner().invoke(main, ["quotes", str(DIALOGUE / "dashes.txt"), "--to", "Nobody"])
    assert bad.exit_code == 2 and "no character called 'Nobody'" in bad.output


@pytest.mark.shared
def test_seed_speakers_end_to_end(shared):
    from ficlens.eval.quotes import load_seeds, score

    _, summary = score(load_seeds(shared / "gold"), "seeds")
    ok, n = (int(x) for x in summary["speakers_right"].split("/"))
    assert n == 62 and ok >= 60
    assert summary["kind"] == 1.0  # the scare quote is "other", never speech


def test_analyze_report_shows_lines_per_character_and_who_talks_to_whom():
    from rich.console import Console

    from ficlens.cli.quotes import dialogue_section

    story = story_with_cast("two_speakers.txt", {"Mara": "she/her", "Tobin": "he/him"})
    console = Console(record=True, width=100)
    dialogue_section(story, console)
    out = console.export_text()
    assert "Dialogue: 10 quotations" in out  # speech only: the thought is not a line
    assert "Who talks to whom" in out and "Mara" in out and "Tobin" in out


def test_scorer_matches_one_to_one_and_counts_a_missed_quote_as_a_wrong_speaker():
    from ficlens.eval.quotes import GoldDoc, GoldQuote, score_doc

    story = story_with_cast("dashes.txt", {"Rosa": "she/her", "Marco": "he/him"})
    text = story.text
    gold = [
        GoldQuote(text.index("— Where"), text.index("?") + 1, speaker=frozenset({"rosa"}), cue="explicit"),
        GoldQuote(text.index("— Out,"), text.index("— Out,") + 6, speaker=frozenset({"rosa"}), cue="explicit"),
        GoldQuote(0, 8, speaker=frozenset({"marco"}), cue="implicit"),  # narration: never found
    ]
    c = score_doc(story, GoldDoc("dashes", text, gold, corpus="pdnc"))
    assert (c["tp"], c["gold"]) == (2, 3)
    assert (c["spk_ok"], c["spk_n"]) == (1, 3)  # right, wrong speaker, not found
    assert (c["explicit_ok"], c["explicit_n"]) == (1, 2)


def test_pdnc_speaker_written_as_an_alias_goes_by_all_its_characters_names(tmp_path):
    """quotation_info may name the speaker by an alias ("Hal" for "Mr. Crane"): right answers are every
    name of that character; an alias two characters share stays only itself."""
    from ficlens.eval.quotes import load_pdnc

    novel = tmp_path / "Novel"
    novel.mkdir()
    (novel / "novel_text.txt").write_text('"Yes," said Hal. "No," said Pip.', encoding="utf-8")
    (novel / "character_info.csv").write_text(
        "Character ID,Main Name,Aliases,Gender,Category\n"
        "0,Mr. Crane,\"{'Hal', 'Henry Crane', 'Mr. Crane', 'Sir'}\",M,major\n"
        "1,Pip,\"{'Pip', 'Sir'}\",M,minor\n",
        encoding="utf-8",
    )
    (novel / "quotation_info.csv").write_text(
        "quoteID,quoteText,subQuotationList,quoteByteSpans,speaker,addressees,quoteType,referringExpression\n"
        "Q0,Yes,['Yes'],\"[[1, 4]]\",Hal,['Pip'],Explicit,Hal\n"
        "Q1,No,['No'],\"[[20, 22]]\",Sir,['Mr. Crane'],Explicit,Pip\n",
        encoding="utf-8",
    )
    (doc,) = load_pdnc(tmp_path)
    assert [q.speaker for q in doc.quotes] == [frozenset({"hal", "henry crane", "mr crane", "sir"}), frozenset({"sir"})]


def test_scorer_matches_gold_listed_out_of_text_order():
    from ficlens.eval.quotes import GoldQuote, match

    text = '"One," she said. "Two," he said. "Three."'
    pred = [Span(m.start(), m.end()) for m in re.finditer(r'"[^"]*"', text)]
    gold = [GoldQuote(s.start, s.end) for s in reversed(pred)]  # LitBank lists quotes out of order
    assert match(text, pred, gold) == {0: 2, 1: 1, 2: 0}


def test_litbank_tokens_become_prose_with_paragraphs_per_speaker():
    from ficlens.eval.quotes import _detok

    sents = [["“", "Hello", ",", "”", "said", "Ann", "."], ["“", "Sit", "down", ".", "”"], ["“", "Hi", "!", "”"],
             ["Bob", "left", "."], ["“", "Bye", ".", "”"]]
    text, offsets, paras = _detok(sents)
    assert text == "“Hello,” said Ann. “Sit down.”\n\n“Hi!”\n\nBob left.\n\n“Bye.”"
    assert text[offsets[(2, 1)] :].startswith("Hi")
    # Ann goes on after her tag; a new quote after a quote or after narration is a new paragraph
    assert [text[a:b] for a, b in paras] == ["“Hello,” said Ann. “Sit down.”", "“Hi!”", "Bob left.", "“Bye.”"]


@pytest.mark.shared
def test_eval_quotes_command_on_the_seeds(shared):
    import json

    result = CliRunner().invoke(main, ["eval", "quotes", str(shared / "gold"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    assert summary["F1"] == 1.0 and summary["addressee"] >= 0.9


def test_an_unnamed_first_person_narrator_keeps_the_turns_and_becomes_the_narrator():
    story = story_with_cast("unnamed_narrator.txt", {"Oskar": "he/him"})
    assert said(story) == [
        ('"You\'re late,"', "oskar"),
        ('"The road was flooded,"', "narrator"),  # I said
        ('"It always is."', "oskar"),
        ('"Then you should have waited longer."', "narrator"),
    ]
    narrator = story.character("narrator")
    assert (narrator.name, narrator.aliases) == ("the narrator", ["I"])


def test_a_speaker_the_tags_describe_is_a_character_of_its_own():
    story = Story(
        '"Who are you?" said the Gardener.\n\n"Nobody," said Wren.\n\n"Nobody is a fine name," the Gardener '
        'replied.\n\n"Off with you," said the old porter. He waved a broom.\n\n"Going," said Wren.\n\n'
        '"Run!" cried the twins.\n\n"Halt!" called a sentry behind them.'
    )
    story.add_layer("paragraphs", [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", story.text)])
    quotes.quotes(story)
    story.characters = [Character("wren", "Wren", ["Wren"], pronouns="she/her")]
    story.add_layer("mentions", [Span(m.start(), m.end(), attrs={"char": "wren", "kind": "name"})
                                 for m in re.finditer("Wren", story.text)])
    speakers.speakers(story)
    assert [q.attrs["speaker"] for q in story.spans("quotes")] == [
        "the_gardener", "wren", "the_gardener", "the_porter", "wren", "the_twins", "the_sentry"
    ]
    porter = story.character("the_porter")
    assert (porter.name, porter.pronouns) == ("the old porter", "he/him")  # from "He waved"
    twins = story.character("the_twins")
    assert (twins.pronouns, twins.attrs["group"]) == ("they/them", True)


def test_an_epithet_for_someone_named_makes_no_new_character():
    text = 'Corin leaned on the gate.\n\n"You\'re late, Tam," said the blonde.\n\n"The mare threw a shoe," Tam said.'
    story = Story(text)
    story.add_layer("paragraphs", [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)])
    quotes.quotes(story)
    story.characters = [Character(n.lower(), n, [n], pronouns="he/him") for n in ("Corin", "Tam")]
    story.add_layer("mentions", [Span(m.start(), m.end(), attrs={"char": m.group().lower(), "kind": "name"})
                                 for m in re.finditer("Corin|Tam", text)])
    speakers.speakers(story)
    assert [q.attrs["speaker"] for q in story.spans("quotes")] == ["corin", "tam"]
    assert [c.id for c in story.characters] == ["corin", "tam"]


def test_a_role_the_narration_puts_beside_a_name_is_that_character():
    text = 'Ilse Varga, the painter, wiped her brushes.\n\nTomas came in.\n\n"Sit down," said the painter.'
    story = Story(text)
    story.add_layer("paragraphs", [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)])
    quotes.quotes(story)
    story.characters = [Character("ilse_varga", "Ilse Varga", ["Ilse Varga"], pronouns="she/her"),
                        Character("tomas", "Tomas", ["Tomas"], pronouns="he/him")]
    story.add_layer("mentions", [Span(m.start(), m.end(), attrs={"char": m.group().lower().replace(" ", "_"),
                                                                 "kind": "name"})
                                 for m in re.finditer("Ilse Varga|Tomas", text)])
    speakers.speakers(story)
    assert [q.attrs["speaker"] for q in story.spans("quotes")] == ["ilse_varga"]
    assert len(story.characters) == 2
    assert story.character("ilse_varga").aliases == ["Ilse Varga", "the painter"]  # a name the story uses


def test_a_fandom_house_in_a_tag_is_someone_named_not_a_new_character():
    text = ("Harry Potter met Draco Malfoy by the lake at Hogwarts. Draco sneered at him.\n\n"
            '"Potter," said the Slytherin. "Lost again?"\n\n"Go away, Malfoy," Harry said.\n')
    story = ficlens.analyze(Story(text))
    assert [q.attrs["speaker"] for q in story.spans("quotes")] == ["draco_malfoy", "draco_malfoy", "harry_potter"]
    assert not any(c.attrs.get("described") for c in story.characters)


def test_a_name_called_in_a_later_piece_of_the_utterance_is_not_its_speaker():
    story = story_with_cast("vocative_second_piece.txt", {"Mara": "she/her", "Tessa": "she/her"})
    assert [spk for _, spk in said(story)] == ["mara", "mara"]  # "..., Tessa." calls Tessa: she said is Mara


def test_he_said_leans_on_the_first_man_of_the_narration_before_it():
    story = story_with_cast("first_of_gender.txt", {"Tobin": "he/him", "Arlo": "he/him"})
    (d,) = speakers.decode(story, speakers.default_model(), features=True)
    firsts = [c for c, f in zip(d.candidates, d.features, strict=True) if f.get("gender_first")]
    assert firsts == ["tobin"]  # the sentence's subject, not Arlo named after it
    lasts = {c: sorted(k for k in f if k.startswith("gender_last"))
             for c, f in zip(d.candidates, d.features, strict=True)}
    assert lasts["arlo"] == ["gender_last", "gender_last_subject"]  # "When Arlo finally looked up": a subject
    assert lasts["tobin"] == []


def test_a_capitalised_pronoun_opens_an_action_beat():
    """"He looked at the sky and said, ..." is his line: a beat's sentence-initial "He" or "She" counts."""
    story = story_with_cast("capital_beats.txt", {"Wren": "she/her", "Oskar": "he/him", "Ida": "she/her"})
    assert said(story)[1] == ('"It won\'t drop before dark."', "oskar")
    assert story.spans("quotes")[1].attrs["cue"] == "anaphoric"


def test_an_untagged_line_leans_on_the_tags_of_the_turns_after_it():
    """Nothing tags the opening question, but Mara answers it and Tobin speaks after her: it is Tobin's."""
    story = story_with_cast("later_tags.txt", {"Mara": "she/her", "Tobin": "he/him"})
    assert [spk for _, spk in said(story)] == ["tobin", "mara", "tobin", "tobin"]


def test_each_pov_scene_has_its_own_first_person_narrator():
    """Under "~Mara~" the untagged "I" lines are Mara's; under "~Tobin~" they are Tobin's."""
    story = ficlens.analyze(ficlens.read(DIALOGUE / "two_narrators.txt"))
    assert [spk for _, spk in said(story)] == ["tobin", "mara", "tobin", "mara", "tobin", "mara"]


def test_said_his_wife_is_the_wife_of_the_man_just_addressed():
    """"My dear Mr. Ashby," said his wife: Mrs. Ashby, though Mr. Corran was the last man named."""
    story = ficlens.analyze(ficlens.read(DIALOGUE / "his_wife.txt"))
    assert [q.attrs["speaker"] for q in story.spans("quotes")] == ["mrs_ashby", "mrs_ashby"]


def test_a_quote_that_was_someones_reply():
    """"...," was Mrs. Orme's last request / was her quiet answer: the owner of the reply speaks."""
    story = ficlens.analyze(ficlens.read(DIALOGUE / "whose_reply.txt"))
    assert [q.attrs["speaker"] for q in story.spans("quotes")][:2] == ["mrs_orme", "mr_orme"]
    last = story.spans("quotes")[-1]
    assert last.attrs["cue"] == "anaphoric" and story.text[slice(*last.attrs["speaker_mention"])] == "her"


def test_a_quote_that_calls_someone_madam_leans_away_from_the_women():
    story = Story('Mara and Tobin stood at the counter.\n\n"Yes, madam, at once."\n')
    story.add_layer("paragraphs", [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", story.text)])
    quotes.quotes(story)
    story.characters = [Character("mara", "Mara", ["Mara"], pronouns="she/her"),
                        Character("tobin", "Tobin", ["Tobin"], pronouns="he/him")]
    story.add_layer("mentions", [Span(m.start(), m.end(), attrs={"char": m.group().lower(), "kind": "name"})
                                 for m in re.finditer("Mara|Tobin", story.text)])
    (d,) = speakers.decode(story, speakers.default_model(), features=True)
    own = {c: "calls_own_gender" in f for c, f in zip(d.candidates, d.features, strict=True)}
    assert own == {"mara": True, "tobin": False}
    assert speakers.default_model().weights["calls_own_gender"] < 0


@pytest.mark.parametrize("verb", ["quipped", "countered", "interposed", "remonstrated", "assented"])
def test_less_common_speech_verbs_make_a_tag(verb):
    story = ficlens.analyze(Story(f'Nell and Tomas sat on the wall.\n\n"Fine by me," {verb} Tomas.\n'))
    (q,) = story.spans("quotes")
    assert (q.attrs["speaker"], q.attrs["cue"]) == ("tomas", "explicit")


@pytest.mark.parametrize("tag", ["Naruto and Sakura yelled together.", "cried Naruto and Sakura."])
def test_a_group_tag_credits_everyone_it_names(tag, tmp_path):
    text = f'Naruto and Sakura waited by the gate for Kakashi.\n\n"You are late!" {tag}\n\n"Sorry," said Kakashi.\n'
    (tmp_path / "fic.txt").write_text(text, encoding="utf-8")
    story = ficlens.analyze(Story(text))
    late = story.spans("quotes")[0]
    assert late.attrs["speakers"] == ["naruto", "sakura"] and late.attrs["cue"] == "explicit"
    assert late.attrs["speaker"] in late.attrs["speakers"]
    assert story.character("sakura").attrs["dialogue_share"] == 0.5  # one of the two attributed lines
    result = CliRunner().invoke(main, ["quotes", str(tmp_path / "fic.txt"), "--speaker", "Sakura", "--json"])
    assert [json.loads(line)["speakers"] for line in result.output.splitlines()] == [["naruto", "sakura"]]


def test_a_name_with_a_relative_clause_before_the_speech_verb_is_the_speaker():
    text = ('Behind them Rook grumbled at the cold, and Wenna, who was still wrapped in both blankets, said '
            'faintly, "He says the fire has gone out again."\n')
    story = ficlens.analyze(Story(text))
    (q,) = story.spans("quotes")
    assert (q.attrs["speaker"], q.attrs["cue"]) == ("wenna", "explicit")


def test_said_the_stranger_is_someone_of_their_own_even_beside_a_named_man():
    text = ('Tomas was sweeping the step when the gate creaked.\n\n"Is this the ferry house?" asked the stranger.\n\n'
            '"It was," said Tomas.\n')
    story = ficlens.analyze(Story(text))
    assert [q.attrs["speaker"] for q in story.spans("quotes")] == ["the_stranger", "tomas"]
    assert story.character("the_stranger").attrs["described"]


def test_a_first_person_narrator_without_i_said_tags_still_speaks():
    """Narration in "I" with beats ("I shrugged.") but no "I said": the narrator is a speaker all the same."""
    story = ficlens.analyze(ficlens.read(DIALOGUE / "first_person_beats.txt"))
    narrator = next(c.id for c in story.characters if c.attrs.get("narrator"))
    assert [spk for _, spk in said(story)] == ["marcus", narrator, "marcus", narrator]


def test_a_reader_insert_without_you_say_tags_gives_you_your_lines():
    story = ficlens.analyze(ficlens.read(DIALOGUE / "second_person_beats.txt"))
    you = next(c.id for c in story.characters if c.attrs.get("narrator"))
    assert [spk for _, spk in said(story)] == ["ilse_varga", you, "ilse_varga"]


def test_the_narrator_the_narration_stage_names_gets_the_unnamed_narrators_lines():
    """"My name is Wren Adair": narration names the narrator, so her lines are Wren's, not a placeholder's."""
    story = ficlens.analyze(ficlens.read(DIALOGUE / "self_named_narrator.txt"))
    assert [spk for _, spk in said(story)] == ["tobias_hale", "wren_adair", "tobias_hale"]
    assert not any(c.attrs.get("narrator") for c in story.characters)  # the placeholder is gone
    assert story.character("wren_adair").attrs["dialogue_share"] == pytest.approx(1 / 3, abs=1e-3)
