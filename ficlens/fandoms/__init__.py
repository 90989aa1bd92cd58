"""Fandom packs: what a fandom's canon says about its people, in small TOML files.

A pack (``harry_potter.toml``) lists the fandom's AO3 tags, words that betray it in a text,
its canon characters (AO3 canonical name, aliases, nicknames, pronouns, names shared with others)
and names that are *not* people (places, spells, organisations). Packs only help: they name
and merge characters the text itself mentions, never add one. Users add packs by pointing
``FICLENS_FANDOMS`` (folders separated by ``os.pathsep``) or ``load_packs(dirs)`` at a folder of
TOML files; a user pack with the same ``id`` replaces the shipped one. Format: ``docs/characters.md``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ficlens.errors import FandomPackError

PACK_DIR = Path(__file__).parent
ENV = "FICLENS_FANDOMS"


@dataclass(frozen=True)
class CanonCharacter:
    """One canon character: ``name`` is the AO3 canonical tag (e.g. "Lily Evans Potter")."""

    name: str
    aliases: tuple[str, ...] = ()
    nicknames: tuple[str, ...] = ()
    pronouns: str | None = None
    #: Names other people in canon also answer to ("Potter", "Mrs Potter"): used only when the text has one taker.
    ambiguous: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.nicknames)


@dataclass
class Pack:
    """A fandom: its tags, tell-tale words, canon characters and non-character names."""

    id: str
    name: str
    tags: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    characters: list[CanonCharacter] = field(default_factory=list)
    not_characters: frozenset[str] = frozenset()
    #: Roles that describe one person without naming them ("Death Eater"), lower-cased.
    roles: frozenset[str] = frozenset()
    path: str | None = None

    @cached_property
    def by_name(self) -> dict[str, list[CanonCharacter]]:
        """Lower-cased name -> canon characters answering to it (several when the name is shared)."""
        out: dict[str, list[CanonCharacter]] = {}
        for c in self.characters:
            for n in c.names:
                lst = out.setdefault(n.lower(), [])
                if c not in lst:
                    lst.append(c)
        return out


def _strs(d: dict, key: str, where: str) -> tuple[str, ...]:
    v = d.get(key, [])
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise FandomPackError(f"{where}: '{key}' must be a list of strings")
    return tuple(x.strip() for x in v if x.strip())


def parse_pack(text: str, path: str) -> Pack:
    """Build a Pack from TOML text; errors name the file and the bad entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = f"not valid TOML ({e}); fix the file or remove it from the pack folder"
        raise FandomPackError(msg, path=path) from None
    head = data.get("fandom")
    if not isinstance(head, dict) or not isinstance(head.get("name"), str):
        raise FandomPackError("needs a [fandom] table with a 'name' string", path=path)
    chars = []
    for i, c in enumerate(data.get("character", [])):
        where = f"{path}: character {i + 1}"
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise FandomPackError(f"{where} needs a 'name' string")
        pron = c.get("pronouns")
        if pron is not None and not isinstance(pron, str):
            raise FandomPackError(f"{where}: 'pronouns' must be a string such as \"she/her\"")
        chars.append(
            CanonCharacter(
                c["name"].strip(),
                _strs(c, "aliases", where),
                _strs(c, "nicknames", where),
                pron,
                _strs(c, "ambiguous", where),
                _strs(c, "facts", where),
            )
        )
    nots = data.get("not_characters", {})
    if not isinstance(nots, dict):
        raise FandomPackError("[not_characters] must be a table of lists (places = [...], spells = [...])", path=path)
    names = frozenset(n.lower() for k in nots for n in _strs(nots, k, f"{path}: not_characters"))
    roles = frozenset(n.lower() for n in _strs(nots, "roles", f"{path}: not_characters"))
    pid = str(head.get("id") or Path(path).stem)
    return Pack(
        pid,
        head["name"],
        _strs(head, "tags", path),
        _strs(head, "markers", path),
        chars,
        names,
        roles,
        path,
    )


