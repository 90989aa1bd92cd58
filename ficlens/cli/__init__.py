"""The ``ficlens`` command: thin click commands over the library API.

Each module in this package adds its commands to ``main`` (or to the ``eval`` group) when it is
imported; this file only builds the group and turns ``FiclensError`` into one line on stderr.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from ficlens import __version__
from ficlens.errors import FiclensError


class FiclensGroup(click.Group):
    """A group that prints ficlens errors as ``error: [CODE] message`` and exits 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FiclensError as e:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"error: [{e.code}] {e}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=FiclensGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ficlens")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
def main(debug: bool) -> None:
    """Read fan fiction the way a fan does.

    \b
    Examples:
      ficlens analyze examples/              report on every sample story
      ficlens analyze story.txt --json       the evaluation JSON for one story
      ficlens eval structure ../shared/gold  score structure against gold annotations
    """


def _load_commands() -> None:
    import ficlens.cli as pkg

    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        importlib.import_module(f"ficlens.cli.{mod}")


_load_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
