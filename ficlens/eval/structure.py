"""Score the structure stage: summary, notes, chapter titles and scene boundaries against gold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ficlens
from ficlens.eval.gold import line_of, load_gold, prf, squash


def score_structure(gold_dir: str | Path, texts_dir: str | Path | None = None) -> tuple[list[dict], dict]:
    """Per-file rows and a summary row; scene boundaries are compared as (first line, last line)."""
    rows: list[dict[str, Any]] = []
    totals = {"notes": [0, 0, 0], "titles": [0, 0, 0], "scenes": [0, 0, 0], "summary": 0}
    for g in load_gold(gold_dir, texts_dir):
        story = ficlens.analyze(g.text_path, ["structure"])
        gold = g.gold
        summary_ok = squash(story.meta.summary) == squash(gold.get("summary"))
        notes_pred = {squash(n) for n in story.meta.notes}
        notes_gold = {squash(n) for n in gold.get("notes", [])}
        titles_pred = [c.attrs.get("title") for c in story.spans("chapters") if c.attrs.get("title")]
        titles_gold = list(gold.get("chapter_titles", []))
        scenes_pred = {(line_of(story.text, s.start), line_of(story.text, s.end - 1)) for s in story.spans("scenes")}
        scenes_gold = {(s["first_line"], s["last_line"]) for s in gold.get("scenes", [])}
        counts = {
            "notes": (len(notes_pred & notes_gold), len(notes_pred), len(notes_gold)),
            "titles": (len(set(titles_pred) & set(titles_gold)), len(titles_pred), len(titles_gold)),
            "scenes": (len(scenes_pred & scenes_gold), len(scenes_pred), len(scenes_gold)),
        }
        for k, c in counts.items():
            totals[k] = [a + b for a, b in zip(totals[k], c, strict=True)]
        totals["summary"] += summary_ok
        rows.append(
            {
                "file": g.name,
                "summary": summary_ok,
                "notes_f1": prf(*counts["notes"])[2],
                "titles_f1": prf(*counts["titles"])[2],
                "scenes_gold": len(scenes_gold),
                "scenes_found": len(scenes_pred),
                "scenes_exact_f1": prf(*counts["scenes"])[2],
            }
        )
    summary = {
        "file": "ALL",
        "summary": totals["summary"] / len(rows),
        "notes_f1": prf(*totals["notes"])[2],
        "titles_f1": prf(*totals["titles"])[2],
        "scenes_gold": totals["scenes"][2],
        "scenes_found": totals["scenes"][1],
        "scenes_exact_f1": prf(*totals["scenes"])[2],
    }
    return rows, summary
