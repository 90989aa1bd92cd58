"""Shared helpers for the benchmarks: the PDNC novels, a same-run reference, and result files.

Benchmarks report ratios against a reference measured in the same run (spaCy's blank English
tokenizer over the same texts), so a slow or noisy machine shifts both sides alike.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PDNC = SHARED / "data" / "pdnc"
OUT = ROOT / "benchmarks" / "out"


def pdnc_paths() -> list[Path]:
    paths = sorted(PDNC.glob("*/novel_text.txt"))
    if not paths:
        raise SystemExit(f"no PDNC novels under {PDNC}: put ../shared beside the checkout")
    return paths


def best_of(fn: Callable[[], object], repeat: int = 3, clock: Callable[[], float] = time.perf_counter) -> float:
    """Fastest of ``repeat`` runs of ``fn``, in seconds (the least disturbed run); wall clock unless
    ``clock`` says otherwise (``time.process_time`` ignores waiting for a busy machine's cores)."""
    best = float("inf")
    for _ in range(repeat):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best


def spacy_tokenizer_seconds(texts: list[str], repeat: int = 3) -> float:
    """Time spacy.blank("en") tokenizing ``texts``: the reference every speed goal is a ratio to."""
    try:
        import spacy
    except ImportError:
        raise SystemExit("the reference needs spaCy: pip install -e '.[bench]'") from None
    nlp = spacy.blank("en")
    nlp.max_length = max(len(t) for t in texts) + 1

    def run() -> None:
        for t in texts:
            nlp.tokenizer(t)

    return best_of(run, repeat)


def report(name: str, result: dict) -> None:
    """Print ``result`` one figure a line and save it as ``benchmarks/out/NAME.json``."""
    width = max(map(len, result)) + 2
    for k, v in result.items():
        print(f"{k:{width}} {v}")
    print(f"saved {save(name, result)}")


def save(name: str, result: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(result, indent=2))
    return path
