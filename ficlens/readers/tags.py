"""Metadata every reader derives the same way: AO3 vocabulary, relationship pairs, counted stats.

Files carry tags as the author (or an old template) wrote them; search and the analysis want the
current AO3 names. The original strings stay in ``meta.extra`` when they differ. Word and chapter
counts are recomputed from the text and compared with the stated stats.
"""

from __future__ import annotations

import re

from ficlens.story import Metadata, Story

RATINGS = ("Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit")
WARNINGS = (
    "Choose Not To Use Archive Warnings",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "No Archive Warnings Apply",
    "Rape/Non-Con",
    "Underage Sex",
)
CATEGORIES = ("Gen", "F/M", "M/M", "F/F", "Multi", "Other")

_RATING_ALIASES = {
    "general audience": "General Audiences",
    "teen and up audience": "Teen And Up Audiences",
    "teen and up": "Teen And Up Audiences",
    "fiction k": "General Audiences",
    "fiction k+": "General Audiences",
    "k": "General Audiences",
    "k+": "General Audiences",
    "fiction t": "Teen And Up Audiences",
    "t": "Teen And Up Audiences",
    "fiction m": "Mature",
    "m": "Mature",
    "fiction ma": "Explicit",
    "ma": "Explicit",
}
_WARNING_ALIASES = {
    "creator chose not to use archive warnings": "Choose Not To Use Archive Warnings",
    "author chose not to use archive warnings": "Choose Not To Use Archive Warnings",
    "underage": "Underage Sex",
    "no archive warnings apply": "No Archive Warnings Apply",
    "graphic depictions of violence": "Graphic Depictions Of Violence",
}
_CANON = {v.lower(): v for v in RATINGS + WARNINGS + CATEGORIES}
#: Language codes (OPF ``dc:language``) to the names AO3 and FanFicFare show; others are kept as written.
_LANGUAGES = {
    "en": "English", "es": "Español", "fr": "Français", "de": "Deutsch", "it": "Italiano", "ru": "Русский",
    "ja": "日本語", "ko": "한국어", "pl": "Polski", "nl": "Nederlands",
    "eng": "English", "spa": "Español", "fra": "Français", "fre": "Français", "deu": "Deutsch", "ger": "Deutsch",
    "ita": "Italiano", "rus": "Русский", "jpn": "日本語", "kor": "한국어", "pol": "Polski", "nld": "Nederlands",
    "dut": "Nederlands",
}  # fmt: skip


def language(value: str | None) -> str | None:
    """``en``/``en-US``/``eng`` (ISO 639-1 or -2, as Calibre writes) -> ``English``; a name stays as it is."""
    if not value:
        return None
    return _LANGUAGES.get(value.strip().lower().split("-")[0], value.strip()) if len(value) <= 6 else value.strip()


def _canon(value: str, aliases: dict[str, str]) -> str:
    key = " ".join(value.split()).lower()
    return _CANON.get(key) or aliases.get(key) or value.strip()


def rating(value: str | None) -> str | None:
    return _canon(value, _RATING_ALIASES) if value else None


def warnings(values: list[str]) -> list[str]:
    return _dedupe(_canon(v, _WARNING_ALIASES) for v in values)


def categories(values: list[str]) -> list[str]:
    return _dedupe(_canon(v, {}) for v in values)


def is_category(value: str) -> bool:
    return value.strip().lower() in {c.lower() for c in CATEGORIES}


def _dedupe(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def split_relationship(tag: str) -> dict:
    """``A/B`` is romantic, ``A & B`` platonic (AO3 wrangling rules); a pipe stays inside a name."""
    kind, sep = ("romantic", "/") if "/" in tag else ("platonic", "&") if "&" in tag else ("other", None)
    names = tag.split(sep) if sep else [tag]
    return {"tag": tag, "kind": kind, "characters": [n.strip() for n in names if n.strip()]}


#: Scripts written without spaces (Han, kana, Thai), where AO3 counts every character as a word.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _unspaced_words(text: str) -> int:
    """Words in text with CJK or Thai: one per such character, plus the other tokens that hold a letter or digit."""
    return len(_UNSPACED.findall(text)) + sum(any(c.isalnum() for c in t) for t in _UNSPACED.sub(" ", text).split())


def count_words(story: Story) -> int:
    """Words of prose as AO3 counts them: whitespace-separated tokens in the paragraphs (characters in
    Chinese, Japanese and Thai text, whose paragraphs are the ones with few spaces)."""
    text = story.text
    total = 0
    for s in story.spans("paragraphs"):
        paragraph = text[s.start : s.end]
        n = len(paragraph.split())
        if len(paragraph) > 7 * n and _UNSPACED.search(paragraph):
            n = _unspaced_words(paragraph)
        total += n
    return total


def finish(story: Story) -> Story:
    """Normalise vocabulary, split relationships, and check stated stats against the text."""
    meta: Metadata = story.meta
    raw = {
        "rating": meta.rating,
        "warnings": list(meta.warnings),
        "categories": list(meta.categories),
        "language": meta.language,
    }
    meta.language = language(meta.language)
    meta.rating = rating(meta.rating)
    meta.warnings = warnings(meta.warnings)
    meta.categories = categories(meta.categories)
    as_written = {k: v for k, v in raw.items() if v and v != getattr(meta, k)}
    if as_written:
        meta.extra["as_written"] = as_written
    pairs = [split_relationship(r) for r in meta.relationships]
    meta.extra["romantic"] = [p["tag"] for p in pairs if p["kind"] == "romantic"]
    meta.extra["platonic"] = [p["tag"] for p in pairs if p["kind"] == "platonic"]
    meta.extra["pairing_characters"] = _dedupe(c for p in pairs for c in p["characters"])
    if "paragraphs" not in story.layers:
        return story  # plain text: the structure stage finds paragraphs; nothing to count yet
    words = count_words(story)
    chapters = len(story.spans("chapters"))
    meta.extra["words_counted"] = words
    meta.extra["chapters_counted"] = chapters
    if meta.words is None:
        meta.words = words
    elif abs(meta.words - words) > max(10, meta.words // 20):
        meta.extra["stats_mismatch"] = f"file says {meta.words} words, the text has {words}"
    if meta.chapter_count is None:
        meta.chapter_count = chapters
    elif meta.chapter_count != chapters:
        meta.extra["stats_mismatch"] = f"file says {meta.chapter_count} chapters, the text has {chapters}"
    return story
