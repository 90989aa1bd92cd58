"""Score the narration stage: person, narrator/focal and tense per gold scene; narrative person on PDNC.

Gold scenes are given as line ranges; each is scored against the predicted scene that overlaps it
most (the overlap share is reported, so scene boundaries that are off show up beside the score).
In a first-person scene the gold ``focal`` is the narrator. A character is right when the predicted
character's name or one of its aliases is among the gold names, or is the given name of a gold full
name ("Jake" for "Jake Barnes"; PDNC's alias lists leave some given names out), case-insensitive.

PDNC's index gives each novel's narrative person (1 or 3); the narrator of a first-person novel is
the character whose aliases include ``_narr`` in ``character_info.csv``.
"""

from __future__ import annotations

import ast
import csv
from collections import Counter
from pathlib import Path
from typing import Any

import ficlens
from ficlens.analysis.names import TITLES
from ficlens.errors import EvalError
from ficlens.eval.gold import load_gold
from ficlens.story import Span, Story


def score_narration(gold_dir: str | Path, texts_dir: str | Path | None = None) -> tuple[list[dict], dict]:
    """One row per gold scene and a summary row of accuracies."""
    rows: list[dict[str, Any]] = []
    for g in load_gold(gold_dir, texts_dir):
        story = ficlens.analyze(g.text_path)
        starts = _line_starts(story.text)
        names = {cid: c.get("names", []) for cid, c in g.gold.get("characters", {}).items()}
        for gs in g.gold.get("scenes", []):
            a = starts[gs["first_line"] - 1]
            b = starts[min(gs["last_line"], len(starts) - 1)]
            pred, overlap = _best_overlap(story.spans("scenes"), a, b)
            attrs = pred.attrs if pred else {}
            person = attrs.get("person")
            who = attrs.get("narrator") if person == "first" else attrs.get("focal")
            row = {
                "file": g.name,
                "lines": f"{gs['first_line']}-{gs['last_line']}",
                "overlap": round(overlap, 2),
                "person": f"{gs['person']}/{person}",
                "person_ok": gs["person"] == person,
                "who": f"{gs.get('focal')}/{_name(story, who)}",
                "who_ok": _same_character(story, who, names.get(gs.get("focal") or "", [])),
                "tense": f"{gs['tense']}/{attrs.get('tense')}",
                "tense_ok": gs["tense"] == attrs.get("tense"),
            }
            row["all_ok"] = row["person_ok"] and row["who_ok"] and row["tense_ok"]
            rows.append(row)
    n = len(rows) or 1
    summary = {"file": "ALL", "lines": f"{len(rows)} scenes", "overlap": sum(r["overlap"] for r in rows) / n}
    summary |= {k: sum(r[k] for r in rows) / n for k in ("person_ok", "who_ok", "tense_ok", "all_ok")}
    return rows, summary


def score_pdnc(pdnc_dir: str | Path) -> tuple[list[dict], dict]:
    """One row per PDNC novel: narrative person (narration words' majority) and narrator naming."""
    root = Path(pdnc_dir)
    index = root / "PDNC-Novel-Index.csv"
    if not index.is_file():
        raise EvalError(f"{index} not found; pass the PDNC folder that holds PDNC-Novel-Index.csv")
    rows: list[dict[str, Any]] = []
    with index.open(encoding="utf-8") as f:
        novels = [r for r in csv.DictReader(f) if r.get("Folder Name")]
    for novel in novels:
        folder = root / novel["Folder Name"]
        gold_person = {"1.0": "first", "2.0": "second", "3.0": "third"}.get(novel["Narrative Person"])
        story = ficlens.analyze(folder / "novel_text.txt")
        person, narrator, share = novel_person(story)
        gold_narr = _pdnc_narrator(folder / "character_info.csv") if gold_person == "first" else None
        rows.append(
            {
                "novel": novel["Folder Name"],
                "person": f"{gold_person}/{person}",
                "person_ok": gold_person == person,
                "first_share": round(share, 3),
                "narrator": f"{gold_narr[0] if gold_narr else '-'}/{_name(story, narrator) or '-'}",
                "narrator_ok": _same_character(story, narrator, gold_narr[1]) if gold_narr else "-",
            }
        )
    named = [r for r in rows if isinstance(r["narrator_ok"], bool)]
    summary = {
        "novel": f"ALL {len(rows)}",
        "person_ok": sum(r["person_ok"] for r in rows) / (len(rows) or 1),
        "narrator_ok": f"{sum(r['narrator_ok'] for r in named)}/{len(named)}",
    }
    return rows, summary


def novel_person(story: Story) -> tuple[str | None, str | None, float]:
    """A whole work's person and narrator: the majority over its scenes, weighted by narration words."""
    by_person: Counter = Counter()
    narrators: Counter = Counter()
    for sc in story.spans("scenes"):
        words = sc.attrs.get("narration_words", 0)
        by_person[sc.attrs.get("person")] += words
        if sc.attrs.get("person") == "first" and sc.attrs.get("narrator"):
            narrators[sc.attrs["narrator"]] += words
    total = sum(by_person.values())
    person = by_person.most_common(1)[0][0] if total else None
    narrator = narrators.most_common(1)[0][0] if narrators and person == "first" else None
    return person, narrator, by_person["first"] / total if total else 0.0


def _pdnc_narrator(path: Path) -> tuple[str, list[str]] | None:
    """The (main name, names) of the character PDNC marks as narrator (alias ``_narr``), if any."""
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            aliases = ast.literal_eval(row.get("Aliases") or "set()")
            if any(a.lower().strip("_") == "narr" for a in aliases):
                names = [row["Main Name"], *(a for a in aliases if a.lower().strip("_") != "narr")]
                return row["Main Name"], names
    return None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, c in enumerate(text):
        if c == "\n":
            starts.append(i + 1)
    starts.append(len(text) + 1)
    return starts


def _best_overlap(scenes: list[Span], a: int, b: int) -> tuple[Span | None, float]:
    best, most = None, 0
    for s in scenes:
        o = min(s.end, b) - max(s.start, a)
        if o > most:
            best, most = s, o
    return best, most / max(b - a, 1)


def _name(story: Story, char_id: str | None) -> str | None:
    c = story.character(char_id)
    return c.name if c else char_id


def _same_character(story: Story, char_id: str | None, gold_names: list[str]) -> bool:
    """Right when a name of the predicted character is a gold name, or the given name of a gold full name."""
    if not gold_names:
        return char_id is None
    c = story.character(char_id)
    if c is None:
        return False
    gold = {n.lower() for n in gold_names}
    gold |= {n.split()[0].lower() for n in gold_names if len(n.split()) > 1 and n.split()[0].rstrip(".") not in TITLES}
    return any(n.lower() in gold for n in (c.name, *c.aliases))
