"""Library benchmark on generated fan fiction: add throughput, search and similar latency, duplicate finding.

    python benchmarks/bench_library.py --works 10000 --dir /tmp/ficlens-bench    # writes benchmarks/out/library.json

Generates the corpus with ``gen_corpus.py`` when ``DIR/truth.json`` is missing. Reports (nothing is asserted):
add words/s and its ratio to ``analyze`` alone (single process, on a sample); p50/p95 latency of a
full-text search with three filters, of one with the whole-word author filter, and of ``similar``;
recall and precision of planted near-duplicates, versions found by containment, and reused passages
found with offsets covering them.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import ficlens
from ficlens.library import duplicates
from ficlens.library.ingest import add_paths
from ficlens.library.search import Query, search
from ficlens.library.similar import similar
from ficlens.library.store import Library

HERE = Path(__file__).parent


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def ms(xs: list[float]) -> dict[str, float]:
    return {"p50_ms": round(pct(xs, 0.5) * 1000, 1), "p95_ms": round(pct(xs, 0.95) * 1000, 1),
            "max_ms": round(max(xs) * 1000, 1)}


def analyze_alone(files: list[Path]) -> float:
    words, start = 0, time.perf_counter()
    for f in files:
        words += len(ficlens.analyze(f).text.split())
    return words / (time.perf_counter() - start)


def time_searches(lib: Library, rng: random.Random, n: int) -> dict[str, float]:
    from benchmarks.gen_corpus import FANDOMS, NOUNS

    times, totals = [], []
    for _ in range(n):
        fandom = rng.choice(list(FANDOMS))
        name = rng.choice(FANDOMS[fandom]).split()[-1]
        q = Query(
            text=f"{rng.choice(NOUNS)} {name}",
            include={"fandom": [fandom], "pov": [rng.choice(["first", "third"])]},
            exclude={"warning": ["Major Character Death"]},
        )
        t = time.perf_counter()
        totals.append(search(lib, q).total)
        times.append(time.perf_counter() - t)
    return {**ms(times), "queries": n, "mean_hits": round(statistics.mean(totals), 1)}


def time_author_searches(lib: Library, rng: random.Random, n: int) -> dict[str, float]:
    """Full text plus the whole-word ``--author`` filter (a GLOB per author tag of each candidate work)."""
    from benchmarks.gen_corpus import NOUNS

    authors = [r[0] for r in lib.db.execute("SELECT value FROM tags WHERE kind = 'author' LIMIT 5000")]
    times = []
    for _ in range(n):
        q = Query(text=rng.choice(NOUNS), include={"author": [rng.choice(authors)]})
        t = time.perf_counter()
        search(lib, q)
        times.append(time.perf_counter() - t)
    return {**ms(times), "queries": n}


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def evaluate(pairs: list[duplicates.Pair], truth: dict, ids: dict[str, int]) -> dict[str, object]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for d in truth["duplicates"]:
        parent[root(ids[d["a"]])] = root(ids[d["b"]])
    for v in truth["versions"]:
        parent[root(ids[v["snapshot"]])] = root(ids[v["full"]])
    by_pair = {(p.a, p.b): p for p in pairs}

    def get(x: str, y: str) -> duplicates.Pair | None:
        a, b = sorted((ids[x], ids[y]))
        return by_pair.get((a, b))

    near = [p for p in pairs if p.kind == "near-duplicate"]
    found_dups = [d for d in truth["duplicates"] if (p := get(d["a"], d["b"])) and p.kind == "near-duplicate"]
    true_near = [p for p in near if root(p.a) == root(p.b)]
    found_versions = [v for v in truth["versions"] if (p := get(v["snapshot"], v["full"])) and
                      p.kind in ("version", "near-duplicate") and p.containment >= duplicates.CONTAINED]
    coverages, missed = [], []
    for t in truth["passages"]:
        p = get(t["donor"], t["recipient"])
        flip = ids[t["donor"]] > ids[t["recipient"]]
        best = 0.0
        for x in p.passages if p else []:
            donor, recip = ((x.b_start, x.b_end), (x.a_start, x.a_end)) if flip else ((x.a_start, x.a_end),
                                                                                       (x.b_start, x.b_end))
            ds, rs = tuple(t["donor_span"]), tuple(t["recipient_span"])
            best = max(best, min(overlap(donor, ds) / (ds[1] - ds[0]), overlap(recip, rs) / (rs[1] - rs[0])))
        coverages.append(best)
        if best < 0.9:
            missed.append(t)
    song = {ids[f] for f in truth["song"]["works"]}
    planted = {tuple(sorted((ids[t["donor"]], ids[t["recipient"]]))) for t in truth["passages"]}
    song_reports = [p for p in pairs if p.kind == "passage" and p.a in song and p.b in song
                    and (p.a, p.b) not in planted]
    return {
        "near_duplicates": {"planted": len(truth["duplicates"]), "found": len(found_dups), "reported": len(near),
                            "recall": round(len(found_dups) / max(1, len(truth["duplicates"])), 4),
                            "precision": round(len(true_near) / max(1, len(near)), 4)},
        "versions": {"planted": len(truth["versions"]), "found_by_containment": len(found_versions),
                     "reported": sum(p.kind == "version" for p in pairs)},
        "passages": {"planted": len(truth["passages"]), "found_with_offsets": len(truth["passages"]) - len(missed),
                     "mean_coverage": round(statistics.mean(coverages), 4) if coverages else None,
                     "reported_pairs": sum(p.kind == "passage" for p in pairs), "missed": missed[:5]},
        "allow_listed_song_reported": len(song_reports),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=10000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/ficlens-bench"))
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--sample", type=int, default=300, help="works analysed alone for the ratio")
    ap.add_argument("--keep-library", action="store_true", help="reuse DIR/library.db: skip add")
    ap.add_argument("-o", "--output", type=Path, default=HERE / "out" / "library.json")
    args = ap.parse_args()
    truth_path = args.dir / "truth.json"
    if not truth_path.exists():
        subprocess.run([sys.executable, str(HERE / "gen_corpus.py"), str(args.dir), "--works", str(args.works)],
                       check=True, stdout=sys.stderr)
    truth = json.loads(truth_path.read_text())
    files = sorted((args.dir / "works").glob("*.txt"))
    db = args.dir / "library.db"
    rng = random.Random(1)
    result: dict[str, object] = {"works": len(files), "words": sum(len(f.read_text().split()) for f in files)}
    if not args.keep_library:
        for p in args.dir.glob("library.db*"):
            p.unlink()
        sample = rng.sample(files, min(args.sample, len(files)))
        before = analyze_alone(sample)
    with Library(db) as lib:
        if not args.keep_library:
            report = add_paths(lib, [str(args.dir / "works")], jobs=args.jobs)
            alone = (before + analyze_alone(sample)) / 2  # the machine is shared: measure on both sides of add
            add_wps = result["words"] / report.seconds
            result["add"] = {"seconds": round(report.seconds, 1), "words_per_s": round(add_wps),
                             "analyze_alone_words_per_s": round(alone), "ratio_to_analyze": round(add_wps / alone, 3),
                             "failed": len(report.failures), "db_mb": round(lib.info()["bytes"] / 2**20, 1)}
            print(json.dumps(result), file=sys.stderr)
        result["search"] = time_searches(lib, rng, 200)
        result["search_author"] = time_author_searches(lib, rng, 100)
        ids_all = [r[0] for r in lib.db.execute("SELECT id FROM works WHERE current")]
        times = []
        for wid in rng.sample(ids_all, min(50, len(ids_all))):
            t = time.perf_counter()
            similar(lib, wid)
            times.append(time.perf_counter() - t)
        result["similar"] = ms(times)
        print(json.dumps(result), file=sys.stderr)
        duplicates.allow(lib, (args.dir / "allow" / "song.txt").read_text(), "song.txt")
        t = time.perf_counter()
        pairs = duplicates.find(lib)
        result["duplicates_seconds"] = round(time.perf_counter() - t, 1)
        ids = {Path(r[1]).name: r[0] for r in lib.db.execute("SELECT id, source FROM works")}
        result.update(evaluate(pairs, truth, ids))
    text = json.dumps(result, indent=1)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
