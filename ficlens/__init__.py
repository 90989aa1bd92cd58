"""ficlens: read fan fiction the way a fan does.

    >>> import ficlens
    >>> story = ficlens.analyze("examples/the_lighthouse_keeper.txt")
    >>> story.meta.summary, [c.name for c in story.characters]
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from ficlens.analysis.pipeline import run
from ficlens.errors import FiclensError
from ficlens.readers import read
from ficlens.story import Character, Layer, Metadata, Span, Story

try:
    __version__ = version("ficlens")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"


def analyze(source: str | os.PathLike[str] | Story, stages: Sequence[str] | None = None) -> Story:
    """Read ``source`` (a path or a Story) and run the analysis stages on it."""
    story = source if isinstance(source, Story) else read(source)
    return run(story, stages)


__all__ = ["Character", "FiclensError", "Layer", "Metadata", "Span", "Story", "analyze", "read", "run"]
