"""Referential gender from the pronouns a story uses for each character (BookNLP's approach).

A subject pronoun right after a character's name (in the same sentence, or starting the next one
when the name started its sentence) votes for that character; quotation marks keep speech and
narration apart. A possessive or object pronoun in the same sentence is a weak vote. The votes
decide when they agree; titles, canon pronouns and the first-name list are the fallbacks.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ficlens.analysis.clusters import Mention

#: Pronoun -> the set it belongs to ("he", "she", "they", "xe", "ze", "fae", "i", "you").
PRONOUNS: dict[str, str] = {
    **dict.fromkeys("he him his himself".split(), "he"),
    **dict.fromkeys("she her hers herself".split(), "she"),
    **dict.fromkeys("they them their theirs themselves themself".split(), "they"),
    **dict.fromkeys("xe xem xyr xyrs xemself".split(), "xe"),
    **dict.fromkeys("ze zir zirs zirself hir hirs hirself".split(), "ze"),
    **dict.fromkeys("faer faers faerself".split(), "fae"),
    **dict.fromkeys("i me my mine myself".split(), "i"),
    **dict.fromkeys("you your yours yourself yourselves".split(), "you"),
}
PRONOUN_LABEL = {
    "he": "he/him",
    "she": "she/her",
    "they": "they/them",
    "xe": "xe/xem",
    "ze": "ze/zir",
    "fae": "fae/faer",
}
_SENT_END = re.compile(r"[.!?…]")


def gender_votes(text: str, mentions: list[Mention], key=lambda m: id(m.char) if m.char else None) -> dict:
    """Pronouns right after a name (same sentence, or starting the next), counted per ``key`` of the name:
    per character by default, per name form before there are characters. A possessive or object
    pronoun in the same sentence counts as a weak vote ("he~")."""
    votes: dict = defaultdict(Counter)
    last: Mention | None = None
    for m in mentions:
        if m.kind != "pronoun":
            last = m if m.subject and key(m) is not None else None
            if m.kind == "name" and text.endswith(("is ", "was "), 0, m.start) and key(m) is not None:
                told = _NAME_IS.search(text, max(0, m.start - 30), m.start)  # "His name is Aurel."
                if told:
                    votes[key(m)][PRONOUNS[told[1].lower()]] += 1
            continue
        if last is None or m.pron in ("i", "you"):
            continue
        if m.start - last.end > _REACH:
            last = None  # too far for the pronoun to be about that name (and keeps long paragraphs linear)
        elif last.para == m.para and last.quote == m.quote:
            gap = text[last.end : m.start]
            ends = len(_SENT_END.findall(gap))
            if m.surface not in _SUBJECT:
                if ends == 0 and m.pron in ("he", "she"):
                    votes[key(last)][m.pron + "~"] += 1  # "Lett shook his head": weaker, "her" may be someone else
                continue
            if ends == 0 or ends == 1 and last.initial and _NEXT_SENT.fullmatch(gap):
                votes[key(last)][m.pron] += 1
        last = None
    return votes


#: "His name is Aurel": the possessive gives the gender of the name that follows.
_NAME_IS = re.compile(r"\b((?i:his|her|their))[ \t]+(?:(?:real|full|first|given)[ \t]+)?name[ \t]+(?:is|was)[ \t]+\Z")
_REACH = 400  # characters between a name and a pronoun that can still vote for it
_SUBJECT = frozenset("he she they xe ze himself herself themself themselves xemself zirself hirself faerself".split())
_NEXT_SENT = re.compile(r"[^.!?…]*[.!?…][\"”’']?\s+")


def pronoun_set(votes: Counter, prior: str | None) -> str | None:
    total = sum(v for k, v in votes.items() if not k.endswith("~"))
    for neo in ("xe", "ze", "fae"):
        if votes[neo] and votes[neo] * 2 >= total:
            return neo
    he, she, they = votes["he"], votes["she"], votes["they"]
    if they >= 3 and they > 3 * (he + she):
        return "they"
    need = 1 if prior is None else 2 if prior == ("he" if he > she else "she") else 3
    if he + she >= need and max(he, she) >= 0.7 * (he + she):
        return "he" if he > she else "she"
    if prior or he != she:
        return prior or ("he" if he > she else "she")
    he, she = votes["he~"], votes["she~"]
    return "he" if he > 2 * she else "she" if she > 2 * he else None


def resolve_pronouns(mentions: list[Mention], gender: dict[int, str | None]) -> None:
    """A third-person pronoun goes to the last-named character of its gender within two paragraphs."""
    last: dict[str, Mention] = {}
    for m in mentions:
        if m.kind != "pronoun":
            if m.char is not None:
                g = gender.get(id(m.char))
                if g:
                    last[g] = m
            continue
        ref = last.get(m.pron) if m.pron not in ("i", "you") else None
        if ref is not None and m.para - ref.para <= 2:
            m.char = ref.char
