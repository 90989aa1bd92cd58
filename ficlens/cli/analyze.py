"""``ficlens analyze``: read stories, run the analysis stages, print a report or the contract JSON."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.progress import track

import ficlens
from ficlens.cli import main
from ficlens.cli.report import console, exit_if_failed, first_words, render, section
from ficlens.errors import FiclensError, NoStories
from ficlens.readers.archive import iter_sources
from ficlens.readers.tags import count_words
from ficlens.story import Story


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the contract JSON, one object per line.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--stages", help="Comma-separated stages to run (default: all). See `ficlens stages`.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def analyze(paths: tuple[str, ...], as_json: bool, output: str | None, stages: str | None, quiet: bool) -> None:
    """Analyse stories: structure, cast, dialogue and point of view.

    PATHS are story files (text, HTML, EPUB, ...), zips of them, or directories, searched
    recursively. A file that cannot be read is reported at the end; the others are still analysed.

    \b
    Examples:
      ficlens analyze examples/
      ficlens analyze fic.txt --json | jq .metadata.summary
      ficlens analyze library/ --json -o stories.jsonl
      ficlens analyze fic.epub --stages structure,characters
    """
    chosen = [s.strip() for s in stages.split(",") if s.strip()] if stages else None
    sources = list(iter_sources(paths))
    if not sources:
        raise NoStories(paths)
    err = Console(stderr=True)
    show_progress = not quiet and len(sources) > 1 and err.is_terminal
    failures: list[str] = []
    with _open_output(output) as out:
        report = console(out)
        for _name, load in track(sources, description="Analysing", console=err, disable=not show_progress):
            try:
                story = ficlens.analyze(load(), chosen)
            except FiclensError as e:
                if len(sources) == 1:
                    raise
                failures.append(f"[{e.code}] {e}")
                continue
            if as_json:
                out.write(story.to_json() + "\n")
            else:
                render(story, report)
    exit_if_failed(failures, len(sources))


class _open_output:
    """stdout, or a file written atomically: a failed run leaves no half-written output."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def __enter__(self):
        if self.path is None:
            self.f = sys.stdout
            return self.f
        target = Path(self.path)
        fd, self.tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
        self.f = os.fdopen(fd, "w", encoding="utf-8")
        return self.f

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path is None:
            return
        self.f.close()
        if exc_type is None or exc_type is SystemExit:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp made it private; give it a normal file's mode
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per stage.")
def stages(as_json: bool) -> None:
    """List the analysis stages in the order they run, what each needs and what it adds.

    \b
    Examples:
      ficlens stages
      ficlens analyze fic.txt --stages structure,quotes   # the stages a run needs are checked first
    """
    from ficlens.analysis.pipeline import REGISTRY

    for name in REGISTRY.names():
        st = REGISTRY.get(name)
        if as_json:
            row = {"name": name, "requires": st.requires, "uses": st.uses, "assigns": st.assigns, "doc": st.doc}
            click.echo(json.dumps(row))
            continue
        click.echo(f"{name:12} needs: {', '.join(st.requires) or '-':24} adds: {', '.join(st.assigns)}")
        if st.doc:
            click.echo(f"{'':12} {st.doc}")


@section(10)
def title_section(story: Story, console: Console) -> None:
    """The title rule, authors and sizes."""
    meta = story.meta
    words = count_words(story)
    console.rule(f"[bold]{meta.title or Path(story.source or 'story').name}[/bold]")
    if meta.authors:
        console.print(f"by {', '.join(meta.authors)}", highlight=False)
    console.print(
        f"{words:,} words · {_n(story, 'chapters')} · {_n(story, 'scenes')}"
        f" · {_n(story, 'paragraphs')}",
        highlight=False,
    )


@section(14)
def structure_section(story: Story, console: Console) -> None:
    """Summary, notes, chapters and scenes with their first words."""
    meta = story.meta
    if meta.summary:
        console.print(f"[bold]Summary:[/bold] {first_words(meta.summary, 60)}", highlight=False)
    for note in meta.notes:
        console.print(f"[bold]Note:[/bold] {first_words(note, 30)}", highlight=False)
    scenes = story.spans("scenes")
    for ci, ch in enumerate(story.spans("chapters"), 1):
        console.print(f"[bold]Chapter {ci}[/bold]: {ch.attrs.get('title') or '(untitled)'}", highlight=False)
        for si, sc in enumerate((s for s in scenes if ch.start <= s.start < ch.end), 1):
            label = f" [{sc.label}]" if sc.label else ""
            console.print(f"  scene {si}{label}: {first_words(story.text[sc.start : sc.end], 12)}", highlight=False)


def _n(story: Story, layer: str) -> str:
    n = len(story.spans(layer))
    return f"{n} {layer if n != 1 else layer[:-1]}"
