"""Train the speaker ranker (``ficlens/models/speakers*.json``) on PDNC quotations.

    .venv/bin/pip install numpy
    .venv/bin/python scripts/train_speakers.py [--shared ../shared] [--folds 3]

Each quote's candidates come from ``ficlens.analysis.speakers.candidates`` on our own pipeline's
output (structure, characters, quotes), so the model learns from the mistakes it will really
see. The model is a conditional logit: one weight per feature, softmax over a quote's candidates,
fitted by Newton's method with a little L2. Training runs three times: first with the true speakers
in the turn-taking history, then twice more on those decisions plus the ones the last model makes
when it decodes with its own predictions in the history (beam search, as at run time), so the
turn-taking weights learn how far to trust a history that may be wrong. Keeping every round's
decisions (not only the last round's) makes a retrain land where the last one did: fitting on the
last round alone moved PDNC by up to 150 quotes from one retrain to the next.

PDNC is split into folds by novel; ``speakers_foldK.json`` is trained on every novel but fold K's
(listed as ``test_novels``), which ``ficlens eval quotes --pdnc`` uses so that no novel is scored
by a model that saw it. ``speakers.json`` is trained on all of PDNC. LitBank is left out of
training on purpose: it stays a clean test set for ``ficlens eval quotes --litbank`` (its excerpts
include several PDNC novels, which would otherwise leak into the folds).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ficlens.analysis import pipeline, speakers
from ficlens.eval import quotes as ev
from ficlens.story import Story

ROOT = Path(__file__).resolve().parents[1]
FEATURES = list(speakers.FEATURES)
#: Rounds of training on the model's own decoding after the first, teacher-forced fit.
ROUNDS = 2


def prepare(doc: ev.GoldDoc) -> tuple[Story, dict[int, frozenset[str]]]:
    """Run the stages before speakers; the gold speaker's names for each quote matched to a gold one."""
    story = ev.analyse_doc(doc, lambda s: pipeline.run(s, ["characters", "quotes"] + (
        ["structure"] if doc.paragraphs is None else [])))
    quotes = story.spans("quotes")
    scored = [i for i, q in enumerate(quotes) if q.attrs.get("kind") != "other"]
    m = ev.match(story.text, [quotes[i] for i in scored], doc.quotes)
    return story, {scored[pi]: doc.quotes[gi].speaker for gi, pi in m.items() if doc.quotes[gi].speaker}


def _best_match(story: Story, gold: frozenset[str]) -> str | None:
    """The character that is most clearly the gold speaker (for the turn-taking history): its main
    name is one of the gold names, else it shares the longest name with them; None on a tie."""
    ranked = []
    for c in story.characters:
        shared = {speakers.bare_name(n) for n in [c.name, *c.aliases]} & gold
        if shared:
            ranked.append((speakers.bare_name(c.name) in gold, max(len(n) for n in shared), c.id))
    ranked.sort(reverse=True)
    if not ranked or len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
        return None
    return ranked[0][2]


def examples(story: Story, gold: dict[int, frozenset[str]], model: speakers.Model, teacher: bool) -> list[tuple]:
    """(feature matrix, index of the right candidate) for every quote with a right candidate: one whose
    name or alias is a gold name, as the scorer counts it (the best scored one when several are)."""
    names = {c.id: {speakers.bare_name(n) for n in [c.name, *c.aliases]} for c in story.characters}
    oracle = {i: c for i, g in gold.items() if (c := _best_match(story, g))} if teacher else None
    out = []
    for d in speakers.decode(story, model, oracle, features=True):
        g = gold.get(d.quote)
        right = [k for k, c in enumerate(d.candidates) if g and names.get(c, set()) & g]
        if not right or len(right) == len(d.candidates):
            continue
        x = np.array([[f.get(k, 0.0) for k in FEATURES] for f in d.features])
        out.append((x, max(right, key=lambda k: d.scores[k])))
    return out


def fit(data: list[tuple], l2: float = 1.0, steps: int = 30, w0: np.ndarray | None = None,
        free: np.ndarray | None = None) -> np.ndarray:
    """Conditional logit fitted by Newton's method (few features, convex: a handful of steps); with
    ``free``, only those weights move and the rest keep their values in ``w0``."""
    xs = np.concatenate([x for x, _ in data])
    sizes = [len(x) for x, _ in data]
    starts = np.cumsum([0] + sizes[:-1])
    seg = np.repeat(np.arange(len(data)), sizes)
    gold_x = xs[starts + np.array([y for _, y in data])].sum(0)
    w = np.zeros(xs.shape[1]) if w0 is None else w0.copy()
    free = np.arange(len(w)) if free is None else free
    for _ in range(steps):
        s = xs @ w
        e = np.exp(s - np.repeat(np.maximum.reduceat(s, starts), sizes))
        p = e / np.add.reduceat(e, starts)[seg]
        mu = np.add.reduceat(xs * p[:, None], starts)  # expected features per quote
        grad = (mu.sum(0) - gold_x + l2 * w)[free]
        hess = ((xs * p[:, None]).T @ xs - mu.T @ mu + l2 * np.eye(len(w)))[np.ix_(free, free)]
        step = np.linalg.solve(hess, grad)
        w[free] -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def accuracy(data: list[tuple], w: np.ndarray) -> float:
    return float(np.mean([int(np.argmax(x @ w) == y) for x, y in data])) if data else 0.0


def train(
    docs: list[tuple[ev.GoldDoc, Story, dict[int, str]]], start: speakers.Model, only: list[str] | None = None
) -> speakers.Model:
    """Fit every weight, or with ``only`` just those features' weights, the rest kept from ``start``."""
    w0 = np.array([start.weights.get(f, 0.0) for f in FEATURES]) if only else None
    free = np.array([FEATURES.index(f) for f in only]) if only else None
    data = [e for _, story, gold in docs for e in examples(story, gold, start, teacher=True)]
    w = fit(data, w0=w0, free=free)
    for _ in range(ROUNDS):  # then learn from the model's own readings of the conversation, as well
        model = speakers.Model(dict(zip(FEATURES, w.round(4).tolist(), strict=True)))
        data += [e for _, story, gold in docs for e in examples(story, gold, model, teacher=False)]
        w = fit(data, w0=w0 if only is None else w, free=free)
    print(f"  trained on {len(docs)} documents, {len(data)} decisions, train accuracy {accuracy(data, w):.3f}",
          file=sys.stderr)
    return speakers.Model(dict(zip(FEATURES, w.round(4).tolist(), strict=True)))


def save(model: speakers.Model, path: Path, **meta: object) -> None:
    path.write_text(json.dumps({"weights": model.weights, **meta}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--only", nargs="+", choices=FEATURES, metavar="FEATURE",
                    help="fit only these (new) features' weights; the others stay as in the models now")
    args = ap.parse_args()
    start = speakers.Model.load(speakers.MODELS / "speakers.json")
    pdnc = [(d, *prepare(d)) for d in ev.load_pdnc(args.shared / "data" / "pdnc")]
    names = [d.name for d, _, _ in pdnc]
    for k in range(args.folds):
        test = names[k :: args.folds]
        fold_start = speakers.Model.load(speakers.MODELS / f"speakers_fold{k}.json") if args.only else start
        model = train([t for t in pdnc if t[0].name not in test], fold_start, args.only)
        save(model, speakers.MODELS / f"speakers_fold{k}.json", test_novels=test,
             note="PDNC fold model: trained on every PDNC novel but test_novels")
    model = train(pdnc, start, args.only)
    save(model, speakers.MODELS / "speakers.json", note="trained on all PDNC novels")


if __name__ == "__main__":
    main()
