"""Score the characters stage against the seeds' gold, LitBank entities and PDNC character lists.

- Gold JSON: every gold character found (by a name the text uses), every gold name the text uses on
  that same character, canon and pronouns right, no ``not_characters`` name in the cast.
- LitBank (brat ``.ann``): proper-name PER mentions, exact spans, each work scored by the person model
  trained without it (``person_foldK.json``). Bare titles and nationality words ("Englishmen") are
  left out of the gold. A gold PER span is a proper name
  when it starts with a capitalised word that is not a determiner; it is cut to its leading run of
  capitalised words ("James Stevenson , Esq. of South Park" -> "James Stevenson").
- PDNC (``character_info.csv``): B-cubed precision/recall/F1 of alias clustering over the gold
  aliases the stage found as name mentions; each found alias goes to the character most of its
  mentions were given. Aliases listed for two gold characters are left out. ``gender``: share of
  gold characters with M/F gender whose predicted character has the matching pronouns.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import ficlens
from ficlens.analysis import characters as ch
from ficlens.analysis import names as nm
from ficlens.analysis.names import TITLES, demonyms
from ficlens.errors import EvalError
from ficlens.eval.gold import load_gold, prf
from ficlens.story import Span, Story

_PARA = re.compile(r"[^\n]+")
_DETS = frozenset("The A An This That These Those His Her Their My Your Our Its Every Any Some No Each".split())
_NOT_BEFORE_NAME = frozenset("a an the this that these those of in from at to for with and or by 's ’s".split())
_CONNECT = frozenset("of de van von der du da di del le la".split())


def lines_story(text: str) -> Story:
    """A story whose paragraphs are the file's non-blank lines (LitBank's layout: one paragraph a line)."""
    story = Story(text)
    story.add_layer("paragraphs", [Span(m.start(), m.end()) for m in _PARA.finditer(text) if m.group().strip()])
    return story


# -- seeds' gold ---------------------------------------------------------------------------------


def score_gold(gold_dir: str | Path, texts_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """One row per gold file: characters found, names on the right character, canon, pronouns, intruders."""
    rows = []
    for gf in load_gold(gold_dir, texts_dir):
        story = ficlens.analyze(gf.text_path, ["structure", "characters"])
        chars = gf.gold.get("characters") or {}
        found = names_ok = names_total = canon_ok = pron_ok = 0
        missing = []
        for key, g in chars.items():
            used = [n for n in g.get("names", []) if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", story.text)]
            used = [n for n in used if n not in ("He", "She", "They")]
            hits = [ch.match_character(story, n) for n in used]
            best = Counter(id(h) for h in hits if h).most_common(1)
            c = next((h for h in hits if h and best and id(h) == best[0][0]), None)
            names_total += len(used)
            if c is None:
                missing.append(key)
                continue
            found += 1
            names_ok += sum(h is c for h in hits)
            canon_ok += ch.fold_name(c.canon or "") == ch.fold_name(g.get("canon") or "")
            pron_ok += c.pronouns == g.get("pronouns")
        cast = {ch.fold_name(n) for c in story.characters for n in (c.name, *c.aliases)}
        intruders = [n for n in gf.gold.get("not_characters", []) if ch.fold_name(n) in cast]
        n = len(chars) or 1
        rows.append(
            {
                "file": gf.name,
                "characters": len(chars),
                "found": found,
                "names_ok": round(names_ok / names_total, 3) if names_total else 1.0,
                "canon_ok": round(canon_ok / n, 3),
                "pronouns_ok": round(pron_ok / n, 3),
                "intruders": len(intruders),
                "cast": len(story.characters),
                "missing": ", ".join(missing + [f"!{i}" for i in intruders]),
            }
        )
    return rows


# -- LitBank -------------------------------------------------------------------------------------


def litbank_gold(ann: str, text: str) -> set[tuple[int, int]]:
    """Proper-name PER spans of one brat file, cut to the leading run of capitalised words."""
    out = set()
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[1].startswith("PER "):
            continue
        try:
            _, start, end = parts[1].split()[:3]
            start, end = int(start), int(end)
        except ValueError:
            continue
        toks = [(m.start() + start, m.end() + start, m.group()) for m in re.finditer(r"\S+", text[start:end])]
        if not toks:
            continue
        if not toks[0][2][0].isupper() or toks[0][2].capitalize() in _DETS:
            toks = toks[::-1]  # "old Cotter", "the second Sir Walter": the name at the end
        keep = 0
        for i, (_, _, t) in enumerate(toks):
            if t[0].isupper() or (t in _CONNECT and i + 1 < len(toks) and toks[i + 1][2][0].isupper()):
                keep = i + 1
            else:
                break
        if keep < len(toks) and toks[0][0] > toks[-1][0] and toks[keep][2].lower() in _NOT_BEFORE_NAME:
            continue  # "the King of England", "an Englishman": a name inside, not a proper-name mention
        toks = sorted(toks[:keep])
        if toks and toks[0][2].capitalize() in _DETS | {"I"}:
            continue
        run = toks
        if not run or all(t.rstrip(".").capitalize() in TITLES or t == "St." for _, _, t in run):
            continue  # a bare title ("Mr.", "Sir", "St."): LitBank nests these inside the full name
        if len(run) == 1 and run[0][2] in demonyms():
            continue  # "Englishmen", "Americans": a group by nationality, not a person's name
        if len(run) == 1 and _sentence_start(text, start) and _common_word(run[0][2], text):
            continue  # "Nobody", "Men", "Farmers" capitalised only because a sentence starts there
        if len(run) > 1 and _sentence_start(text, run[0][0]) and run[0][2].lower() + " " + run[1][2] in text:
            run = run[1:]  # "Old Cotter" at a sentence start, "old Cotter" elsewhere: the name is "Cotter"
        out.add((run[0][0], run[-1][1]))
    return out


_INDEFINITE = frozenset("nobody everybody somebody anybody someone everyone anyone another he she".split())


def _common_word(word: str, text: str) -> bool:
    """The text uses the word, or its singular, in lower case; it is a plural the text never capitalises
    mid-sentence; or it is an indefinite pronoun ("Nobody")."""
    low = word.lower()
    if low in _INDEFINITE:
        return True
    if low.endswith("s") and not re.search(rf"[a-z,;] {re.escape(word[:-1])}s?\b", text):
        return True  # "Farmers", "Architects": a plural never capitalised mid-sentence is a common noun
    forms = (low, low[:-1]) if low.endswith("s") else (low,)
    return any(re.search(rf"\b{re.escape(f)}\b", text) for f in forms)


def _sentence_start(text: str, i: int) -> bool:
    before = text[max(0, i - 4) : i].rstrip(" \"'`“‘")
    return not before or before[-1] in ".!?:;\n-"


def fold_models() -> dict[str, nm.PersonModel]:
    """Work -> the person model trained without it (``scripts/train_names.py`` writes the folds)."""
    out = {}
    for path in sorted(nm.MODEL_FILE.parent.glob("person_fold*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.update(dict.fromkeys(data.get("test_works", []), nm.PersonModel(data)))
    return out


def score_litbank(entities_dir: str | Path) -> list[dict[str, Any]]:
    """Per work: proper-name PER mention precision, recall, F1 (exact spans)."""
    base = Path(entities_dir)
    brat = next((d for d in (base / "entities" / "brat", base / "brat") if d.is_dir()), base)  # LitBank root works too
    files = sorted(brat.glob("*.ann"))
    if not files:
        raise EvalError(f"no brat .ann files in {brat}; pass LitBank's entities/ folder")
    held_out = fold_models()
    rows = []
    for ann in files:
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        gold = litbank_gold(ann.read_text(encoding="utf-8"), text)
        work = ann.stem.removesuffix("_brat")
        spans, _, _ = ch.find_characters(lines_story(text), packs=None, model=held_out.get(work))
        pred = {(s.start, s.end) for s in spans if s.attrs["kind"] == "name"}
        tp = len(gold & pred)
        p, r, f = prf(tp, len(pred), len(gold))
        rows.append({"work": work, "gold": len(gold), "pred": len(pred), "tp": tp, "p": p, "r": r, "f1": f})
    return rows


def micro(rows: list[dict[str, Any]], label_key: str) -> dict[str, Any]:
    """Totals and precision/recall/F1 over all mentions (the LitBank target is per mention, not per work)."""
    gold, pred, tp = (sum(r[k] for r in rows) for k in ("gold", "pred", "tp"))
    p, r, f = prf(tp, pred, gold)
    return {label_key: "all (micro)", "gold": gold, "pred": pred, "tp": tp, "p": p, "r": r, "f1": f}


# -- PDNC ----------------------------------------------------------------------------------------


def pdnc_gold(path: Path) -> dict[str, str]:
    """Alias -> gold character id, leaving out aliases two characters share and PDNC's ``_group`` rows."""
    owner: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            try:
                aliases = ast.literal_eval(row["Aliases"])
            except (ValueError, SyntaxError):
                aliases = [row["Main Name"]]
            for a in {*aliases, row["Main Name"]}:
                if a and not a.startswith("_"):
                    owner[" ".join(a.split())].add(row["Character ID"])
    return {a: next(iter(ids)) for a, ids in owner.items() if len(ids) == 1}


