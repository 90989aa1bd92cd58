"""Characters in the CLI: ``ficlens fandoms``, the cast section of ``analyze``, ``ficlens eval characters``."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from ficlens import fandoms
from ficlens.cli import main
from ficlens.cli.eval import eval_group, print_scores
from ficlens.cli.report import console, section
from ficlens.story import Story

#: Aliases shown per character in the report; the JSON has them all.
SHOWN_ALIASES = 6


@main.command("fandoms")
@click.option("--dir", "dirs", multiple=True, type=click.Path(file_okay=False), help="Also load packs from DIR.")
@click.option("--json", "as_json", is_flag=True, help="Print the packs as JSON.")
def fandoms_cmd(dirs: tuple[str, ...], as_json: bool) -> None:
    """List the fandom packs (shipped, from $FICLENS_FANDOMS, and --dir).

    \b
    Examples:
      ficlens fandoms
      FICLENS_FANDOMS=~/my_packs ficlens fandoms
      ficlens fandoms --dir ~/my_packs --json
    """
    packs = fandoms.load_packs(dirs)
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "characters": len(p.characters),
            "not_characters": len(p.not_characters),
            "path": p.path,
        }
        for p in packs
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title="Fandom packs")
    for col in ("id", "name", "characters", "not_characters", "path"):
        table.add_column(col, justify="right" if col in ("characters", "not_characters") else "left")
    for r in rows:
        table.add_row(*(str(r[c]) for c in ("id", "name", "characters", "not_characters", "path")))
    console().print(table)


@section(20)
def cast_section(story: Story, console: Console) -> None:
    """The cast: who, under the names this text uses, canon link, pronouns, how often, whether central."""
    if not story.characters:
        return
    table = Table(title="Cast", title_justify="left")
    for col in ("name", "aliases", "canon", "pronouns", "mentions", "main"):
        table.add_column(col, justify="right" if col == "mentions" else "left")
    used: dict[str, set[str]] = {}
    for m in story.spans("mentions"):
        if m.attrs.get("kind") != "pronoun" and m.attrs.get("char"):
            used.setdefault(m.attrs["char"], set()).add(" ".join(story.span_text(m).split()))
    for c in story.characters:
        aliases = [a for a in c.aliases if a != c.name and a in used.get(c.id, ())]  # all of them: --json
        shown = ", ".join(aliases[:SHOWN_ALIASES]) + (" …" if len(aliases) > SHOWN_ALIASES else "")
        table.add_row(c.name, shown, c.canon or "", c.pronouns or "", str(c.mentions), "yes" if c.main else "")
    console.print(table)


@eval_group.command("characters")
@click.argument("gold_dir", required=False, type=click.Path(file_okay=False))
@click.option("--texts", type=click.Path(file_okay=False), help="Folder of the gold files' texts (default: ../seeds).")
@click.option("--litbank", type=click.Path(file_okay=False), help="LitBank folder: PER mention P/R/F1 (micro).")
@click.option("--pdnc", type=click.Path(file_okay=False), help="PDNC data folder: alias clustering B-cubed.")
@click.option("--json", "as_json", is_flag=True, help="Print rows and summary as JSON.")
def eval_characters(
    gold_dir: str | None, texts: str | None, litbank: str | None, pdnc: str | None, as_json: bool
) -> None:
    """Score the cast against gold JSON, LitBank entities or PDNC character lists.

    \b
    Examples:
      ficlens eval characters ../shared/gold
      ficlens eval characters --litbank ../shared/data/litbank
      ficlens eval characters --pdnc ../shared/data/pdnc
    """
    from ficlens.eval import characters as ev

    if sum(x is not None for x in (gold_dir, litbank, pdnc)) != 1:
        raise click.UsageError("give exactly one of GOLD_DIR, --litbank DIR or --pdnc DIR")
    if litbank:
        rows = ev.score_litbank(litbank)
        print_scores("Proper-name PER mentions (LitBank)", rows, as_json, ev.micro(rows, "work"))
    elif pdnc:
        rows = ev.score_pdnc(pdnc)
        print_scores("Alias clustering B-cubed (PDNC)", rows, as_json, ev.summary(rows, "novel"))
    else:
        rows = ev.score_gold(gold_dir, texts)
        print_scores("Cast against gold", rows, as_json, ev.summary(rows, "file"))
