import pytest
from conftest import EXAMPLES

import ficlens
from ficlens.errors import LayerError, SchemaError
from ficlens.story import Character, Span, Story


def test_json_round_trip_is_exact():
    s = Story("Hello \u201cthere\u201d.\r\n\r\nBye.")
    s.meta.title = "T"
    s.add_layer("chapters", [Span(0, 20, attrs={"title": "One"})], producer="structure/1")
    s.add_layer("mentions", [Span(0, 5, attrs={"char": "c1"}), Span(0, 3)])
    s.characters = [Character("c1", "Hello", ["Hi"], mentions=1, attrs={"gender": "she"})]
    again = Story.from_json(s.to_json())
    assert again.to_json() == s.to_json()
    assert again.spans("chapters")[0].attrs["title"] == "One"


def test_span_outside_text_is_an_error_not_clipped():
    with pytest.raises(LayerError, match="outside the text"):
        Story("abc").add_layer("mentions", [Span(1, 9)])


def test_strict_layer_rejects_overlaps_and_points_to_loose_layers():
    with pytest.raises(LayerError, match="loose layer"):
        Story("abcdef").add_layer("paragraphs", [Span(0, 4), Span(2, 6)])


def test_wrong_schema_is_rejected_with_a_hint():
    with pytest.raises(SchemaError, match="ficlens analyze"):
        Story.from_json('{"schema": "other/9", "text": ""}')


def test_normalized_copy_maps_back_to_original_offsets():
    raw = "\ufeffShe said \u00e2\u20ac\u0153hi\u00e2\u20ac\u009d.\r\nOK"
    s = Story(raw)
    clean = s.normalized
    assert clean.text == "She said \u201chi\u201d.\nOK"
    i = clean.text.index("hi")
    assert raw[clean.to_original(i) : clean.to_original(i + 2, end=True)] == "hi"
    assert s.text == raw


def test_attrs_cannot_shadow_the_span_keys():
    with pytest.raises(LayerError, match="reserved"):
        Story("abc").add_layer("scenes", [Span(0, 3, attrs={"label": "x"})])


def test_every_sample_story_round_trips_through_json_after_full_analysis():
    for path in sorted(EXAMPLES.glob("*.txt")):
        data = ficlens.analyze(path).to_json()
        assert Story.from_json(data).to_json() == data, path.name
