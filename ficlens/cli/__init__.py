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
from ficlens.errors import CommandLineError, FiclensError

#: click >= 8.2 signals "a group run without a command" as a usage error whose message is the help itself.
_HELP_INSTEAD = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _OwnUsageErrors:
    """Ties an option-parsing error to the command that parsed it, so the hint names that command's help."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as e:
            e.ctx = e.ctx or ctx
            raise


class FiclensCommand(_OwnUsageErrors, click.Command):
    """A ficlens subcommand (see ``_OwnUsageErrors``)."""


class FiclensGroup(_OwnUsageErrors, click.Group):
    """A group that prints ficlens errors (exit 1) and usage errors (FL001, exit 2) as ``error: [CODE] message``."""

    command_class = FiclensCommand
    group_class = type  # sub-groups (eval, library) are FiclensGroups too

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FiclensError as e:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"error: [{e.code}] {e}", err=True)
            ctx.exit(1)
        except click.UsageError as e:  # same one-line form as ficlens errors (exit 2, as click does)
            if ctx.find_root().params.get("debug") or isinstance(e, _HELP_INSTEAD):
                raise
            where = (e.ctx or ctx).command_path
            click.echo(f"error: [{CommandLineError.code}] {e.format_message().rstrip('.')}; see `{where} --help`",
                       err=True)
            ctx.exit(e.exit_code)
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
      ficlens info downloads/                one line per file: format, title, fandom, words
      ficlens add downloads/                 analyse and store stories in your library
      ficlens search "Lily survived" --pov first --not-warning "Major Character Death"
      ficlens eval structure ../shared/gold  score against gold annotations
    """


def _load_commands() -> None:
    import ficlens.cli as pkg

    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        importlib.import_module(f"ficlens.cli.{mod}")


_load_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
