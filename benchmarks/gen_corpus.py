"""Write the project's own synthetic fan fiction, with planted near-duplicates, versions and reused passages.

Every work is a FanFicFare-style text file (header, chapters, paragraphs, dialogue) in an invented
fandom with invented characters, written from templates and word lists in this file. Planted:

- near-duplicates: a repost of a work (new title, author, URL, a reposting note) with 1-10% of words edited;
- versions: a WIP snapshot of a multi-chapter work (its first chapters, same title, author and URL);
- reused passages: 200-400 words copied from one work into another with 0-5% of words edited;
- a song's lyrics pasted into many works (written to allow/song.txt for the allow-list).

Stories go to ``OUT_DIR/works/``; ``OUT_DIR/truth.json`` lists what was planted, with character
offsets into the files.

    python benchmarks/gen_corpus.py OUT_DIR --works 10000 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

FANDOMS = {
    "The Lantern Court": ["Mira Vell", "Tobin Ash", "Queen Sorrel", "Idris Kane", "Nell Hart", "Captain Orrin"],
    "Starfall Academy": ["Juno Park", "Rafe Okoro", "Professor Lind", "Cass Moreau", "Eli Sato", "Dean Whitlock"],
    "Saltmarsh Chronicles": ["Wren Fisher", "Oskar Brandt", "Old Meg", "Hollis Grey", "Ada Quill", "Bram Tully"],
    "Clockwork Harbour": ["Sable Ferro", "Lucan Reed", "Tamsin Voss", "Inspector Hale", "Pip Marlowe", "Dr Anwen"],
    "Ninefold Sky": ["Kestrel Dawn", "Arlo Vance", "Seren Mbeki", "the Archivist", "Fen Hollow", "Iva Stone"],
}
NOUNS = """lantern harbour letter window storm bridge garden kitchen corridor staircase library map compass
ribbon candle teacup orchard tower lighthouse ledger key coat scarf ring sword boat river market train
station platform feather mirror clock shadow doorway balcony meadow forest cliff shore bell notebook
blanket fireplace courtyard chapel archive workshop engine kettle pocket sleeve glove helmet banner
wagon carriage ferry rooftop chimney alley tavern bakery lantern-post signal gate fence hedge lane
willow oak ember ash frost snow rain fog moon star comet harvest festival promise secret rumour
debt bargain oath wound scar bruise sketch portrait song verse chord violin drum whistle kite""".split()
VERBS = """found dropped carried opened closed followed watched touched lifted folded crossed climbed
mended broke hid kept traded stole returned counted painted read wrote burned buried pulled pushed
caught missed reached held weighed studied polished wrapped tied untied shook tightened loosened
marked traced circled guarded abandoned chased rescued answered questioned ignored remembered
forgot noticed admired doubted trusted warned forgave blamed thanked""".split()
ADJS = """cold bright quiet broken golden narrow crooked heavy soft sharp pale dusty silver careful
restless hollow tired brave foolish gentle stubborn wild patient bitter sweet strange familiar
distant sudden faint warm damp crimson ancient borrowed stolen secret forgotten tangled steady
reckless weary clever anxious lonely hopeful grim tender fierce""".split()
ADVS = """slowly quickly quietly carefully suddenly finally softly roughly gently barely nearly
again still already almost honestly wearily stubbornly fondly""".split()
PLACES = """the north tower|the old harbour|the night market|the east wing|the frozen lake|the rail yard|
the glasshouse|the lower docks|the council hall|the bell tower|the ruined chapel|the salt flats|
the long gallery|the observatory|the training yard|the back kitchen|the ferry landing|the map room""".split("|")
FEELINGS = """dread|relief|hope|anger|grief|joy|guilt|longing|pride|fear|wonder|shame|tenderness""".split("|")
TEMPLATES = [
    "{A} {v} the {adj} {n} and {v2} it {adv}.",
    "The {n} in {place} was {adj}, and {A} {v} it before anyone else could.",
    "{A} had not expected {B} to be waiting by the {n}, {adj} and {adj2}.",
    "When the {n} {v} at last, {A} felt something like {feel}.",
    "{B} {v} the {n} {adv}, watching {A} the whole time.",
    "It was {adj} in {place}, and the {n} smelled of {n2}.",
    "Nobody in {place} remembered the {adj} {n} that {B} had {v}.",
    "{A} thought about the {n2} and the {n} and {feel}, and said nothing.",
    "There had been a {n} once, {adj} and {adj2}, and {B} had {v} it.",
    "The {adj} {n} {v} against the {n2} while {A} waited.",
    "{A} {v} {adv}; {B} {v2} the {n} instead.",
    "Somewhere past {place} a {n} {v}, and {feel} rose in {A} like a tide.",
]
FIRST_TEMPLATES = [
    "I {v} the {adj} {n} and {v2} it {adv}.",
    "I had not expected {B} to be waiting by the {n}, {adj} and {adj2}.",
    "When the {n} {v} at last, I felt something like {feel}.",
    "{B} {v} the {n} {adv}, watching me the whole time.",
    "I thought about the {n2} and the {n} and {feel}, and said nothing.",
    "I {v} {adv}; {B} {v2} the {n} instead.",
]
LINES = [
    "You {v} the {n}", "We should go to {place}", "I never {v} your {n}", "Is the {n} {adj}",
    "Tell me about the {n}", "It was always {adj}", "Leave the {n} where it is", "Did you {v} it {adv}",
]
SONG = """Down by the water the lanterns are burning, carry me home on the turn of the tide,
every old sailor comes back from the turning, every lost lover comes back to my side.
Sing for the harbour and sing for the morning, sing for the ones who went out on the swell,
nobody told us the storm had no warning, nobody rang the old harbour bell."""
SURNAMES = "quill ember fox hollow vane rook wren marsh thorn gale brook ash pike moss lark".split()


class Writer:
    """Random prose from the templates; each work gets its own cast and a skew in word choice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str, cast: list[str], words: dict[str, list[str]]) -> str:
        r = self.rng
        a, b = r.sample(cast, 2)
        return template.format(
            A=a, B=b, v=r.choice(words["v"]), v2=r.choice(words["v"]), n=r.choice(words["n"]),
            n2=r.choice(words["n"]), adj=r.choice(words["adj"]), adj2=r.choice(words["adj"]), adv=r.choice(ADVS),
            place=r.choice(PLACES), feel=r.choice(FEELINGS),
        )

    def paragraph(self, cast: list[str], words: dict[str, list[str]], first: bool) -> str:
        r = self.rng
        out = []
        for _ in range(r.randint(3, 7)):
            if r.random() < 0.25:
                line = self.fill(r.choice(LINES), cast, words)
                speaker = "I" if first and r.random() < 0.5 else r.choice(cast[1:] if first else cast)
                out.append(f"\u201c{line}{'?' if line.startswith(('Is', 'Did')) else '.'}\u201d {speaker} said.")
            else:
                out.append(self.fill(r.choice(FIRST_TEMPLATES if first else TEMPLATES), cast, words))
        return " ".join(out)


