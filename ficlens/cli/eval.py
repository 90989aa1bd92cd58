"""``ficlens eval``: score ficlens against gold annotations; each scorer adds a subcommand."""

from __future__ import annotations

import json

import click
from rich.table import Table

from ficlens.cli import main
from ficlens.cli.report import console


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
    table = Table(title=title)
    cols = list(rows[0]) if rows else []
    for c in cols:
        table.add_column(c, justify="right" if isinstance(rows[0][c], int | float) else "left")
    for r in rows:
        table.add_row(*(_fmt(r[c]) for c in cols))
    if summary:
        table.add_section()
        table.add_row(*(_fmt(summary.get(c, "")) for c in cols))
    console(width=200).print(table)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


@eval_group.command("structure")
@click.argument("gold_dir", type=click.Path(file_okay=False))
@click.option("--texts", type=click.Path(file_okay=False), help="Story texts folder (default: GOLD_DIR/../seeds).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_structure(gold_dir: str, texts: str | None, as_json: bool) -> None:
    """Score summary, notes, chapter titles and scene boundaries against gold JSON.

    A scene is right when its first and last lines equal the gold's.

    \b
    Example:
      ficlens eval structure ../shared/gold
    """
    from ficlens.eval.structure import score_structure

    rows, summary = score_structure(gold_dir, texts)
    print_scores("Structure", rows, as_json, summary)
