"""Reading + structure over the 21 PDNC novels, in words/s and as a ratio to spaCy's tokenizer.

    python benchmarks/bench_structure.py [--repeat 3]

Goal (issue 2): at least 2x the speed of spacy.blank("en") tokenizing the same texts.
"""

from __future__ import annotations

import argparse

from common import best_of, pdnc_paths, report, spacy_tokenizer_seconds

import ficlens
from ficlens.analysis.pipeline import run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    paths = pdnc_paths()
    texts = [p.read_text(encoding="utf-8") for p in paths]
    words = sum(len(t.split()) for t in texts)

    def ours() -> None:
        for p in paths:
            run(ficlens.read(p), ["structure"])

    ours_s = best_of(ours, args.repeat)
    ref_s = spacy_tokenizer_seconds(texts, args.repeat)
    result = {
        "novels": len(paths),
        "words": words,
        "structure_seconds": round(ours_s, 3),
        "structure_words_per_s": round(words / ours_s),
        "spacy_tokenizer_seconds": round(ref_s, 3),
        "spacy_tokenizer_words_per_s": round(words / ref_s),
        "speed_ratio_vs_spacy_tokenizer": round(ref_s / ours_s, 2),
        "goal_ratio": 2.0,
    }
    report("structure", result)


if __name__ == "__main__":
    main()
