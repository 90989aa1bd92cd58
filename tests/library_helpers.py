"""Helpers for the library tests: hand-built stories (no analysis stages needed) and invented prose."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path
from typing import Any

from ficlens.library.store import Library, prepare
from ficlens.story import Character, Metadata, Span, Story

_SYLLABLES = "ka lo mi ren tas vo quel dar is en tor bel fin gra hul yss pon sel mar tik".split()


def vocabulary(seed: int, n: int = 400) -> list[str]:
    """Invented words, so two texts share runs of words only where a test put them."""
    rng = random.Random(seed)
    return sorted({"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(n)})


def prose(seed: int, words: int, vocab: list[str] | None = None, per_paragraph: int = 60) -> str:
    """Paragraphs of invented words separated by blank lines."""
    rng = random.Random(seed)
    vocab = vocab or vocabulary(seed)
    out = [rng.choice(vocab) for _ in range(words)]
    paras = [" ".join(out[i : i + per_paragraph]) + "." for i in range(0, words, per_paragraph)]
    return "\n\n".join(paras) + "\n"


def edit(text: str, every: int, seed: int = 0) -> str:
    """Replace one word in ``every`` with a new one."""
    rng = random.Random(seed)
    words = text.split(" ")
    for i in range(rng.randrange(every), len(words), every):
        words[i] = "zzedit" + str(i)
    return " ".join(words)


def make_story(
    text: str,
    *,
    characters: list[Character] | None = None,
    scenes: list[dict[str, Any]] | None = None,
    quotes: list[dict[str, Any]] | None = None,
    **meta: Any,
) -> Story:
    """A Story with the layers the library reads, built by hand the way a test wants it."""
    story = Story(text, Metadata(**meta), source=meta.get("title") or "story")
    paras = [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]*)*", text) if m.group().strip()]
    story.add_layer("paragraphs", paras)
    story.add_layer("chapters", [Span(0, len(text), attrs={"title": None})])
    scene = {"person": "third", "narrator": None, "focal": None, "tense": "past", **(scenes or [{}])[0]}
    story.add_layer("scenes", [Span(0, len(text), attrs=scene)])
    spans = []
    for q in quotes or []:
        i = text.index(q["text"])
        spans.append(Span(i, i + len(q["text"]), attrs={"kind": "speech", "speaker": q.get("speaker"),
                                                          "addressees": q.get("addressees", [])}))
    story.add_layer("quotes", spans)
    story.characters = characters or []
    return story


def add_story(lib: Library, story: Story, key: str | None = None) -> int:
    wid = lib.add(prepare(story, key or hashlib.blake2b(story.text.encode()).hexdigest()))
    assert wid is not None
    return wid


def write_stories(folder: Path, n: int, words: int = 120, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        p = folder / f"story{i:04d}.txt"
        p.write_text(f"Title {i}\n\n" + prose(i, words), encoding="utf-8")
        paths.append(p)
    return paths
