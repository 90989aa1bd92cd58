"""Dialogue in the CLI: ``ficlens quotes``, the dialogue section of ``analyze``, ``ficlens eval quotes``."""

from __future__ import annotations

import json
from collections import Counter

import click
from rich.console import Console
from rich.table import Table

import ficlens
from ficlens.analysis.speakers import speakers_of
from ficlens.cli import main
from ficlens.cli.eval import eval_group, print_scores
from ficlens.cli.report import console, first_words, section
from ficlens.story import Story

#: Speaker pairs shown in the report's "who talks to whom" table.
SHOWN_PAIRS = 8
#: What `ficlens quotes` runs: the dialogue stages and what they need, nothing else.
DIALOGUE_STAGES = ("structure", "characters", "quotes", "speakers", "narration")  # narration names an "I"


def _name(story: Story, char_id: str | None) -> str:
    c = story.character(char_id)
    return c.name if c else "?"


def _pick(story: Story, name: str | None, option: str) -> str | None:
    """The id of the character called ``name``; a usage error listing the cast when there is none."""
    if name is None:
        return None
    from ficlens.analysis.characters import match_character

    c = match_character(story, name)
    if c is None:
        cast = ", ".join(c.name for c in story.characters[:12]) or "none found"
        raise click.BadParameter(f"no character called {name!r} in this story (cast: {cast})", param_hint=option)
    return c.id


def quote_rows(story: Story, speaker: str | None = None, to: str | None = None) -> list[dict]:
    """The story's quotations as plain rows, optionally only those by ``speaker`` and/or to ``to`` (ids)."""
    rows = []
    for q in story.spans("quotes"):
        a = q.attrs
        if speaker and speaker not in speakers_of(q) or to and to not in a.get("addressees", []):
            continue
        rows.append(
            {
                "start": q.start,
                "end": q.end,
                "kind": a.get("kind"),
                "speaker": a.get("speaker"),
                "speaker_name": _name(story, a.get("speaker")) if a.get("speaker") else None,
                "speakers": speakers_of(q),
                "addressees": a.get("addressees", []),
                "cue": a.get("cue"),
                "confidence": a.get("confidence"),
                "text": story.span_text(q),
            }
        )
    return rows


@main.command("quotes")
@click.argument("path", type=click.Path())
@click.option("--speaker", help="Only quotations by this character (a name or alias).")
@click.option("--to", "to", help="Only quotations addressed to this character.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per quotation.")
def quotes_cmd(path: str, speaker: str | None, to: str | None, as_json: bool) -> None:
    """List a story's quotations with speaker, addressees, kind and cue.

    \b
    Examples:
      ficlens quotes fic.txt
      ficlens quotes fic.epub --speaker Lily --to James
      ficlens quotes fic.txt --json | jq -r .text
    """
    story = ficlens.analyze(path, DIALOGUE_STAGES)
    rows = quote_rows(story, _pick(story, speaker, "--speaker"), _pick(story, to, "--to"))
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"no quotations found in {path}" + (" for these characters" if speaker or to else ""), err=True)
        return
    table = Table(title=f"{len(rows)} quotations", title_justify="left")
    for col in ("speaker", "to", "kind", "cue", "quotation"):
        table.add_column(col)
    for r in rows:
        to_names = ", ".join(_name(story, a) for a in r["addressees"])
        who = ", ".join(_name(story, c) for c in r["speakers"])
        table.add_row(who, to_names, r["kind"], r["cue"] or "", first_words(r["text"], 16))
    console().print(table)


@section(30)
def dialogue_section(story: Story, console: Console) -> None:
    """Lines per character and who talks to whom."""
    speech = [q for q in story.spans("quotes") if q.attrs.get("kind") == "speech"]
    if not speech:
        return
    lines: Counter = Counter()
    words: Counter = Counter()
    for q in speech:
        n = len(story.span_text(q).split())
        for c in speakers_of(q) or [None]:  # a line a group says is each member's
            lines[c] += 1
            words[c] += n
    table = Table(title=f"Dialogue: {len(speech)} quotations", title_justify="left")
    for col in ("speaker", "lines", "words", "share"):
        table.add_column(col, justify="left" if col == "speaker" else "right")
    for cid, n in lines.most_common():
        share = story.character(cid).attrs.get("dialogue_share", 0.0) if story.character(cid) else 0.0
        table.add_row(_name(story, cid) if cid else "(unknown)", str(n), str(words[cid]), f"{share:.0%}")
    console.print(table)
    pairs = Counter(
        (q.attrs.get("speaker"), a) for q in speech if q.attrs.get("speaker") for a in q.attrs.get("addressees", [])
    )
    if pairs:
        talk = Table(title="Who talks to whom", title_justify="left")
        for col in ("speaker", "to", "lines"):
            talk.add_column(col, justify="right" if col == "lines" else "left")
        for (s, a), n in pairs.most_common(SHOWN_PAIRS):
            talk.add_row(_name(story, s), _name(story, a), str(n))
        console.print(talk)


@eval_group.command("quotes")
@click.argument("gold_dir", required=False, type=click.Path(file_okay=False))
@click.option("--texts", type=click.Path(file_okay=False), help="Folder of the gold files' texts (default: ../seeds).")
@click.option("--pdnc", type=click.Path(file_okay=False), help="PDNC data folder (scored leave-novels-out).")
@click.option("--litbank", type=click.Path(file_okay=False), help="LitBank folder (with quotations/ and coref/).")
@click.option("--json", "as_json", is_flag=True, help="Print rows and summary as JSON.")
def eval_quotes(gold_dir: str | None, texts: str | None, pdnc: str | None, litbank: str | None, as_json: bool) -> None:
    """Score quote detection, speakers (explicit / anaphoric / implicit) and addressees.

    Speaker accuracy is end to end: a gold quote not found counts as wrong. PDNC novels are
    each scored with the speaker model of the fold that did not train on them.

    \b
    Examples:
      ficlens eval quotes ../shared/gold
      ficlens eval quotes --pdnc ../shared/data/pdnc --litbank ../shared/data/litbank
    """
    from ficlens.eval import quotes as ev

    if gold_dir is None and pdnc is None and litbank is None:
        raise click.UsageError("give GOLD_DIR, --pdnc DIR and/or --litbank DIR")
    corpora = []
    if gold_dir is not None:
        corpora.append(("Quotes against gold", ev.load_seeds(gold_dir, texts)))
    if pdnc is not None:
        corpora.append(("Quotes on PDNC (leave-novels-out)", ev.load_pdnc(pdnc)))
    if litbank is not None:
        corpora.append(("Quotes on LitBank", ev.load_litbank(litbank)))
    for title, docs in corpora:
        rows, summary = ev.score(docs, title.split(" on ")[-1].split(" against ")[-1])
        print_scores(title, rows, as_json, summary)