def pack_dirs(extra: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Shipped packs first, then ``FICLENS_FANDOMS`` folders, then ``extra``: later ones win."""
    env = [p for p in os.environ.get(ENV, "").split(os.pathsep) if p]
    dirs = [PACK_DIR]
    for d in [*env, *extra]:
        p = Path(d)
        if not p.is_dir():
            raise FandomPackError(f"fandom pack folder not found; check {ENV} or the option given", path=str(p))
        dirs.append(p)
    return dirs


def load_packs(extra: Iterable[str | os.PathLike[str]] = ()) -> list[Pack]:
    """Every pack, keyed by id (a user pack replaces a shipped one with the same id)."""
    packs: dict[str, Pack] = {}
    for d in pack_dirs(extra):
        for f in sorted(d.glob("*.toml")):
            try:
                text = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise FandomPackError(f"cannot read pack ({e})", path=str(f)) from None
            pack = parse_pack(text, str(f))
            packs[pack.id] = pack
    return list(packs.values())


_LOADED: dict[str, list[Pack]] = {}


def loaded_packs() -> list[Pack]:
    """Every pack, read once per pack-folder setting (``$FICLENS_FANDOMS``)."""
    env = os.environ.get(ENV, "")
    if env not in _LOADED:
        _LOADED[env] = load_packs()
    return _LOADED[env]


def _norm_tag(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def from_metadata(fandoms: Iterable[str], packs: Iterable[Pack]) -> list[Pack]:
    """Packs whose AO3 tags match the story's fandom tags ("Harry Potter - J. K. Rowling")."""
    want = [_norm_tag(f) for f in fandoms if f.strip()]
    out = []
    for p in packs:
        tags = [_norm_tag(t) for t in (p.name, *p.tags)]
        if any(w == t or w.startswith(t + " ") for w in want for t in tags if t):
            out.append(p)
    return out


def named_in(texts: Iterable[str], packs: Iterable[Pack]) -> list[str]:
    """The fandoms a disclaimer names ("I don't own Harry Potter", "Naruto belongs to Kishimoto"): each pack's
    name or the title part of its tags, as whole words."""
    text = "\n".join(texts)
    found = []
    for p in packs:
        titles = {re.split(r" - | \(", t)[0].strip() for t in (p.name, *p.tags)}
        if any(t and re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text) for t in titles):
            found.append(p.name)
    return found


def from_names(
    runs: Iterable[str], packs: Iterable[Pack], *, min_hits: int = 2, common: Collection[str] = ()
) -> list[Pack]:
    """Packs the text betrays: ``runs`` (its capitalised word runs) hold ``min_hits`` markers or multi-word
    canon names ("Aunt Petunia").

    Only the pack's marker words and multi-word canon names count, so shared first names
    ("John", "Harry") never pull a fandom in alone; with one marker, three canon characters
    named by any of their names that are not ``common`` first names ("John", "Mary") also do.
    """
    seen: set[str] = set()
    for r in runs:
        toks = r.split()
        for n in (1, 2, 3):
            seen.update(" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1))
    out = []
    for p in packs:
        found = {m for m in p.markers if m in seen}
        found.update(n for c in p.characters for n in (c.name, *c.aliases) if " " in n and n in seen)
        hits = {h for h in found if not any(h != o and h in o for o in found)}  # "Sherlock" in "Sherlock Holmes"
        named = sum(any(n in seen and n not in common for n in c.names) for c in p.characters)
        if len(hits) == min_hits - 1 and named >= 3:
            hits.add("+names")
        if len(hits) >= min_hits:
            out.append((len(hits), p))
    return [p for _, p in sorted(out, key=lambda t: -t[0])]


def detect(
    runs: Iterable[str], fandoms: Iterable[str], packs: Iterable[Pack], common: Collection[str] = ()
) -> list[Pack]:
    """The packs for a story: from its metadata when that names a known fandom, else from its name runs."""
    packs = list(packs)
    return from_metadata(fandoms, packs) or from_names(runs, packs, common=common)
