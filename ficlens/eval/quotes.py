"""Scoring quotes and speakers against the seeds' gold JSON, PDNC and LitBank quotations.

Every corpus is loaded into the same shape, ``GoldDoc``: the story text and its gold quotes with
the names each gold speaker goes by. A predicted quote matches a gold one when their inner text
(quote marks and spaces stripped) overlaps by at least half of the longer one, one to one.
Speaker accuracy is end to end: a gold quote that was not found, or found without a speaker,
counts as wrong. A speaker is right when the predicted character's name or one of its aliases is
one of the gold speaker's names, as the evaluation contract says; names are compared in lower case
without a leading article or full stops ("the Mouse" is "Mouse", "Mr. Darcy" is "Mr Darcy").

PDNC is scored leave-novels-out: each novel is analysed with the speaker model of the fold that
did not train on it (``ficlens/models/speakers_fold*.json``, written by ``scripts/train_speakers.py``).
"""

from __future__ import annotations

import ast
import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ficlens.analysis.speakers import bare_name
from ficlens.errors import EvalError
from ficlens.eval.gold import load_gold, prf
from ficlens.story import Span, Story

CUES = ("explicit", "anaphoric", "implicit")
#: The seeds' gold cue names, mapped onto the contract's three.
SEED_CUES = {"name": "explicit", "pronoun": "anaphoric", "nominal": "anaphoric", "context": "implicit"}
_STRIP = " \t\n\r\"'“”‘’«»„—–-"


@dataclass
class GoldQuote:
    start: int
    end: int
    kind: str = "speech"
    speaker: frozenset[str] | None = None  # lower-cased names of the true speaker
    addressees: list[frozenset[str]] = field(default_factory=list)
    cue: str | None = None


@dataclass
class GoldDoc:
    name: str
    text: str
    quotes: list[GoldQuote]
    #: Corpus the document comes from (for the speaker model's folds).
    corpus: str = "gold"
    #: Paragraph spans to use instead of the structure stage (LitBank's reconstructed text).
    paragraphs: list[tuple[int, int]] | None = None


# -- loading ----------------------------------------------------------------------------------


def load_seeds(gold_dir: str | Path, texts_dir: str | Path | None = None) -> list[GoldDoc]:
    docs = []
    for gf in load_gold(gold_dir, texts_dir):
        cast = gf.gold.get("characters", {})
        names = {k: frozenset(bare_name(n) for n in v.get("names", [])) for k, v in cast.items()}
        quotes = [
            GoldQuote(
                q["start"],
                q["end"],
                q.get("kind", "speech"),
                names.get(q.get("speaker")) if q.get("speaker") else None,
                [names.get(a, frozenset({bare_name(a)})) for a in q.get("addressees") or []],
                SEED_CUES.get(q.get("cue") or "", q.get("cue")),
            )
            for q in gf.gold.get("quotes", [])
        ]
        docs.append(GoldDoc(gf.name, gf.text_path.read_text(encoding="utf-8"), quotes))
    return docs


def _pdnc_names(path: Path) -> dict[str, frozenset[str]]:
    """A PDNC speaker as quotation_info writes it -> every name of that character. The speaker column
    uses a character's main name or, for about 8% of quotes, one of its aliases ("Henry" for the
    character "Mr. Wilcox"): an alias that belongs to one character only stands for that character."""
    names: dict[str, frozenset[str]] = {}
    owners: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            main = row["Main Name"].strip()
            try:
                aliases = set(ast.literal_eval(row["Aliases"])) if row.get("Aliases") else set()
            except (ValueError, SyntaxError):
                aliases = set()
            names[main] = frozenset(bare_name(n) for n in aliases | {main})
            for a in aliases:
                owners.setdefault(a.strip(), set()).add(main)
    for alias, mains in owners.items():
        if alias not in names and len(mains) == 1:
            names[alias] = names[next(iter(mains))]
    return names


