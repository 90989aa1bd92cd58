"""The Story: a text stored once, plus stand-off annotation layers that point into it.

Readers fill ``text`` and ``meta`` (and layers a format already marks); analysis stages add
layers. Every span is a pair of Python ``str`` offsets into ``text``; nothing is ever copied
out of it, so a layer cannot drift from the text. ``to_json`` writes the evaluation contract
(``docs/model.md``) and ``from_json`` reads it back exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from typing import Any

from ficlens.errors import LayerError, SchemaError
from ficlens.text import NormalizedText, normalize

SCHEMA = "ficlens.story/1"

#: Layers that may not overlap themselves: a character offset belongs to at most one span.
STRICT_LAYERS = frozenset({"paragraphs", "chapters", "scenes", "front_matter"})
#: Layers the contract lists at the top level of the JSON; all others go under "layers".
CONTRACT_LAYERS = ("chapters", "scenes", "quotes")
#: Keys a span writes itself; attrs may not use them, or the JSON would not read back the same.
_RESERVED = frozenset({"start", "end", "label"})
#: Keys every span of a contract layer carries, with their default, so evaluation can rely on them.
CONTRACT_DEFAULTS: dict[str, dict[str, Any]] = {
    "chapters": {"title": None},
    "scenes": {"person": None, "narrator": None, "focal": None, "tense": None},  # + "label": its POV header
    "quotes": {"kind": "speech", "speaker": None, "addressees": [], "cue": None, "confidence": 0.0},
}


@dataclass(slots=True)
class Span:
    """A piece of the story: ``text[start:end]`` plus a label and small JSON attributes."""

    start: int
    end: int
    label: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"start": self.start, "end": self.end}
        if self.label is not None:
            d["label"] = self.label
        d.update(self.attrs)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        attrs = {k: v for k, v in d.items() if k not in ("start", "end", "label")}
        return cls(int(d["start"]), int(d["end"]), d.get("label"), attrs)


@dataclass(slots=True)
class Layer:
    """A named list of spans, sorted by position, with the stage that made it."""

    name: str
    spans: list[Span]
    strict: bool = False
    producer: str | None = None

    def __iter__(self):
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)


@dataclass
class Metadata:
    """What the file says about the work (AO3 fields, FanFicFare labels, plain-text headers)."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    rating: str | None = None
    warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    additional_tags: list[str] = field(default_factory=list)
    language: str | None = None
    words: int | None = None
    chapter_count: int | None = None
    complete: bool | None = None
    source_url: str | None = None
    work_id: str | None = None
    site: str | None = None
    #: Anything else a reader knows (format, encoding, series, dates, end notes...).
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        extra = d.pop("extra")
        d.update({k: v for k, v in extra.items() if k not in d})
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Metadata:
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: v for k, v in d.items() if k in names}
        return cls(**known, extra={k: v for k, v in d.items() if k not in names})


@dataclass
class Character:
    """One person in the story under all the names the text uses for them."""

    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    canon: str | None = None
    pronouns: str | None = None
    mentions: int = 0
    main: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(d.pop("attrs"))
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Character:
        names = {f.name for f in fields(cls)} - {"attrs"}
        known = {k: v for k, v in d.items() if k in names}
        return cls(**known, attrs={k: v for k, v in d.items() if k not in names})


class Story:
    """One work: its exact text, its metadata, and the annotation layers added by stages."""

    def __init__(self, text: str, meta: Metadata | None = None, *, source: str | None = None) -> None:
        self.text = text
        self.meta = meta or Metadata()
        self.source = source
        self.layers: dict[str, Layer] = {}
        self.characters: list[Character] = []

    def __repr__(self) -> str:
        name = self.meta.title or self.source or "untitled"
        return f"<Story {name!r}: {len(self.text)} chars, layers={sorted(self.layers)}>"

    # -- layers ---------------------------------------------------------------------------------

    def add_layer(
        self,
        name: str,
        spans: Iterable[Span],
        *,
        producer: str | None = None,
        strict: bool | None = None,
    ) -> Layer:
        """Set layer ``name`` (replacing it), after checking every span lies inside the text."""
        strict = name in STRICT_LAYERS if strict is None else strict
        ordered = sorted(spans, key=lambda s: (s.start, s.end))
        n = len(self.text)
        prev_end = 0
        for s in ordered:
            if not 0 <= s.start <= s.end <= n:
                raise LayerError(f"span {s.start}-{s.end} of layer {name!r} is outside the text (0-{n})")
            if _RESERVED.intersection(s.attrs):
                raise LayerError(f"span attrs of layer {name!r} use a reserved key ({_RESERVED}); use Span.label")
            if strict and s.start < prev_end:
                raise LayerError(
                    f"spans of strict layer {name!r} overlap at {s.start}; use a loose layer for overlaps"
                )
            prev_end = max(prev_end, s.end)
        layer = Layer(name, ordered, strict, producer)
        self.layers[name] = layer
        return layer

    def spans(self, name: str) -> list[Span]:
        """The spans of layer ``name``, or an empty list when no stage has made it."""
        layer = self.layers.get(name)
        return layer.spans if layer else []

    def span_text(self, span: Span) -> str:
        return self.text[span.start : span.end]

    @cached_property
    def normalized(self) -> NormalizedText:
        """A cleaned copy of ``text`` (mojibake, CRLF, BOM) with a map back to ``text`` offsets."""
        return normalize(self.text)

    def character(self, char_id: str | None) -> Character | None:
        return next((c for c in self.characters if c.id == char_id), None)

    # -- JSON -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The contract JSON object (``docs/model.md``)."""
        d: dict[str, Any] = {"schema": SCHEMA, "text": self.text, "metadata": self.meta.to_dict()}
        for name in CONTRACT_LAYERS:
            d[name] = [{**CONTRACT_DEFAULTS[name], **s.to_dict()} for s in self.spans(name)]
        d["characters"] = [c.to_dict() for c in self.characters]
        d["source"] = self.source
        layers = sorted(self.layers.items())
        d["producers"] = {n: lay.producer for n, lay in layers if lay.producer}
        d["layers"] = {n: [s.to_dict() for s in lay.spans] for n, lay in layers if n not in CONTRACT_LAYERS}
        return d

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Story:
        schema = d.get("schema") if isinstance(d, dict) else None
        if schema != SCHEMA:
            raise SchemaError(f"expected schema {SCHEMA!r}, found {schema!r}; re-run `ficlens analyze --json`")
        story = cls(d["text"], Metadata.from_dict(d.get("metadata") or {}), source=d.get("source"))
        producers = d.get("producers") or {}
        named = {n: d.get(n) for n in CONTRACT_LAYERS if n in producers or d.get(n)}
        named.update(d.get("layers") or {})
        for name, spans in named.items():
            story.add_layer(name, (Span.from_dict(s) for s in spans or []), producer=producers.get(name))
        story.characters = [Character.from_dict(c) for c in d.get("characters") or []]
        return story

    @classmethod
    def from_json(cls, data: str) -> Story:
        try:
            return cls.from_dict(json.loads(data))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise SchemaError(f"not a ficlens story JSON ({e})") from None
