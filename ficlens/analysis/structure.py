"""Structure stage (placeholder while the full detector is written): paragraphs, one chapter, one scene."""

from __future__ import annotations

import re

from ficlens.analysis.pipeline import stage
from ficlens.story import Span, Story

_PARA = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*")


@stage("structure", assigns=("paragraphs", "chapters", "scenes", "front_matter"))
def structure(story: Story) -> Story:
    """Find paragraphs, front matter, chapters and scene breaks."""
    paras = [Span(m.start(), m.end()) for m in _PARA.finditer(story.text) if m.group().strip()]
    story.add_layer("paragraphs", paras, producer="structure/0")
    if paras:
        story.add_layer("chapters", [Span(paras[0].start, paras[-1].end, attrs={"title": None})])
        story.add_layer("scenes", [Span(paras[0].start, paras[-1].end)])
    story.add_layer("front_matter", [])
    return story
