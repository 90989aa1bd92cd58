"""Library commands: ``add``, ``search``, ``similar``, ``duplicates``, ``export`` and ``library info|check|...``.

Each command opens the library named by ``--library`` (or ``$FICLENS_LIBRARY``, or the per-user
default), calls one function of ``ficlens.library`` and prints a table, or JSON with ``--json``.
Progress and warnings go to stderr; stdout carries data only.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ficlens.analysis.pipeline import REGISTRY
from ficlens.cli import main
from ficlens.cli.report import console
from ficlens.errors import LibraryError, NoStories, ReadError
from ficlens.library import duplicates as dup
from ficlens.library import export as exporter
from ficlens.library.ingest import add_paths
from ficlens.library.search import _PERSONS, FILTERS, SORTS, Query, build_sql
from ficlens.library.search import search as run_search
from ficlens.library.similar import similar as find_similar
from ficlens.library.store import Library, default_path, display_name


def library_option(func: Callable) -> Callable:
    return click.option(
        "--library",
        "library_path",
        type=click.Path(dir_okay=False),
        envvar="FICLENS_LIBRARY",
        help=f"Library file (env FICLENS_LIBRARY; default {default_path()}).",
    )(func)


def json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")(func)


def _open(path: str | None, create: bool = False) -> Library:
    return Library(path, create=create)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, default=str))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-j", "--jobs", type=click.IntRange(1), help="Worker processes (default: one per core).")
@click.option("--stages", help="Comma-separated analysis stages to run (default: all). See `ficlens stages`.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@library_option
@json_option
def add(paths: tuple[str, ...], jobs: int | None, stages: str | None, quiet: bool, library_path: str | None,
        as_json: bool) -> None:
    """Analyse stories and add them to the library.

    PATHS are story files, directories (searched recursively) or zip archives of stories. A file
    already stored is skipped, so an interrupted run can simply be run again. A newer file of a
    stored work (same work id, URL, or title and author) becomes the current version.

    \b
    Examples:
      ficlens add ~/fics/
      ficlens add downloads.zip --jobs 2 --library research.db
    """
    err = Console(stderr=True)
    chosen = [s.strip() for s in stages.split(",") if s.strip()] if stages else None
    if chosen:
        REGISTRY.plan(chosen)  # an unknown stage is one error, not one per file
    with _open(library_path, create=True) as lib:
        progress = Progress(
            TextColumn("Adding"), BarColumn(), DownloadColumn(), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), TextColumn("{task.fields[file]}"), console=err,
            disable=quiet or not err.is_terminal, transient=True,
        )
        with progress:
            task = progress.add_task("add", total=None, file="")
            try:
                report = add_paths(
                    lib, paths, jobs=jobs, stages=chosen,
                    on_total=lambda n: progress.update(task, total=n),
                    on_done=lambda src, n: progress.update(task, advance=n, file=Path(src).name[:40]),
                )
            except KeyboardInterrupt:
                progress.stop()
                err.print("interrupted: every story saved so far is kept; run the same command to finish")
                raise
    if not (report.added or report.skipped or report.failures):
        raise NoStories(paths)
    failures = [asdict(f) for f in report.failures]
    if as_json:
        _echo_json({**asdict(report), "failures": failures, "words_per_second": round(report.words_per_second)})
    else:
        for message, n in Counter(f.message for f in report.failures).items():  # a bad --stages fails every file
            click.echo(f"error: {message}" + (f" ({n} files)" if n > 1 else ""), err=True)
        click.echo(
            f"added {report.added}, already stored {report.skipped}, failed {len(report.failures)} "
            f"({report.words} words in {report.seconds:.1f} s, {report.words_per_second:,.0f} words/s)"
        )
    if report.failures:
        raise SystemExit(1)


# -- search ---------------------------------------------------------------------------------------


def _range(value: str | None, what: str) -> tuple[int | None, int | None]:
    """'1000-5000', '-5000', '1000-', '<5000', '>1000', '<=5000', '>=1000' or '1000' -> (min, max), inclusive."""
    if not value:
        return None, None
    v = value.replace(",", "").replace("_", "").strip()
    m = re.fullmatch(r"(\d*)\s*-\s*(\d*)|([<>]=?)\s*(\d+)|(\d+)", v)
    if not m:
        raise click.BadParameter(f"{value!r} is not a range like 1000-5000, <5000 or >1000", param_hint=what)
    if m.group(5):
        n = int(m.group(5))
        return n, n
    if m.group(3):
        n = int(m.group(4)) + {"<": -1, ">": 1}.get(m.group(3), 0)  # '>1' means 2 or more
        return (None, n) if m.group(3).startswith("<") else (n, None)
    lo, hi = (int(g) if g else None for g in m.group(1, 2))
    if lo is not None and hi is not None and lo > hi:
        raise click.BadParameter(f"{value!r} runs backwards; write the smaller number first ({hi}-{lo})",
                                 param_hint=what)
    return lo, hi


_FILTER_HELP = {
    "fandom": "fandom tag (a prefix of the tag is enough: 'Harry Potter')",
    "rating": "rating (g, t, m, e, nr or the AO3 name)",
    "warning": "archive warning",
    "category": "category (F/M, M/M, Gen...)",
    "tag": "tag of any kind",
    "author": "author (whole words: 'Ann' finds 'Mary Ann', not 'Joanna')",
    "language": "language",
    "character": "character, tagged or found in the text",
    "main": "main character",
    "speaker": "character who speaks",
    "relationship": "relationship 'A/B' (or one name), tagged or detected from dialogue",
    "pov": "point of view in some scene: first, second or third",
    "narrator": "first-person narrator",
    "focal": "third-person focal character",
    "tense": "tense in some scene: past or present",
}


#: Filters with a closed set of values: anything else is a typo that would silently find nothing.
_CLOSED = {"pov": ("first", "second", "third"), "tense": ("past", "present")}


def _closed_value(name: str, value: str) -> str:
    """``value`` of filter ``name`` in the stored spelling ('1st', 'First' -> 'first'); a usage error if unknown."""
    v = value.strip().lower()
    v = _PERSONS.get(v, v) if name == "pov" else v
    if v not in _CLOSED[name]:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(_CLOSED[name])}", param_hint=f"--{name}")
    return v


def _filter_options(func: Callable) -> Callable:
    for name in sorted(FILTERS, reverse=True):
        what = _FILTER_HELP.get(name, name)
        func = click.option(f"--not-{name}", f"not_{name}", multiple=True, metavar="VALUE",
                            help=f"Leave out works with this {what.split(' (')[0]}.")(func)
        func = click.option(f"--{name}", name, multiple=True, metavar="VALUE", help=f"Only works with this {what}.")(
            func
        )
    return func


@main.command()
@click.argument("text", required=False)
@_filter_options
@click.option("--words", "words_range", metavar="RANGE", help="Length in words: 1000-5000, <5000, >=20000.")
@click.option("--chapters", "chapters_range", metavar="RANGE", help="Number of chapters, as --words.")
@click.option("--complete/--incomplete", default=None, help="Only finished (or unfinished) works.")
@click.option("--sort", type=click.Choice(list(SORTS)), help="Order (default: relevance with TEXT, else newest).")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--all-versions", is_flag=True, help="Include older versions of works.")
@click.option("--no-exclusions", is_flag=True, help="Ignore the saved exclusion list for this search.")
@click.option("--save", "save_as", metavar="NAME", help="Save this search under NAME (and run it).")
@click.option("--saved", "saved_name", metavar="NAME", help="Run the saved search NAME (other options add to it).")
@click.option("--list-saved", is_flag=True, help="List saved searches.")
@click.option("--sql", "show_sql", is_flag=True, help="Print the SQL instead of running it.")
@library_option
@json_option
def search(text: str | None, words_range: str | None, chapters_range: str | None, complete: bool | None,
           sort: str | None, page: int, per_page: int, all_versions: bool, no_exclusions: bool, save_as: str | None,
           saved_name: str | None, list_saved: bool, show_sql: bool, library_path: str | None, as_json: bool,
           **filters: tuple[str, ...]) -> None:
    """Search the stories' text and analysis.

    TEXT is full-text search over the stories themselves: words, "exact phrases", prefix*,
    AND / OR / NOT, (groups), -word and NEAR(word word, distance); results are ranked by BM25.
    Quote TEXT for the shell so its double quotes arrive. Every filter can be repeated
    (all must match) and has a --not- twin; character names match any name or alias. Put `--`
    before a TEXT that starts with "-" (`ficlens search -- -James`). No TEXT lists every work.

    \b
    Examples:
      ficlens search "Lily survived"
      ficlens search '"Lily Potter" OR NEAR(Lily James, 5)'
      ficlens search --pov first --narrator Lily --words "<5000" --not-warning "Major Character Death"
      ficlens search '"the prophecy" AND wand*' --fandom "Harry Potter" --complete --save prophecy
      ficlens search --saved prophecy --page 2 --json
    """
    text = text if text and text.strip() else None  # '' or '  ' lists everything, as no TEXT does
    for key, values in filters.items():
        name = key.removeprefix("not_")
        if name in _CLOSED:
            filters[key] = tuple(_closed_value(name, v) for v in values)
    words = _range(words_range, "--words")
    chapters = _range(chapters_range, "--chapters")
    query = Query(
        text=text,
        include={k: list(v) for k, v in filters.items() if v and not k.startswith("not_")},
        exclude={k[4:]: list(v) for k, v in filters.items() if v and k.startswith("not_")},
        min_words=words[0], max_words=words[1], min_chapters=chapters[0], max_chapters=chapters[1],
        complete=complete, sort=sort, page=page, per_page=per_page, all_versions=all_versions,
        use_exclusions=not no_exclusions,
    )
    with _open(library_path) as lib:
        if list_saved:
            saved = lib.saved_searches()
            if as_json:
                _echo_json(saved)
            else:
                default = Query().to_dict()
                for name, q in saved.items():
                    click.echo(f"{name}: {json.dumps({k: v for k, v in q.items() if v != default.get(k)})}")
                if not saved:
                    click.echo("no saved searches; save one with `ficlens search ... --save NAME`", err=True)
            return
        if saved_name:
            query = Query.from_dict(lib.saved_search(saved_name)).merged(query)
        if save_as:
            lib.save_search(save_as, query.to_dict())
        if show_sql:
            sql, params = build_sql(query, lib.exclusions())
            if as_json:
                _echo_json({"sql": sql, "params": params})
            else:
                click.echo(f"{sql}\n-- params: {json.dumps(params)}")
            return
        results = run_search(lib, query)
    if as_json:
        _echo_json(results.to_dict())
        return
    pages = -(-results.total // results.per_page)
    if not results.hits:
        where = f"page {results.page} is past the last page ({pages})" if results.total else "no works match"
        click.echo(f"{results.total} works: {where}", err=True)
        return
    table = Table(title=f"{results.total} works" + (f" (page {results.page} of {pages})" if pages > 1 else ""))
    for col in ("id", "title", "authors", "fandom", "rating", "words", "pov", "match" if text else "chapters"):
        table.add_column(col, justify="right" if col in ("id", "words", "chapters") else "left",
                         overflow="fold", max_width=60 if col == "match" else 30)
    for h in results.hits:
        last = _highlight(h.snippet or "") if text else str(h.chapters)
        table.add_row(str(h.id), escape(display_name(h.title, h.source)), escape(", ".join(h.authors)),
                      escape(", ".join(h.fandoms)), escape(h.rating or ""), f"{h.words:,}", h.pov or "", last)
    console().print(table)


def _highlight(snippet: str) -> Text:
    """The snippet with the matched words (between ``**``) in bold."""
    out = Text()
    for i, part in enumerate(snippet.split("**")):
        out.append(part, style="bold" if i % 2 else "")
    return out


# -- similar, duplicates --------------------------------------------------------------------------


@main.command()
@click.argument("work_id", type=int)
@click.option("-n", "--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--versions", is_flag=True, help="Include other versions of the same work.")
@library_option
@json_option
def similar(work_id: int, limit: int, versions: bool, library_path: str | None, as_json: bool) -> None:
    """Stories like work WORK_ID: shared words, cast, relationships, fandom and POV, with reasons.

    \b
    Examples:
      ficlens similar 12
      ficlens similar 12 -n 5 --json
    """
    with _open(library_path) as lib:
        matches = find_similar(lib, work_id, limit, versions=versions)
    if as_json:
        _echo_json([m.to_dict() for m in matches])
        return
    if not matches:
        click.echo(f"no works like {work_id} in the library yet", err=True)
        return
    table = Table(title=f"Works like {work_id}")
    for col in ("id", "title", "score", "why"):
        table.add_column(col, justify="right" if col in ("id", "score") else "left", overflow="fold")
    for m in matches:
        table.add_row(str(m.id), escape(m.title or "?"), f"{m.score:.3f}", escape("; ".join(m.reasons)))
    console().print(table)


@main.command()
@click.argument("work_id", type=int, required=False)
@click.option("--min-words", type=click.IntRange(10), default=50, show_default=True,
              help="Shortest reused passage to report.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=dup.NEAR_DUPLICATE, show_default=True,
              help="Estimated Jaccard similarity for near-duplicates.")
@click.option("--kind", type=click.Choice(["near-duplicate", "version", "passage"]), multiple=True,
              help="Only these kinds of pairs.")
@library_option
@json_option
def duplicates(work_id: int | None, min_words: int, threshold: float, kind: tuple[str, ...],
               library_path: str | None, as_json: bool) -> None:
    """Near-duplicate works, versions (WIP snapshots) and passages reused between works.

    With WORK_ID, only pairs involving that work. Passages on the allow-list
    (`ficlens library allow FILE`) are never reported.

    \b
    Examples:
      ficlens duplicates
      ficlens duplicates 42 --kind passage --json
    """
    with _open(library_path) as lib:
        if work_id is not None:
            lib.work(work_id)
        pairs = [p for p in dup.find(lib, work=work_id, min_words=min_words, threshold=threshold)
                 if not kind or p.kind in kind]
    if as_json:
        _echo_json([p.to_dict() for p in pairs])
        return
    if not pairs:
        click.echo("no duplicate pairs found", err=True)
        return
    table = Table(title=f"{len(pairs)} pairs")
    for col in ("kind", "a", "b", "similarity", "evidence"):
        table.add_column(col, overflow="fold")
    for p in pairs:
        if p.kind == "passage":
            ev = "\n".join(
                f"{x.words} words, {x.similarity:.0%} alike: a[{x.a_start}:{x.a_end}] b[{x.b_start}:{x.b_end}] "
                f"“{x.a_text}”" for x in p.passages
            ) + f"\ncoverage: {p.coverage_a:.0%} of a, {p.coverage_b:.0%} of b"
        else:
            ev = f"{p.containment:.0%} of the smaller work is in the other"
        table.add_row(p.kind, f"{p.a} {escape(p.titles[0] or '')}", f"{p.b} {escape(p.titles[1] or '')}",
                      f"{p.jaccard:.2f}", escape(ev))
    console().print(table)


@main.command()
@click.option("--format", "fmt", type=click.Choice(exporter.FORMATS), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(file_okay=False), required=True, help="Directory for the tables.")
@click.option("--tables", default=",".join(exporter.TABLES), show_default=True, help="Comma-separated tables.")
@click.option("--all-versions", is_flag=True, help="Include older versions of works.")
@library_option
def export(fmt: str, output: str, tables: str, all_versions: bool, library_path: str | None) -> None:
    """Export works, characters, quotes and scenes as tables (parquet needs `pip install ficlens[parquet]`).

    \b
    Examples:
      ficlens export --format csv -o out/
      ficlens export --format parquet -o out/ --tables works,quotes
    """
    chosen = [t.strip() for t in tables.split(",") if t.strip()]
    with _open(library_path) as lib:
        try:
            written = exporter.export(lib, Path(output), fmt, chosen, all_versions=all_versions)
        except OSError as e:
            raise LibraryError(f"cannot write the export ({e.strerror or e}); choose another --output folder",
                               path=output) from None
    for path, n in written.items():
        click.echo(f"{path}\t{n} rows")


# -- library maintenance --------------------------------------------------------------------------


@main.group("library")
def library_group() -> None:
    """Look after the library: info, check, remove, exclusions, allow-list.

    \b
    Examples:
      ficlens library info
      ficlens library check --fix
      ficlens library remove 12 13
      ficlens library exclude warning "Major Character Death"
      ficlens library exclude warning "Major Character Death" --remove
      ficlens library allow lyrics.txt
    """


@library_group.command()
@library_option
@json_option
def info(library_path: str | None, as_json: bool) -> None:
    """What the library holds: counts, top fandoms, saved searches, exclusions.

    \b
    Examples:
      ficlens library info
      ficlens library info --library research.db --json
    """
    with _open(library_path) as lib:
        data = lib.info()
        data["exclusion_list"] = [f"{f}={v}" for f, v in lib.exclusions()]
    if as_json:
        _echo_json(data)
        return
    table = Table(show_header=False)
    for k, v in data.items():
        table.add_row(k, escape(", ".join(f"{a} ({b})" for a, b in v.items()) if isinstance(v, dict) else
                                ", ".join(v) if isinstance(v, list) else f"{v:,}" if isinstance(v, int) else str(v)))
    console().print(table)


@library_group.command()
@click.option("--fix", is_flag=True, help="Rebuild the full-text index and term counts from the stored works.")
@library_option
@json_option
def check(fix: bool, library_path: str | None, as_json: bool) -> None:
    """Check the store is consistent (exit 1 when it is not).

    \b
    Examples:
      ficlens library check
      ficlens library check --fix
    """
    with _open(library_path) as lib:
        if fix:
            lib.rebuild()
        problems = lib.check()
    if as_json:
        _echo_json({"consistent": not problems, "problems": problems})
    else:
        click.echo("\n".join(problems) if problems else "consistent")
    if problems:
        raise SystemExit(1)


@library_group.command()
@click.argument("ids", nargs=-1, required=True, type=int)
@library_option
def remove(ids: tuple[int, ...], library_path: str | None) -> None:
    """Remove works by id (a newer or older version, if any, becomes current).

    All the ids are removed, or none: an unknown id is an error that removes nothing. An id
    given twice is removed once.

    \b
    Examples:
      ficlens library remove 12
      ficlens library remove 12 13 14
    """
    twice = sorted({i for i in ids if ids.count(i) > 1})
    with _open(library_path) as lib:
        n = lib.remove(ids)
    if twice:
        click.echo(f"note: id {', '.join(map(str, twice))} given more than once, removed once", err=True)
    click.echo(f"removed {n}")


@library_group.command()
@click.argument("field", type=click.Choice(sorted(FILTERS)), required=False, metavar="[FIELD]")
@click.argument("value", required=False)
@click.option("--remove", "undo", is_flag=True, help="Take FIELD VALUE off the exclusion list.")
@library_option
def exclude(field: str | None, value: str | None, undo: bool, library_path: str | None) -> None:
    """Always leave works with FIELD VALUE out of searches (no arguments: list the exclusions).

    FIELD is any search filter: author, category, character, fandom, focal, language, main,
    narrator, pov, rating, relationship, speaker, tag, tense or warning.
    `ficlens search --no-exclusions` ignores the list for one search.

    \b
    Examples:
      ficlens library exclude warning "Major Character Death"
      ficlens library exclude fandom "Twilight"
      ficlens library exclude warning "Major Character Death" --remove
      ficlens library exclude
    """
    with _open(library_path) as lib:
        if field and value:
            value = _closed_value(field, value) if field in _CLOSED else value
            if undo and (field, value) not in {tuple(x) for x in lib.exclusions()}:
                raise LibraryError(f"{field} {value!r} is not on the exclusion list; see `ficlens library exclude`")
            lib.set_exclusion(field, value, on=not undo)
        elif field:
            raise click.UsageError("give a VALUE to exclude, e.g. `ficlens library exclude warning Underage`")
        exclusions = lib.exclusions()
    for f, v in exclusions:
        click.echo(f"{f}\t{v}")
    if not exclusions:
        click.echo("no exclusions; add one with `ficlens library exclude FIELD VALUE`", err=True)


@library_group.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@library_option
def allow(files: tuple[str, ...], library_path: str | None) -> None:
    """Allow-list canon quotations or song lyrics (one text per file): not reported as passage reuse.

    With no FILES, print how many phrases the allow-list holds.

    \b
    Examples:
      ficlens library allow lyrics.txt canon_quotes.txt
      ficlens library allow
    """
    with _open(library_path) as lib:
        for f in files:
            try:
                text = Path(f).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise ReadError(f"cannot read allow-list file ({e}); it must be UTF-8 text", path=f) from None
            click.echo(f"{f}: {dup.allow(lib, text, Path(f).name)} phrases allowed")
        n = lib.db.execute("SELECT count(*) FROM allowlist").fetchone()[0]
    click.echo(f"allow-list: {n} phrases")
