"""``ficlens analyze``: read stories, run the analysis stages, print a report or the contract JSON."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.progress import track

import ficlens
from ficlens.cli import main
from ficlens.cli.report import render
from ficlens.errors import FiclensError
from ficlens.readers import iter_files


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the contract JSON, one object per line.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--stages", help="Comma-separated stages to run (default: all). See `ficlens stages`.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def analyze(paths: tuple[str, ...], as_json: bool, output: str | None, stages: str | None, quiet: bool) -> None:
    """Analyse stories: structure, cast, dialogue and point of view.

    PATHS are story files (text, HTML, EPUB) or directories, searched recursively.
    A file that cannot be read is reported at the end; the others are still analysed.

    \b
    Examples:
      ficlens analyze examples/
      ficlens analyze fic.txt --json | jq .metadata.summary
      ficlens analyze library/ --json -o stories.jsonl
      ficlens analyze fic.epub --stages structure,characters
    """
    chosen = [s.strip() for s in stages.split(",") if s.strip()] if stages else None
    files = iter_files(paths)
    err = Console(stderr=True)
    show_progress = not quiet and len(files) > 1 and err.is_terminal
    failures: list[str] = []
    with _open_output(output) as out:
        console = Console(file=out, soft_wrap=not out.isatty() if hasattr(out, "isatty") else True)
        for path in track(files, description="Analysing", console=err, disable=not show_progress):
            try:
                story = ficlens.analyze(path, chosen)
            except FiclensError as e:
                if len(files) == 1:
                    raise
                failures.append(f"[{e.code}] {e}")
                continue
            if as_json:
                out.write(story.to_json() + "\n")
            else:
                render(story, console)
    if failures:
        for f in failures:
            err.print(f"error: {f}", markup=False, highlight=False)
        err.print(f"{len(failures)} of {len(files)} files failed", markup=False, highlight=False)
        raise SystemExit(1)


class _open_output:
    """stdout, or a file written atomically: a failed run leaves no half-written output."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def __enter__(self):
        if self.path is None:
            self.f = click.get_text_stream("stdout")
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
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)


@main.command()
def stages() -> None:
    """List the analysis stages, what each needs and what it adds."""
    from ficlens.analysis.pipeline import REGISTRY

    for name in REGISTRY.names():
        st = REGISTRY.get(name)
        click.echo(f"{name:12} needs: {', '.join(st.requires) or '-':24} adds: {', '.join(st.assigns)}")
        if st.doc:
            click.echo(f"{'':12} {st.doc}")
