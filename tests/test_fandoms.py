"""Fandom packs: the shipped ones, user packs, detection, and the `ficlens fandoms` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import ficlens
from ficlens import fandoms
from ficlens.analysis.characters import match_character
from ficlens.cli import main
from ficlens.errors import FandomPackError

FIX = Path(__file__).parent / "fixtures" / "characters"

MY_PACK = """
[fandom]
id = "saltmarsh"
name = "Saltmarsh Light"
tags = ["Saltmarsh Light (Original Work)"]
markers = ["Saltmarsh", "Birdie"]

[not_characters]
places = ["Saltmarsh"]

[[character]]
name = "Mara Quill"
aliases = ["Mara"]
nicknames = ["Birdie", "the Keeper"]
pronouns = "she/her"
"""


def test_shipped_packs_cover_the_big_fandoms():
    packs = {p.id: p for p in fandoms.load_packs()}
    assert len(packs["harry_potter"].characters) >= 80
    for pid in ("marvel", "sherlock", "naruto", "star_wars"):
        assert len(packs[pid].characters) >= 30, pid
    lily = next(c for c in packs["harry_potter"].characters if c.name == "Lily Evans Potter")
    assert "Lils" in lily.nicknames and lily.pronouns == "she/her" and "Mrs Potter" in lily.ambiguous
    assert "expelliarmus" in packs["harry_potter"].not_characters


def test_every_shipped_character_has_pronouns_and_unique_name():
    for p in fandoms.load_packs():
        names = [c.name for c in p.characters]
        assert len(names) == len(set(names)), p.id
        assert all(c.pronouns for c in p.characters), p.id


def test_fandom_from_metadata_tags():
    packs = fandoms.load_packs()
    found = fandoms.from_metadata(["Harry Potter - J. K. Rowling"], packs)
    assert [p.id for p in found] == ["harry_potter"]
    assert fandoms.from_metadata(["Original Work"], packs) == []


def test_fandom_from_text_needs_two_distinctive_markers():
    packs = fandoms.load_packs()
    assert [p.id for p in fandoms.from_names({"Hogwarts", "Quidditch", "Harry"}, packs)] == ["harry_potter"]
    assert fandoms.from_names({"Harry", "John", "Mary", "London"}, packs) == []
    assert fandoms.from_names({"Sherlock Holmes"}, packs) == []  # one name, however famous


def test_user_pack_folder_from_environment(tmp_path, monkeypatch):
    (tmp_path / "saltmarsh.toml").write_text(MY_PACK, encoding="utf-8")
    monkeypatch.setenv(fandoms.ENV, str(tmp_path))
    assert "saltmarsh" in {p.id for p in fandoms.load_packs()}
    story = ficlens.read(FIX / "saltmarsh.txt")
    story.meta.fandoms = ["Saltmarsh Light (Original Work)"]
    ficlens.run(story, ["structure", "characters"])
    assert match_character(story, "Birdie").canon == "Mara Quill"


def test_broken_pack_is_one_line_naming_the_file(tmp_path):
    (tmp_path / "bad.toml").write_text("[fandom\nname = 1", encoding="utf-8")
    with pytest.raises(FandomPackError, match="bad.toml") as err:
        fandoms.load_packs([tmp_path])
    assert "\n" not in str(err.value)
    (tmp_path / "bad.toml").write_text('[fandom]\nname = "X"\n[[character]]\naliases = ["Y"]\n', encoding="utf-8")
    with pytest.raises(FandomPackError, match="character 1 needs a 'name'"):
        fandoms.load_packs([tmp_path])


def test_missing_pack_folder_says_what_to_check(tmp_path):
    with pytest.raises(FandomPackError, match="FICLENS_FANDOMS"):
        fandoms.load_packs([tmp_path / "nope"])


def test_fandoms_command_lists_packs(tmp_path):
    (tmp_path / "saltmarsh.toml").write_text(MY_PACK, encoding="utf-8")
    out = CliRunner().invoke(main, ["fandoms", "--dir", str(tmp_path), "--json"])
    assert out.exit_code == 0
    rows = {r["id"]: r for r in json.loads(out.output)}
    assert rows["harry_potter"]["characters"] >= 80 and rows["saltmarsh"]["characters"] == 1
    bad = CliRunner().invoke(main, ["fandoms", "--dir", str(tmp_path / "nope")])
    assert bad.exit_code == 1 and "FL205" in bad.output


def test_a_pack_nickname_with_an_article_is_that_canon_character():
    """"The Copy Ninja turned a page" is Kakashi, a nickname the Naruto pack lists, not an unknown description."""
    story = ficlens.Story("Kakashi sat on the post with his book. The Copy Ninja turned a page. Naruto groaned.\n")
    story.meta.fandoms = ["Naruto"]
    story = ficlens.run(story, ["structure", "characters"])
    copy_ninja = next(m for m in story.spans("mentions") if story.span_text(m) == "The Copy Ninja")
    assert copy_ninja.attrs["char"] == match_character(story, "Kakashi").id
