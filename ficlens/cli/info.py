"""``ficlens info``: one summary line per story file (read + structure only), and the report's tag section."""

from __future__ import annotations

import json

import click
from rich.console import Console

from ficlens.analysis.pipeline import run
from ficlens.cli import main
from ficlens.cli.report import exit_if_failed, section
from ficlens.errors import FiclensError, NoStories
from ficlens.readers.archive import iter_sources
from ficlens.readers.tags import count_words
from ficlens.story import Story


def file_summary(story: Story, name: str) -> dict:
    """What a fan wants to see about a file before opening it (stated stats, else counted ones)."""
    m = story.meta
    return {
        "path": name,
        "format": m.extra.get("format"),
        "title": m.title,
        "authors": m.authors,
        "fandoms": m.fandoms,
        "words": m.words if m.words is not None else count_words(story),
        "chapters": m.chapter_count if m.chapter_count is not None else len(story.spans("chapters")),
        "complete": m.complete,
        "rating": m.rating,
        "work_id": m.work_id,
    }


def _line(row: dict) -> str:
    chapters = f"{row['chapters']} chapter{'s' if row['chapters'] != 1 else ''}"
    status = {True: ", complete", False: ", in progress"}.get(row["complete"], "")
    return (
        f"{row['path']}: {row['format']} | {row['title'] or '(untitled)'} | {', '.join(row['authors']) or '-'} | "
        f"{', '.join(row['fandoms']) or '-'} | {row['words'] or 0:,} words | {chapters}{status}"
    )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (newline-delimited).")
def info(paths: tuple[str, ...], as_json: bool) -> None:
    """One line per story file: format, title, authors, fandoms, words, chapters.

    PATHS are story files of any format, folders (searched recursively) or zip archives of
    stories. Files that cannot be read are listed at the end and the exit status is 1.

    \b
    Examples:
      ficlens info downloads/
      ficlens info fic.epub --json | jq .fandoms
    """
    failures: list[str] = []
    total = 0
    for name, load in iter_sources(paths):
        total += 1
        try:
            story = run(load(), ["structure"])
        except FiclensError as e:
            failures.append(f"[{e.code}] {e}")
            continue
        row = file_summary(story, name)
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else _line(row))
    if not total:
        raise NoStories(paths)
    exit_if_failed(failures, total)


_TAG_ROWS = (
    ("Fandoms", "fandoms"),
    ("Rating", "rating"),
    ("Warnings", "warnings"),
    ("Categories", "categories"),
    ("Relationships", "relationships"),
    ("Characters", "characters"),
    ("Additional tags", "additional_tags"),
)


@section(12)
def tags_section(story: Story, console: Console) -> None:
    """The work's tags as the file states them (AO3 / FanFicFare metadata), when it has any."""
    m = story.meta
    rows = [(label, getattr(m, field)) for label, field in _TAG_ROWS]
    series = m.extra.get("series") or []
    rows.append(("Series", [f"{s['name']} (part {s['part']})" if s.get("part") else s["name"] for s in series]))
    rows.append(("Source", m.source_url))
    rows = [(label, ", ".join(v) if isinstance(v, list) else v) for label, v in rows if v]
    if not rows:
        return
    for label, value in rows:
        console.print(f"[bold]{label}:[/bold] {value}", highlight=False, markup=True)