def load_pdnc(pdnc_dir: str | Path, novels: list[str] | None = None) -> list[GoldDoc]:
    """PDNC novels: one gold quote per sub-quotation (the pieces of an utterance)."""
    root = Path(pdnc_dir)
    dirs = sorted(d for d in root.iterdir() if (d / "quotation_info.csv").is_file()) if root.is_dir() else []
    if not dirs:
        raise EvalError(f"no PDNC novels (*/quotation_info.csv) under {root}")
    docs = []
    for d in dirs:
        if novels is not None and d.name not in novels:
            continue
        names = _pdnc_names(d / "character_info.csv")
        quotes = []
        with (d / "quotation_info.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                spk = row["speaker"].strip()
                who = names.get(spk, frozenset({bare_name(spk)}))
                addr = [names.get(a, frozenset({bare_name(a)})) for a in _literal(row.get("addressees"))]
                cue = row["quoteType"].strip().lower()
                for s, e in _literal(row["quoteByteSpans"]):
                    quotes.append(GoldQuote(int(s), int(e), "speech", who, addr, cue if cue in CUES else None))
        text = (d / "novel_text.txt").read_text(encoding="utf-8")
        docs.append(GoldDoc(d.name, text, sorted(quotes, key=lambda q: q.start), "pdnc"))
    return docs


def _literal(s: str | None) -> list:
    try:
        v = ast.literal_eval(s) if s else []
    except (ValueError, SyntaxError):
        return []
    return list(v) if isinstance(v, list | tuple | set) else []


_NO_SPACE_BEFORE = re.compile(r"^(?:[.,;:!?)\]}%]|'s|'S|n't|'re|'ve|'ll|'d|'m|’s|n’t|’re|’ve|’ll|’d|’m)$")
_OPENERS = {"“", "‘", "(", "[", "{"}
_QUOTE_MARKS = ('"', "'", "“", "‘", "--", "—")


def _detok(sentences: list[list[str]]) -> tuple[str, dict[tuple[int, int], int], list[tuple[int, int]]]:
    """LitBank's tokens back into prose: the text, each token's offset, and reconstructed paragraphs.

    LitBank keeps sentences but not paragraphs, so they are guessed: a paragraph starts after a
    sentence that ends with a quote mark unless the next goes on in lower case (a tag), and at one
    that opens with a quote mark, except right after a tagged quote (``"A," said X. "B."`` keeps
    ``"B."`` in X's paragraph: in PDNC's real paragraphs it does six times in ten).
    """
    parts: list[str] = []
    pos = 0
    offsets: dict[tuple[int, int], int] = {}
    paras: list[tuple[int, int]] = []
    para_start = 0
    opened = {'"': False, "'": False}  # straight marks toggle: open or not
    for si, toks in enumerate(sentences):
        first = toks[0] if toks else ""
        after_quote = parts and parts[-1] in ('"', "'", "”", "’") and not first[:1].islower()
        prev = sentences[si - 1] if si else []
        after_tag = len(prev) > 1 and prev[0] in _QUOTE_MARKS and prev[-1] not in _QUOTE_MARKS
        if si and (first in _QUOTE_MARKS and not after_tag or after_quote) and pos > para_start:
            paras.append((para_start, pos))
            parts.append("\n\n")
            pos += 2
            para_start = pos
            opened = dict.fromkeys(opened, False)
        elif si:
            parts.append(" ")
            pos += 1
        for ti, tok in enumerate(toks):
            closing = tok in opened and opened[tok]
            glue = ti == 0 or _NO_SPACE_BEFORE.match(tok) or tok in ("”", "’") or closing
            prev = toks[ti - 1] if ti else ""
            if ti and (prev in _OPENERS or prev in opened and opened[prev]):
                glue = True
            if not glue:
                parts.append(" ")
                pos += 1
            if tok in opened:
                opened[tok] = not opened[tok]
            offsets[(si, ti)] = pos
            parts.append(tok)
            pos += len(tok)
    if pos > para_start:
        paras.append((para_start, pos))
    return "".join(parts), offsets, paras


def load_litbank(litbank_dir: str | Path) -> list[GoldDoc]:
    """LitBank quotations, with each speaker's names taken from its coreference chain."""
    root = Path(litbank_dir)
    qdir = root / "quotations" / "tsv"
    cdir = root / "coref" / "tsv"
    if not qdir.is_dir():
        raise EvalError(f"no LitBank quotations under {qdir}; pass the litbank folder (with quotations/ and coref/)")
    docs = []
    for ann in sorted(qdir.glob("*.ann")):
        rows = [line.rstrip("\n").split("\t") for line in ann.read_text(encoding="utf-8").splitlines() if line]
        quotes_rows = [r for r in rows if r[0] == "QUOTE"]
        if not quotes_rows:
            continue
        attrib = {r[1]: r[2] for r in rows if r[0] == "ATTRIB" and len(r) > 2}
        sents = [line.split(" ") for line in ann.with_suffix(".txt").read_text(encoding="utf-8").split("\n")]
        text, offsets, paras = _detok(sents)
        names = _litbank_names(cdir / ann.name)
        quotes = []
        for r in quotes_rows:
            s0, t0, s1, t1 = (int(x) for x in r[2:6])
            if (s0, t0) not in offsets or (s1, t1) not in offsets:
                continue
            start = offsets[(s0, t0)]
            end = offsets[(s1, t1)] + len(sents[s1][t1])
            spk = attrib.get(r[1])
            who = names.get(spk, frozenset()) | {_entity_name(spk)} if spk else None
            quotes.append(GoldQuote(start, end, "speech", frozenset(who) if who else None))
        docs.append(GoldDoc(ann.stem.removesuffix("_brat"), text, quotes, "litbank", paras))
    if not docs:
        raise EvalError(f"no quotations in {qdir}")
    return docs


def _entity_name(ent: str) -> str:
    return bare_name(ent.rsplit("-", 1)[0].replace("_", " "))


def _litbank_names(path: Path) -> dict[str, frozenset[str]]:
    """Entity id -> the proper and common names its coreference chain uses."""
    if not path.is_file():
        return {}
    mentions: dict[str, str] = {}
    chains: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        r = line.split("\t")
        if r[0] == "MENTION" and len(r) >= 9 and r[8] in ("PROP", "NOM"):
            mentions[r[1]] = _detok_words(r[6])
        elif r[0] == "COREF" and len(r) >= 3 and r[1] in mentions:
            chains.setdefault(r[2], set()).add(bare_name(mentions[r[1]]))
    return {k: frozenset(v) for k, v in chains.items()}


def _detok_words(s: str) -> str:
    return re.sub(r" (?=['’]s\b|,|\.)", "", s)


# -- scoring ----------------------------------------------------------------------------------


def _inner(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return start, end


def match(text: str, pred: list[Span], gold: list[GoldQuote]) -> dict[int, int]:
    """Gold index -> predicted index, one to one, for spans whose inner text overlaps by half or more
    (of the longer one); among several, the one that overlaps best (intersection over union). Gold
    quotes are taken in text order whatever order the corpus lists them in (LitBank's is not)."""
    p_inner = [_inner(text, s.start, s.end) for s in pred]
    out: dict[int, int] = {}
    used: set[int] = set()
    j0 = 0
    for gi in sorted(range(len(gold)), key=lambda gi: gold[gi].start):
        gs, ge = _inner(text, gold[gi].start, gold[gi].end)
        while j0 < len(p_inner) and p_inner[j0][1] <= gs:
            j0 += 1
        best, best_iou = -1, 0.0
        j = j0
        while j < len(p_inner) and p_inner[j][0] < ge:
            ps, pe = p_inner[j]
            ov = min(pe, ge) - max(ps, gs)
            iou = ov / max(1, max(pe, ge) - min(ps, gs))
            if j not in used and ov * 2 >= max(pe - ps, ge - gs) and iou > best_iou:
                best, best_iou = j, iou
            j += 1
        if best >= 0:
            out[gi] = best
            used.add(best)
    return out


def _names(story: Story, char_id: str | None) -> set[str]:
    c = story.character(char_id)
    return {bare_name(n) for n in [c.name, *c.aliases]} if c else set()


def score_doc(story: Story, gold: GoldDoc) -> Counter:
    """Counts for one document: detection, kinds, speakers by cue, addressees."""
    pred = story.spans("quotes")
    scored = pred if gold.corpus == "gold" else [s for s in pred if s.attrs.get("kind") != "other"]
    m = match(story.text, scored, gold.quotes)
    c: Counter = Counter(pred=len(scored), gold=len(gold.quotes), tp=len(m))
    for gi, g in enumerate(gold.quotes):
        p = scored[m[gi]] if gi in m else None
        if gold.corpus == "gold":
            c["kind_n"] += 1
            c["kind_ok"] += p is not None and p.attrs.get("kind") == g.kind
        if g.kind != "speech" or not g.speaker:
            continue
        right = p is not None and bool(_names(story, p.attrs.get("speaker")) & g.speaker)
        c["spk_n"] += 1
        c["spk_ok"] += right
        if g.cue in CUES:
            c[f"{g.cue}_n"] += 1
            c[f"{g.cue}_ok"] += right
        for a in g.addressees:
            c["addr_n"] += 1
            got = p.attrs.get("addressees", []) if p is not None else []
            c["addr_ok"] += any(_names(story, x) & a for x in got)
    return c


def _row(name: str, c: Counter) -> dict:
    """One table row; an accuracy with nothing to measure (LitBank has no cues) is None, not a perfect score."""
    p, r, f = prf(c["tp"], c["pred"], c["gold"])
    row: dict = {"document": name, "gold": c["gold"], "P": p, "R": r, "F1": f}
    row["speakers_right"] = f"{c['spk_ok']}/{c['spk_n']}"
    row["speaker"] = c["spk_ok"] / c["spk_n"] if c["spk_n"] else None
    for cue in CUES:
        row[cue] = c[f"{cue}_ok"] / c[f"{cue}_n"] if c[f"{cue}_n"] else None
    row["addressee"] = c["addr_ok"] / c["addr_n"] if c["addr_n"] else None
    if c["kind_n"]:
        row["kind"] = c["kind_ok"] / c["kind_n"]
    return row


def analyse_doc(doc: GoldDoc, analyse: Callable[[Story], Story]) -> Story:
    story = Story(doc.text, source=doc.name)
    if doc.paragraphs is not None:
        story.add_layer("paragraphs", [Span(s, e) for s, e in doc.paragraphs])
        story.add_layer("front_matter", [])
    return analyse(story)


def default_analyser(doc: GoldDoc) -> Callable[[Story], Story]:
    """Structure (unless the loader gave paragraphs), characters, quotes, then speakers with the
    fold model that never saw the document (PDNC) or the shipped model."""
    from ficlens.analysis import pipeline, speakers

    stages = ["characters", "quotes"] + (["structure"] if doc.paragraphs is None else [])
    model = (speakers.model_for(doc.name) if doc.corpus == "pdnc" else None) or speakers.default_model()

    def run(story: Story) -> Story:
        return speakers.assign(pipeline.run(story, stages), model)

    return run


def score(docs: list[GoldDoc], title: str) -> tuple[list[dict], dict]:
    """Per-document rows and the summary row (pooled over every quote) for ``docs``."""
    total: Counter = Counter()
    rows = []
    for doc in docs:
        story = analyse_doc(doc, default_analyser(doc))
        c = score_doc(story, doc)
        total += c
        rows.append(_row(doc.name, c))
    return rows, _row(f"{title} (all)", total)