def edit(text: str, rate: float, rng: random.Random) -> str:
    """Replace, delete or insert words at ``rate`` (each word edited with that probability)."""
    out: list[str] = []
    for w in text.split(" "):
        if rng.random() >= rate:
            out.append(w)
            continue
        op = rng.random()
        if op < 0.5:
            out.append(rng.choice(NOUNS + ADJS))
        elif op < 0.75:
            out.append(w)
            out.append(rng.choice(ADVS))
    return " ".join(out)


def new_work(i: int, rng: random.Random, writer: Writer, words_mean: int) -> dict:
    fandom = rng.choice(list(FANDOMS))
    cast = rng.sample(FANDOMS[fandom], 4)
    first = rng.random() < 0.3
    # each work leans on its own slice of the vocabulary, as real stories have their own subjects
    words = {k: rng.sample(v, max(8, len(v) // 3)) for k, v in (("n", NOUNS), ("v", VERBS), ("adj", ADJS))}
    n_chapters = rng.choices([1, 2, 3, 4, 5, 6], [35, 15, 15, 15, 10, 10])[0]
    target = max(150, int(rng.gauss(words_mean, words_mean / 3)))
    chapters = []
    per = target // n_chapters
    for _ in range(n_chapters):
        paras, count = [], 0
        while count < per:
            p = writer.paragraph(cast, words, first)
            paras.append(p)
            count += len(p.split())
        chapters.append(paras)
    return {
        "id": i, "fandom": fandom, "cast": cast, "first": first, "chapters": chapters,
        "title": f"The {rng.choice(ADJS).title()} {rng.choice(NOUNS).title()}",
        "author": f"{rng.choice(SURNAMES)}{rng.choice(SURNAMES)}{rng.randint(1, 999)}",
        "url": f"https://fics.example.org/works/{100000 + i}", "complete": True,
        "updated": f"20{rng.randint(10, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "rating": rng.choice(["General Audiences", "Teen And Up Audiences", "Mature", "Explicit"]),
        "warning": rng.choice(["No Archive Warnings Apply"] * 3 + ["Major Character Death"]),
        "notes": [],
        "summary": writer.fill(rng.choice(TEMPLATES), cast, words),
    }


def render(w: dict) -> tuple[str, list[list[tuple[int, int]]]]:
    """The file text, and the (start, end) offsets of every paragraph of every chapter."""
    cast = w["cast"]
    header = [
        "", w["title"], "", f"by {w['author']}", "",
        f"Story URL: {w['url']}", f"Category: {w['fandom']}", f"Characters: {', '.join(cast)}",
        f"Relationships: {cast[0]}/{cast[1]}", f"Rating: {w['rating']}", f"Warnings: {w['warning']}",
        "Language: English", f"Status: {'Completed' if w['complete'] else 'In-Progress'}",
        f"Chapters: {len(w['chapters'])}", f"Words: {sum(len(p.split()) for c in w['chapters'] for p in c)}",
        f"Updated: {w['updated']}", f"Summary: {w['summary']}", "", "", "", "TABLE OF CONTENTS", "",
        *(f"{i + 1}. Chapter {i + 1}\n" for i in range(len(w["chapters"]))), "", "",
    ]
    text = "\n".join(header)
    offsets: list[list[tuple[int, int]]] = []
    for ci, paras in enumerate(w["chapters"]):
        text += f"\t{ci + 1}. Chapter {ci + 1}\n\n"
        if ci == 0:
            text += "".join(f"A/N: {note}\n\n" for note in w["notes"])
        offs = []
        for p in paras:
            offs.append((len(text), len(text) + len(p)))
            text += p + "\n\n"
        offsets.append(offs)
    return text, offsets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--works", type=int, default=10000)
    ap.add_argument("--words", type=int, default=700, help="mean words per work")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    writer = Writer(rng)
    n = args.works
    n_dup, n_ver, n_pas = max(1, n * 3 // 100), max(1, n * 2 // 100), max(1, n * 2 // 100)
    n_base = n - n_dup - n_ver
    works = [new_work(i, rng, writer, args.words) for i in range(n_base)]
    order = list(range(n_base))
    rng.shuffle(order)
    multi = [i for i in order if len(works[i]["chapters"]) >= 2]
    ver_src = multi[:n_ver]
    rest = [i for i in order if i not in set(ver_src)]
    dup_src, rest = rest[:n_dup], rest[n_dup:]
    long_enough = [i for i in rest if max(sum(len(p.split()) for p in c) for c in works[i]["chapters"]) >= 260]
    donors = long_enough[:n_pas]
    rest = [i for i in rest if i not in set(donors)]
    recipients, rest = rest[:len(donors)], rest[len(donors):]
    song_works = rest[: max(2, n // 300)]
    truth: dict = {"duplicates": [], "versions": [], "passages": [], "song": {"file": "allow/song.txt", "works": []}}

    planted = []  # (donor, recipient, chapter, index in recipient chapter, n paragraphs, rate)
    for d, r in zip(donors, recipients, strict=True):
        ch = max(works[d]["chapters"], key=len)
        start = rng.randrange(len(ch))
        k, count = start, 0
        while count < 200:
            if k == len(ch):  # ran out: start earlier (the chapter has 260 words or more)
                start -= 1
                count += len(ch[start].split())
            else:
                count += len(ch[k].split())
                k += 1
        rate = rng.uniform(0.0, 0.05)
        copied = [edit(p, rate, rng) for p in ch[start:k]]
        rc = rng.randrange(len(works[r]["chapters"]))
        at = rng.randint(0, len(works[r]["chapters"][rc]))
        works[r]["chapters"][rc][at:at] = copied
        planted.append((d, works[d]["chapters"].index(ch), start, k - start, r, rc, at, rate))
    for s in song_works:
        ch = works[s]["chapters"][-1]
        ch.insert(rng.randint(0, len(ch)), SONG.replace("\n", " "))

    extra: list[dict] = []
    for src in dup_src:
        rate = rng.uniform(0.01, 0.10)
        w = works[src]
        chapters = [[edit(p, rate, rng) for p in c] for c in w["chapters"]]
        copy = {**w, "id": len(works) + len(extra), "chapters": chapters,
                "title": w["title"] + rng.choice(["", " (repost)", " - revised"]),
                "author": w["author"] + "_archive", "url": f"https://fics.example.org/works/{900000 + len(extra)}",
                "notes": ["Reposted from my old account, please be kind and leave a review!"]}
        extra.append(copy)
        truth["duplicates"].append({"a": f"w{src:05d}.txt", "b": f"w{copy['id']:05d}.txt", "edit_rate": round(rate, 3)})
    for src in ver_src:
        w = works[src]
        k = rng.randint(1, len(w["chapters"]) - 1)
        snap = {**w, "id": len(works) + len(extra), "chapters": w["chapters"][:k], "complete": False,
                "updated": f"20{rng.randint(0, 9):02d}-01-01"}
        extra.append(snap)
        truth["versions"].append({"snapshot": f"w{snap['id']:05d}.txt", "full": f"w{src:05d}.txt",
                                  "chapters": [k, len(w["chapters"])]})
    works += extra

    (args.out / "works").mkdir(parents=True, exist_ok=True)
    (args.out / "allow").mkdir(exist_ok=True)
    (args.out / "allow" / "song.txt").write_text(SONG + "\n", encoding="utf-8")
    offsets = {}
    for w in works:
        text, offs = render(w)
        offsets[w["id"]] = offs
        (args.out / "works" / f"w{w['id']:05d}.txt").write_text(text, encoding="utf-8")
    for d, dc, ds, npar, r, rc, at, rate in planted:
        do, ro = offsets[d][dc], offsets[r][rc]
        truth["passages"].append({
            "donor": f"w{d:05d}.txt", "donor_span": [do[ds][0], do[ds + npar - 1][1]],
            "recipient": f"w{r:05d}.txt", "recipient_span": [ro[at][0], ro[at + npar - 1][1]],
            "words": sum(len(p.split()) for p in works[d]["chapters"][dc][ds : ds + npar]), "edit_rate": round(rate, 3),
        })
    truth["song"]["works"] = [f"w{s:05d}.txt" for s in song_works]
    truth["works"] = len(works)
    (args.out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    print(f"wrote {len(works)} works to {args.out}: {len(truth['duplicates'])} near-duplicates, "
          f"{len(truth['versions'])} versions, {len(truth['passages'])} reused passages")


if __name__ == "__main__":
    main()
