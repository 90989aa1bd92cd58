"""The human-readable ``analyze`` report, built from sections that each stage's CLI module adds.

A section is ``func(story, console)``; register it with ``@section(order)``. The title
line is 10, the file's tags 12, structure 14-19, characters 20-29, dialogue 30-39, narration 40-49.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

import click
from rich.console import Console

from ficlens.story import Story

Section = Callable[[Story, Console], None]
SECTIONS: list[tuple[int, Section]] = []


def section(order: int) -> Callable[[Section], Section]:
    def wrap(func: Section) -> Section:
        SECTIONS.append((order, func))
        SECTIONS.sort(key=lambda t: t[0])
        return func

    return wrap


def render(story: Story, console: Console) -> None:
    for _, func in SECTIONS:
        func(story, console)


def first_words(text: str, n: int = 10) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def console(file: TextIO | None = None, width: int = 120) -> Console:
    """A console for data output: the terminal's width, or ``width`` columns when piped to a file."""
    out = file or sys.stdout
    return Console(file=out, width=None if out.isatty() else width)


def exit_if_failed(failures: list[str], total: int) -> None:
    """End a batch: one ``error:`` line per failed file, a count when there were several, and exit 1."""
    if not failures:
        return
    for f in failures:
        click.echo(f"error: {f}", err=True)
    if total > 1:
        click.echo(f"{len(failures)} of {total} files failed", err=True)
    raise SystemExit(1)