def pdnc_genders(path: Path) -> dict[str, str]:
    """Gold character id -> "he" or "she" (PDNC's M/F; unknown and unannotated rows left out)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["Character ID"]: {"M": "he", "F": "she"}[r["Gender"]] for r in rows if r.get("Gender") in ("M", "F")}


def gender_accuracy(gold: dict[str, str], genders: dict[str, str], pred: dict[str, str], story) -> float | None:
    """Share of gold characters (with a gender, found by some alias) whose predicted pronouns match."""
    ours = {c.id: (c.attrs.get("gender") if c.attrs.get("gender") in ("he", "she") else None) for c in story.characters}
    by_gold: dict[str, Counter] = defaultdict(Counter)
    for alias, cid in pred.items():
        if alias in gold:
            by_gold[gold[alias]][cid] += 1
    judged = [(genders[g], ours.get(v.most_common(1)[0][0])) for g, v in by_gold.items() if g in genders]
    return sum(a == b for a, b in judged) / len(judged) if judged else None


def b_cubed(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed over the items both clusterings have (item -> cluster id in each)."""
    items = [i for i in pred if i in gold]
    if not items:
        return 0.0, 0.0, 0.0
    g_of: dict[str, set[str]] = defaultdict(set)
    p_of: dict[str, set[str]] = defaultdict(set)
    for i in items:
        g_of[gold[i]].add(i)
        p_of[pred[i]].add(i)
    p = sum(len(p_of[pred[i]] & g_of[gold[i]]) / len(p_of[pred[i]]) for i in items) / len(items)
    r = sum(len(p_of[pred[i]] & g_of[gold[i]]) / len(g_of[gold[i]]) for i in items) / len(items)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def score_pdnc(pdnc_dir: str | Path) -> list[dict[str, Any]]:
    """Per novel: alias clustering B-cubed, gender accuracy, share of gold aliases found, and the stage's
    speed (thousands of words a second) and time as a multiple of reading + structure."""
    novels = sorted(p for p in Path(pdnc_dir).glob("*/") if (p / "character_info.csv").is_file())
    if not novels:
        raise EvalError(f"no */character_info.csv under {pdnc_dir}; pass PDNC's data folder")
    rows = []
    for d in novels:
        gold = pdnc_gold(d / "character_info.csv")
        t0 = time.perf_counter()
        story = ficlens.read(d / "novel_text.txt")
        ficlens.run(story, ["structure"])
        t1 = time.perf_counter()
        ch.characters(story)
        t2 = time.perf_counter()
        votes: dict[str, Counter] = defaultdict(Counter)
        for s in story.spans("mentions"):
            if s.attrs["kind"] != "pronoun" and s.attrs["char"]:
                votes[" ".join(story.text[s.start : s.end].split())][s.attrs["char"]] += 1
        pred = {a: v.most_common(1)[0][0] for a, v in votes.items()}
        p, r, f = b_cubed(gold, pred)
        words = len(story.text.split())
        gender = gender_accuracy(gold, pdnc_genders(d / "character_info.csv"), pred, story)
        rows.append(
            {
                "novel": d.name,
                "aliases": len(gold),
                "found": sum(a in pred for a in gold),
                "p": p,
                "r": r,
                "f1": f,
                "gender": round(gender, 3) if gender is not None else 0.0,
                "kwords_per_s": round(words / (t2 - t1) / 1000, 1),
                "ratio": round((t2 - t1) / (t1 - t0), 2),
            }
        )
    return rows


def summary(rows: list[dict[str, Any]], label_key: str) -> dict[str, Any]:
    """Macro averages of the float columns, totals of the int ones."""
    if not rows:
        return {}
    out: dict[str, Any] = {label_key: "mean"}
    for k, v in rows[0].items():
        if isinstance(v, bool) or k == label_key:
            continue
        if isinstance(v, float):
            out[k] = sum(r[k] for r in rows) / len(rows)
        elif isinstance(v, int):
            out[k] = sum(r[k] for r in rows)
    return out
