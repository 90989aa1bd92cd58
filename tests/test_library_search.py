import pytest
from library_helpers import add_story, make_story

from ficlens.errors import LibraryError
from ficlens.library.search import Query, search
from ficlens.library.store import Library
from ficlens.story import Character

LILY = Character("lily_potter", "Lily Potter", ["Lily Evans"], mentions=9, main=True)
JAMES = Character("james_potter", "James Potter", ["Prongs"], mentions=7, main=True)
MARA = Character("mara", "Mara Quell", [], mentions=8, main=True)
TOBIN = Character("tobin", "Tobin Ash", [], mentions=2)


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib.db") as lib:
        lib.ids = {
            "survive": add_story(lib, make_story(
                "Lily survived the night. \u201cRun,\u201d James told her, and Lily survived again.\n\n"
                "The house burned but the girl lived.\n",
                title="What Remains", authors=["ember"], fandoms=["Harry Potter - J. K. Rowling"],
                rating="Teen And Up Audiences", warnings=["No Archive Warnings Apply"], words=2400, complete=True,
                relationships=["James Potter/Lily Evans Potter"], characters=[LILY, JAMES],
                scenes=[{"person": "first", "narrator": "lily_potter", "tense": "past"}],
                quotes=[{"text": "\u201cRun,\u201d", "speaker": "james_potter", "addressees": ["lily_potter"]}],
            )),
            "death": add_story(lib, make_story(
                "Nobody survived the winter at the lighthouse. Mara kept the lamp lit for the survivors.\n",
                title="Lamp", authors=["quill"], fandoms=["Original Work"], rating="Mature",
                warnings=["Major Character Death"], words=9000, complete=False, characters=[MARA, TOBIN],
                scenes=[{"person": "third", "focal": "mara", "tense": "present"}],
                quotes=[], language="English",
            )),
            "other": add_story(lib, make_story(
                "A quiet story about tea and rain and Lily the cat.\n",
                title="Tea", authors=["moss"], fandoms=["Harry Potter - J. K. Rowling"], rating="General Audiences",
                words=800, complete=True, characters=[], language="English",
            )),
        }
        yield lib


def ids(lib, **kw):
    return [h.id for h in search(lib, Query(**kw)).hits]


def test_full_text_ranks_the_story_with_the_words_first_and_shows_them(lib):
    res = search(lib, Query(text="Lily survived"))
    assert res.hits[0].id == lib.ids["survive"]
    assert "**Lily** **survived**" in res.hits[0].snippet


def test_phrases_prefixes_and_boolean(lib):
    assert ids(lib, text='"lamp lit"') == [lib.ids["death"]]
    assert set(ids(lib, text="surviv*")) == {lib.ids["survive"], lib.ids["death"]}
    assert ids(lib, text="survived NOT lighthouse") == [lib.ids["survive"]]
    assert ids(lib, text="survived -lighthouse") == [lib.ids["survive"]]
    assert set(ids(lib, text="tea OR lamp")) == {lib.ids["death"], lib.ids["other"]}
    assert ids(lib, text="Lily's") == []  # punctuation is quoted, never a syntax error


def test_phrase_and_near_searches_as_a_user_types_them(lib):
    survive = [lib.ids["survive"]]
    assert ids(lib, text='"Lily survived"') == survive
    assert ids(lib, text="\u201cLily survived\u201d") == survive  # pasted typographic quotes
    assert ids(lib, text='"survived Lily"') == []
    assert ids(lib, text="NEAR(Lily James)") == ids(lib, text="Lily NEAR James") == survive
    # "... the night. “Run,” James told her": two words between "night" and "told"
    for text in ("NEAR(night told, 2)", "near(night told,2)", "night NEAR/2 told", 'NEAR("the night" told, 2)'):
        assert ids(lib, text=text) == survive, text
    assert ids(lib, text="NEAR(night told, 1)") == ids(lib, text="night NEAR/1 told") == []
    assert ids(lib, text="Lily (James OR tea)") == ids(lib, text="Lily AND (James OR tea)")
    assert set(ids(lib, text="(Lily -James) OR lighthouse")) == {lib.ids["other"], lib.ids["death"]}
    assert ids(lib, text='Lily -"Lily survived"') == [lib.ids["other"]]
    assert ids(lib, text="Lily -* ,") == ids(lib, text="Lily")  # stray punctuation is dropped, not an error


