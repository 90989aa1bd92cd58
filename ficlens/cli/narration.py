"""``ficlens eval narration`` and the point-of-view lines of the ``analyze`` report."""

from __future__ import annotations

import click
from rich.console import Console

from ficlens.cli.eval import eval_group, print_scores
from ficlens.cli.report import section
from ficlens.story import Span, Story


@eval_group.command("narration")
@click.argument("gold_dir", required=False, type=click.Path(file_okay=False))
@click.option("--texts", type=click.Path(file_okay=False), help="Story texts folder (default: GOLD_DIR/../seeds).")
@click.option("--pdnc", type=click.Path(file_okay=False), help="Also score narrative person on this PDNC folder.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_narration(gold_dir: str | None, texts: str | None, pdnc: str | None, as_json: bool) -> None:
    """Score person, narrator/focal and tense per gold scene, and narrative person on PDNC.

    Each gold scene is compared with the predicted scene that overlaps it most.

    \b
    Examples:
      ficlens eval narration ../shared/gold
      ficlens eval narration --pdnc ../shared/data/pdnc
    """
    from ficlens.eval.narration import score_narration, score_pdnc

    if not gold_dir and not pdnc:
        raise click.UsageError("give GOLD_DIR, --pdnc DIR, or both")
    if gold_dir:
        rows, summary = score_narration(gold_dir, texts)
        print_scores("Narration (gold scenes: gold/predicted)", rows, as_json, summary)
    if pdnc:
        rows, summary = score_pdnc(pdnc)
        print_scores("Narrative person on PDNC (gold/predicted)", rows, as_json, summary)


@section(40)
def narration_section(story: Story, console: Console) -> None:
    """One point-of-view line per scene (a run of scenes with the same line shares it)."""
    lines = [pov_line(story, s) for s in story.spans("scenes") if s.attrs.get("person")]
    if not lines:
        return
    console.print("[bold]Point of view[/bold]", highlight=False)
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and lines[j + 1] == lines[i]:
            j += 1
        which = f"scene {i + 1}" if i == j else f"scenes {i + 1}-{j + 1}"
        console.print(f"  {which}: {lines[i]}", highlight=False)
        i = j + 1


def pov_line(story: Story, scene: Span) -> str:
    """ "first person, narrator Lily Potter, present tense [Lily's POV]" for one scene."""
    a = scene.attrs
    parts = [f"{a['person']} person"]
    who = a.get("narrator") if a["person"] == "first" else a.get("focal")
    char = story.character(who)
    if who:
        parts.append(f"{'narrator' if a['person'] == 'first' else 'focal'} {char.name if char else who}")
    if a.get("tense"):
        parts.append(f"{a['tense']} tense")
    if a.get("mixed"):
        shares = a.get("person_share", {})
        parts.append("mixed (" + ", ".join(f"{p} {v:.0%}" for p, v in shares.items() if v) + ")")
    label = scene.label
    return ", ".join(parts) + (f" [{label}]" if label else "")
