"""The held-out probe set (tests/fixtures/heldout): five original fan fiction stories with gold JSON.

They exercise conventions the seeds lack (see docs/development.md); the structure and narration
figures reached on them are asserted so that a regression shows.
"""

from conftest import FIXTURES

from ficlens.eval.narration import score_narration
from ficlens.eval.structure import score_structure

HELDOUT = FIXTURES / "heldout"


def test_heldout_structure_is_exact():
    rows, summary = score_structure(HELDOUT / "gold", HELDOUT)
    assert len(rows) == 5
    assert summary["scenes_gold"] == 14
    assert (summary["summary"], summary["notes_f1"], summary["titles_f1"], summary["scenes_exact_f1"]) == (1, 1, 1, 1)


def test_heldout_narration_is_right_in_every_scene():
    rows, summary = score_narration(HELDOUT / "gold", HELDOUT)
    assert len(rows) == 14
    assert [r["lines"] for r in rows if not r["all_ok"]] == []
    assert summary["overlap"] == 1.0