@pytest.mark.parametrize(
    ("text", "message"),
    [("(lily", "parentheses"), ('"lily survived', "unbalanced quote"), ("lily AND", "join two words"),
     ("NOT james", "join two words"), ("lily OR OR james", "join two words"), ("NEAR(Lily)", "two or more words"),
     ("NEAR(Lily OR James)", "two or more words"), ("Lily NEAR", "NEAR joins two words"), ("(-James)", "besides"),
     ("*", "needs a word to look for: "), ('""', "needs a word")],
)
def test_malformed_search_is_a_clear_error(lib, text, message):
    with pytest.raises(LibraryError, match=message):
        search(lib, Query(text=text))


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("fandom", "Harry Potter", {"survive", "other"}),
        ("rating", "m", {"death"}),
        ("warning", "major character death", {"death"}),
        ("character", "Lily", {"survive"}),
        ("character", "Prongs", {"survive"}),
        ("main", "mara", {"death"}),
        ("main", "tobin", set()),
        ("speaker", "James", {"survive"}),
        ("relationship", "James/Lily", {"survive"}),
        ("pov", "first", {"survive"}),
        ("narrator", "Lily", {"survive"}),
        ("focal", "Mara", {"death"}),
        ("tense", "present", {"death"}),
        ("author", "quill", {"death"}),
        ("language", "english", {"death", "other"}),
    ],
)
def test_every_filter_and_its_exclusion(lib, field, value, expected):
    everything = set(lib.ids)
    got = {k for k, v in lib.ids.items() if v in ids(lib, include={field: [value]})}
    assert got == expected
    left = {k for k, v in lib.ids.items() if v in ids(lib, exclude={field: [value]})}
    assert left == everything - expected


def test_ranges_complete_and_combined_with_text(lib):
    assert ids(lib, max_words=5000, complete=True, sort="shortest") == [lib.ids["other"], lib.ids["survive"]]
    assert ids(lib, text="survived", min_words=5000) == [lib.ids["death"]]
    q = Query(text="survived", include={"fandom": ["harry potter"], "pov": ["first"]},
              exclude={"warning": ["Major Character Death"]})
    assert [h.id for h in search(lib, q).hits] == [lib.ids["survive"]]


def test_paging_and_total(lib):
    res = search(lib, Query(per_page=2, page=2, sort="title"))
    assert res.total == 3 and [h.title for h in res.hits] == ["What Remains"]


def test_saved_searches_and_exclusions_persist(lib, tmp_path):
    q = Query(text="survived", include={"fandom": ["Harry Potter"]})
    lib.save_search("hp", q.to_dict())
    lib.set_exclusion("warning", "Major Character Death")
    with Library(lib.path) as again:
        assert Query.from_dict(again.saved_search("hp")) == q
        assert ids(again) == [lib.ids["other"], lib.ids["survive"]]
        assert lib.ids["death"] in ids(again, use_exclusions=False)
    with pytest.raises(LibraryError, match="no saved search 'nope'"):
        lib.saved_search("nope")


def test_author_matches_whole_words_only(tmp_path):
    with Library(tmp_path / "authors.db") as lib:
        for name in ("Ann", "Joanna", "Annabel", "Mary Ann", "Ann (annwrites)", "ann_writes", "Zo\u00eb Ann\u00e9"):
            add_story(lib, make_story(f"A story by {name}.\n", title=name, authors=[name]))

        def by(author: str) -> set[str]:
            return {h.title for h in search(lib, Query(include={"author": [author]})).hits}

        assert by("Ann") == {"Ann", "Mary Ann", "Ann (annwrites)", "ann_writes"}
        assert by("ANN") == by("ann") and by("joanna") == {"Joanna"}
        assert by("mary ann") == {"Mary Ann"} and by("Annwrites") == {"Ann (annwrites)"}
        assert by("ann\u00e9") == {"Zo\u00eb Ann\u00e9"} and by("zo\u00eb") == {"Zo\u00eb Ann\u00e9"}
        assert by("an*") == set()  # GLOB characters are literal
        left = {h.title for h in search(lib, Query(exclude={"author": ["Ann"]})).hits}
        assert left == {"Joanna", "Annabel", "Zo\u00eb Ann\u00e9"}
