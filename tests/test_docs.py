"""Every command has help text and is documented; every error code is listed in the docs."""

import re

import click
from conftest import ROOT

from ficlens import errors
from ficlens.cli import main

DOCS = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def commands(group: click.Group, prefix: str = ""):
    for name, cmd in group.commands.items():
        yield f"{prefix}{name}", cmd
        if isinstance(cmd, click.Group):
            yield from commands(cmd, f"{prefix}{name} ")


def test_every_command_has_help_and_is_in_the_docs():
    for name, cmd in commands(main):
        assert (cmd.help or "").strip(), f"`ficlens {name}` has no help text"
        assert f"ficlens {name}" in DOCS, f"`ficlens {name}` is not documented in README.md or docs/"


def test_every_error_code_is_documented():
    codes = {cls.code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, Exception)}
    documented = set(re.findall(r"FL\d{3}", DOCS))
    assert codes - {"FL000"} <= documented, sorted(codes - documented)
