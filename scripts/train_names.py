"""Train the person-name model (``ficlens/models/person*.json``) on LitBank entities.

    .venv/bin/pip install numpy
    .venv/bin/python scripts/train_names.py [--shared ../shared] [--folds 5]

Every capitalised name the characters stage would have to judge (after titles, determiners and the
fandom pack have had their say) becomes one example per work: its whole-story features
(``ficlens.analysis.names.FEATURES``), whether most of its mentions overlap a gold PER span, and
its number of mentions, which weights it (the score is per mention).
The model is a logistic regression fitted by gradient descent with a little L2; it is small (one
weight per feature) and runs in pure Python in the stage.

LitBank is split into folds by work; ``person_foldK.json`` is trained on every work but fold K's
(listed as ``test_works``), which ``ficlens eval characters --litbank`` uses so that no work is
scored by a model that saw it. ``person.json`` is trained on all of LitBank.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from ficlens.analysis import characters as ch
from ficlens.analysis import names as nm
from ficlens.eval import characters as ev

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "ficlens" / "models"


def examples(ann: Path) -> tuple[list[list[float]], list[int], list[int]]:
    """Features, labels and mention counts of the names in one LitBank work."""
    text = ann.with_suffix(".txt").read_text(encoding="utf-8")
    gold = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        m = re.match(r"T\d+\tPER (\d+) (\d+)\t", line)
        if m:
            gold.append((int(m.group(1)), int(m.group(2))))
    story = ev.lines_story(text)
    paras = ch.prose_paragraphs(story)
    runs = nm.scan(text, paras)
    st = nm.stats(runs)
    canon = ch.Canon([])
    words = ch.Words(text)
    given = nm.given_names()
    votes: dict[tuple[str, ...], list[int]] = {}
    for r in runs:
        if r.det:
            continue
        toks = ch.strip_run(r, st, canon, given)
        if not toks or ch.known_person(toks, st, canon) is not None:
            continue
        s = r.start + text[r.start : r.end].find(toks[0])
        votes.setdefault(toks, []).append(any(a < r.end and s < b for a, b in gold))
    xs = [nm.features(t, st, words.has) for t in votes]
    ys = [int(sum(v) * 2 > len(v)) for v in votes.values()]
    return xs, ys, [len(v) for v in votes.values()]


def fit(x: np.ndarray, y: np.ndarray, n: np.ndarray, l2: float = 1e-3, steps: int = 3000) -> tuple[np.ndarray, float]:
    """Weighted logistic regression: a name counts as often as it is mentioned (the score is per mention)."""
    sw = n / n.sum()
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = (p - y) * sw
        w -= 0.5 * (x.T @ g + l2 * w)
        b -= 0.5 * g.sum()
    return w, b


def save(path: Path, w: np.ndarray, b: float, **extra) -> None:
    data = {"features": nm.FEATURES, "weights": [round(float(v), 4) for v in w], "bias": round(b, 4), **extra}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    anns = sorted((args.shared / "data" / "litbank" / "entities" / "brat").glob("*.ann"))
    data = {a.stem.removesuffix("_brat"): examples(a) for a in anns}
    works = sorted(data)

    def stack(names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = [row for n in names for row in data[n][0]]
        y = [v for n in names for v in data[n][1]]
        c = [v for n in names for v in data[n][2]]
        return np.array(x, dtype=float), np.array(y, dtype=float), np.array(c, dtype=float)

    for k in range(args.folds):
        test = works[k :: args.folds]
        x, y, c = stack([n for n in works if n not in test])
        w, b = fit(x, y, c)
        xt, yt, ct = stack(test)
        acc = ((((xt @ w + b) > 0) == (yt > 0.5)) * ct).sum() / ct.sum()
        print(f"fold {k}: {len(y)} train names, {len(yt)} test names, test accuracy per mention {acc:.3f}")
        save(MODELS / f"person_fold{k}.json", w, b, test_works=test)
    x, y, c = stack(works)
    w, b = fit(x, y, c)
    print(f"all: {len(y)} names, {int(y.sum())} people")
    for name, v in sorted(zip(nm.FEATURES, w, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:14} {v:+.2f}")
    save(MODELS / "person.json", w, b)


if __name__ == "__main__":
    main()
