"""The narration stage's share of ``analyze`` time over the 21 PDNC novels.

    python benchmarks/bench_narration.py [--repeat 1]

Each novel is read, every other runnable stage is run (timed), then the narration stage alone
(timed). Goal (issue 5): narration adds at most 10% to analyze time, i.e. its share of the total
is at most 10% / 110%.
"""

from __future__ import annotations

import argparse
import time

from common import pdnc_paths, report

import ficlens
from ficlens.analysis.pipeline import REGISTRY, run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs per novel; the fastest counts")
    args = ap.parse_args()
    paths = pdnc_paths()
    narration = REGISTRY.get("narration").func
    rest_s = narr_s = 0.0
    words = 0
    for path in paths:
        best_rest = best_narr = float("inf")
        for _ in range(args.repeat):
            story = ficlens.read(path)
            others = [n for n in REGISTRY.runnable(story) if n != "narration"]
            t0 = time.perf_counter()
            run(story, others)
            t1 = time.perf_counter()
            narration(story)
            t2 = time.perf_counter()
            best_rest, best_narr = min(best_rest, t1 - t0), min(best_narr, t2 - t1)
        words += len(story.text.split())
        rest_s += best_rest
        narr_s += best_narr
        print(f"{path.parent.name:32} other stages {best_rest:7.2f}s  narration {best_narr:6.3f}s", flush=True)
    result = {
        "novels": len(paths),
        "words": words,
        "stages_without_narration": others,
        "other_stages_seconds": round(rest_s, 3),
        "narration_seconds": round(narr_s, 3),
        "narration_words_per_s": round(words / narr_s),
        "narration_added_share": round(narr_s / rest_s, 4),
        "goal_added_share": 0.10,
    }
    report("narration", result)


if __name__ == "__main__":
    main()
