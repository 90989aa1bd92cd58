"""``ficlens eval``: score ficlens against gold annotations; each scorer adds a subcommand."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from ficlens.cli import main


@main.group("eval")
def eval_group() -> None:
    """Score ficlens against gold data (seeds, LitBank, PDNC).

    \b
    Examples:
      ficlens eval structure ../shared/gold
      ficlens eval structure ../shared/gold --json
    """


def print_scores(title: str, rows: list[dict], as_json: bool, summary: dict | None = None) -> None:
    """Print per-item score rows as a table (or JSON with the summary) on stdout."""
    if as_json:
        click.echo(json.dumps({"rows": rows, "summary": summary or {}}, ensure_ascii=False))
        return
    console = Console()
    table = Table(title=title)
    cols = list(rows[0]) if rows else []
    for c in cols:
        table.add_column(c, justify="right" if isinstance(rows[0][c], int | float) else "left")
    for r in rows:
        table.add_row(*(_fmt(r[c]) for c in cols))
    if summary:
        table.add_section()
        table.add_row(*(_fmt(summary.get(c, "")) for c in cols))
    console.print(table)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)
