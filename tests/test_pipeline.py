"""The stage registry: ordering by needs, checks before running, clear errors."""

import pytest

from ficlens.analysis.pipeline import REGISTRY, Registry, Stage, run
from ficlens.errors import MissingLayer, StageError
from ficlens.story import Span, Story


def make_registry():
    reg = Registry()
    reg._loaded = True  # no built-in stages: a registry of our own
    calls = []

    def words(story):
        calls.append("words")
        story.add_layer("words", [Span(m, m + 1) for m in range(0, len(story.text), 2)])
        return story

    def count(story):
        calls.append("count")
        story.meta.extra["n"] = len(story.spans("words"))
        return story

    reg.add(Stage("count", count, ("words",), ("count",)))
    reg.add(Stage("words", words, (), ("words",)))
    return reg, calls


def test_stages_run_after_the_stages_that_make_what_they_need():
    reg, calls = make_registry()
    assert [s.name for s in reg.plan(["count", "words"])] == ["words", "count"]


def test_a_stage_registered_twice_is_an_error():
    reg, _ = make_registry()
    with pytest.raises(StageError, match="registered twice"):
        reg.add(Stage("words", lambda s: s, (), ()))


def test_missing_layer_is_reported_before_anything_runs():
    story = Story("Some text.")
    with pytest.raises(MissingLayer, match="add stage 'structure'"):
        run(story, ["quotes"] if "quotes" in REGISTRY.names() else ["narration"])
    assert story.layers == {}


def test_unknown_stage_lists_the_known_ones():
    with pytest.raises(StageError, match="known stages: .*structure"):
        run(Story("x"), ["nonsense"])


def test_default_run_skips_nothing_it_can_do():
    story = run(Story("One paragraph.\n\nAnother one."))
    assert len(story.spans("paragraphs")) == 2
