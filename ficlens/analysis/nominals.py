"""Unnamed people: "someone in a mask ... the masked man ... the Death Eater" as one character.

Full nominal coreference is out of scope; this finds the common fan-fiction pattern of a stranger
who is introduced, described, and given a role without ever being named. A group starts at an
introduction ("someone in a mask", "a hooded figure") or a described definite ("the masked man"),
and takes in descriptions within two paragraphs of its start that share a word stem with it
("mask", "masked") or name a role the fandom pack lists ("the Death Eater"). A plain "the man"
never joins or starts a group (it is usually someone already named), and a group needs two
different descriptions to count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Nouns for a person, with the gender they imply.
PERSON_NOUNS: dict[str, str | None] = {
    **dict.fromkeys("man boy guy gentleman wizard lad fellow".split(), "he"),
    **dict.fromkeys("woman girl lady witch lass".split(), "she"),
    **dict.fromkeys(
        "stranger figure person kid child youth soldier guard intruder attacker assailant newcomer visitor "
        "creature someone somebody".split(),
        None,
    ),
}
#: Adjectives too common to tell one unnamed person from another.
_PLAIN = frozenset(
    "other same first second last next young old little poor only whole older younger tall short big small "
    "dead new good bad".split()
)
_NOUNS = "|".join(sorted(PERSON_NOUNS, key=len, reverse=True))
# Starts with a character class so that the regex engine skips ahead in C; the lookbehinds then read the
# first letter, which no group holds: "det" is "he" for "the", "" or "n" for "a"/"an".
_NOMINAL = re.compile(
    rf"[SsTtAa](?<!\w.)(?:(?<=[Ss])(?P<some>ome(?:one|body))|(?P<det>(?<=[Tt])he|(?<=[Aa])n?)[ \t]+"
    rf"(?:(?P<adj>[a-z]+(?:-[a-z]+)?)[ \t]+)?"
    rf"(?P<noun>{_NOUNS}))\b(?:[ \t]+(?:in|with|wearing)[ \t]+(?:a|an|the|his|her)[ \t]+"
    r"(?P<attr>[a-z]+)(?:[ \t]+(?P<attr2>[a-z]+))?)?"
)
_WINDOW = 2  # paragraphs


@dataclass
class Nominal:
    start: int
    end: int
    para: int
    definite: bool
    gender: str | None
    stems: frozenset[str]
    role: bool = False  # a capitalised role: "the Death Eater"


@dataclass
class Unnamed:
    """One unnamed person: its mentions, first descriptions first."""

    mentions: list[Nominal] = field(default_factory=list)

    @property
    def gender(self) -> str | None:
        return next((m.gender for m in self.mentions if m.gender), None)


def _noun_like(word: str | None) -> bool:
    """The second word of "a grey cloak" belongs to the description; "a mask stepped" does not."""
    return bool(word) and word not in _FUNCTION and not word.endswith(("ed", "ing", "ly"))


_FUNCTION = frozenset("and or but who that which as when while then to of in on at was were is had has stood".split())


def _stems(*words: str | None) -> frozenset[str]:
    return frozenset(w[:4] for w in words if w and w not in _PLAIN and len(w) > 2)


def find(text: str, paras: list[tuple[int, int]], roles: list[tuple[int, int, int]]) -> list[Unnamed]:
    """Unnamed people described at least two ways; ``roles`` are (start, end, para) of "the Death Eater"s."""
    found: list[Nominal] = []
    for pi, (ps, pe) in enumerate(paras):
        for m in _NOMINAL.finditer(text, ps, pe):
            noun = m["noun"].lower() if m["noun"] else text[m.start() : m.end("some")].lower()
            definite = m["det"] == "he"
            end = m.end("attr2") if _noun_like(m["attr2"]) else m.end("attr") if m["attr"] else m.end()
            stems = _stems(m["adj"], m["attr"], m["attr2"])
            found.append(Nominal(m.start(), end, pi, definite, PERSON_NOUNS[noun], stems))
    found.extend(Nominal(s, e, p, True, None, frozenset(), True) for s, e, p in roles)
    found.sort(key=lambda n: n.start)
    groups: list[Unnamed] = []
    live_from = 0  # groups start in reading order, so the live ones (begun within the window) are the last ones
    for n in found:
        while live_from < len(groups) and n.para - groups[live_from].mentions[0].para > _WINDOW:
            live_from += 1
        live = groups[live_from:]
        fits = [g for g in live if n.gender is None or g.gender in (None, n.gender)]
        if n.role:
            target = fits[-1] if fits else None
        else:
            target = next((g for g in reversed(fits) if any(n.stems & m.stems for m in g.mentions)), None)
        if target is not None:
            target.mentions.append(n)
        elif n.stems and not n.role:
            groups.append(Unnamed([n]))
    return [g for g in groups if len({_key(text, m) for m in g.mentions}) > 1]


def _key(text: str, n: Nominal) -> str:
    return " ".join(text[n.start : n.end].lower().split()[1:])
