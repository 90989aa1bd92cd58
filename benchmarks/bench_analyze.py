"""Full ``analyze`` over the 21 PDNC novels: words/s per stage and overall, and ratios to spaCy's tokenizer.

    python benchmarks/bench_analyze.py [--repeat 2] [--stages structure,characters,...]

Goals: the whole pipeline >= 20,000 words/s on one core (issue 4); characters adds <= 30% to reading +
structure (issue 3); narration adds <= 10% to analyze (issue 5). Each stage is timed on the same stories
in the order the pipeline runs them; the best of ``--repeat`` runs counts.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from common import pdnc_paths, report, spacy_tokenizer_seconds

import ficlens
from ficlens.analysis.pipeline import REGISTRY


def time_once(paths, plan) -> dict[str, float]:
    spent: dict[str, float] = defaultdict(float)
    for p in paths:
        t = time.perf_counter()
        story = ficlens.read(p)
        spent["read"] += time.perf_counter() - t
        for st in plan:
            t = time.perf_counter()
            story = st.func(story)
            spent[st.name] += time.perf_counter() - t
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--stages", help="comma-separated stages (default: all)")
    args = ap.parse_args()
    paths = pdnc_paths()
    texts = [p.read_text(encoding="utf-8") for p in paths]
    words = sum(len(t.split()) for t in texts)
    names = args.stages.split(",") if args.stages else REGISTRY.names()
    plan = REGISTRY.plan(names)

    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, s in time_once(paths, plan).items():
            best[name] = min(best.get(name, float("inf")), s)
    total = sum(best.values())
    ref = spacy_tokenizer_seconds(texts, args.repeat)
    base = best["read"] + best.get("structure", 0.0)
    result = {
        "novels": len(paths),
        "words": words,
        "stages": [st.name for st in plan],
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "words_per_s": {k: round(words / v) for k, v in best.items() if v},
        "analyze_seconds": round(total, 3),
        "analyze_words_per_s": round(words / total),
        "spacy_tokenizer_words_per_s": round(words / ref),
        "analyze_speed_ratio_vs_spacy_tokenizer": round(ref / total, 2),
        "characters_added_to_read_structure": round(best.get("characters", 0.0) / base, 3) if base else None,
        "narration_share_of_analyze": round(best.get("narration", 0.0) / total, 3),
    }
    report("analyze", result)


if __name__ == "__main__":
    main()
