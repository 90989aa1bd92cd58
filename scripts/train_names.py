"""Train the person-name model (``ficlens/models/person*.json``) on LitBank entities.

    .venv/bin/pip install numpy
    .venv/bin/python scripts/train_names.py [--shared ../shared] [--folds 5]

Every capitalised name the characters stage would have to judge (after titles, determiners and the
fandom pack have had their say) becomes one example per work: its whole-story features
(``ficlens.analysis.names.FEATURES``), whether most of its mentions overlap a gold PER span, and
its number of mentions, which weights it (the score is per mention).
Besides those, the words seen just before and after the name ("p:said", "n:'s", "p:in") count,
as the share of its mentions they surround, for the neighbours seen around ``--min-names`` names.
The model is a logistic regression fitted by gradient descent with a little L2; it is small (a
weight per feature and per neighbour word) and runs in pure Python in the stage.

LitBank is split into folds by work; ``person_foldK.json`` is trained on every work but fold K's
(listed as ``test_works``), which ``ficlens eval characters --litbank`` uses so that no work is
scored by a model that saw it. ``person.json`` is trained on all of LitBank.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np

from ficlens.analysis import characters as ch
from ficlens.analysis import names as nm
from ficlens.eval import characters as ev

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "ficlens" / "models"


def examples(ann: Path) -> list[tuple[list[float], int, int, Counter]]:
    """(features, label, mentions, neighbour words) for each name in one LitBank work."""
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
    contexts: dict[tuple[str, ...], Counter] = {}
    for r in runs:
        if r.det:
            continue
        toks = ch.strip_run(r, st, canon, given, words)
        if not toks or ch.known_person(toks, st, canon, words) is not None:
            continue
        s = r.start + text[r.start : r.end].find(toks[0])
        votes.setdefault(toks, []).append(any(a < r.end and s < b for a, b in gold))
        contexts.setdefault(toks, Counter()).update(["p:" + r.before, "n:" + r.after])
    return [(nm.features(t, st, words.has), int(sum(v) * 2 > len(v)), len(v), contexts[t]) for t, v in votes.items()]


def matrix(rows: list, vocab: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base features then the share of mentions with each vocabulary neighbour, as the stage computes them."""
    x = []
    for feats, _, _, ctx in rows:
        n = sum(v for k, v in ctx.items() if k[0] == "p") or 1
        x.append(feats + [ctx.get(k, 0) / n for k in vocab])
    y = [r[1] for r in rows]
    c = [r[2] for r in rows]
    return np.array(x, dtype=float), np.array(y, dtype=float), np.array(c, dtype=float)


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


def save(path: Path, w: np.ndarray, b: float, vocab: list[str], **extra) -> None:
    base = len(nm.FEATURES)
    data = {
        "features": nm.FEATURES,
        "weights": [round(float(v), 4) for v in w[:base]],
        "bias": round(b, 4),
        "context": {k: round(float(v), 4) for k, v in zip(vocab, w[base:], strict=True) if abs(v) >= 0.05},
        **extra,
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def vocabulary(rows: list, min_names: int) -> list[str]:
    """Neighbour words seen around at least ``min_names`` names."""
    seen = Counter(k for r in rows for k in r[3])
    return sorted(k for k, v in seen.items() if v >= min_names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-names", type=int, default=30, help="neighbour words kept: seen around this many names")
    args = ap.parse_args()
    anns = sorted((args.shared / "data" / "litbank" / "entities" / "brat").glob("*.ann"))
    data = {a.stem.removesuffix("_brat"): examples(a) for a in anns}
    works = sorted(data)
    for k in range(args.folds):
        test = works[k :: args.folds]
        train = [r for n in works if n not in test for r in data[n]]
        vocab = vocabulary(train, args.min_names)
        w, b = fit(*matrix(train, vocab))
        xt, yt, ct = matrix([r for n in test for r in data[n]], vocab)
        acc = ((((xt @ w + b) > 0) == (yt > 0.5)) * ct).sum() / ct.sum()
        print(f"fold {k}: {len(train)} train names, {len(yt)} test names, test accuracy per mention {acc:.3f}")
        save(MODELS / f"person_fold{k}.json", w, b, vocab, test_works=test)
    rows = [r for n in works for r in data[n]]
    vocab = vocabulary(rows, args.min_names)
    w, b = fit(*matrix(rows, vocab))
    print(f"all: {len(rows)} names, {sum(r[1] for r in rows)} people, {len(vocab)} neighbour words")
    names = nm.FEATURES + vocab
    for name, v in sorted(zip(names, w, strict=True), key=lambda t: -abs(t[1]))[:25]:
        print(f"  {name:14} {v:+.2f}")
    save(MODELS / "person.json", w, b, vocab)


if __name__ == "__main__":
    main()
