"""``ficlens info``: one line per file (zips of stories opened), failures listed at the end; the report's tags."""

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

import ficlens
from ficlens.cli import main
from ficlens.cli.info import tags_section

FIX = Path(__file__).parent / "fixtures" / "formats"


def test_info_prints_one_line_per_file_and_opens_zips_of_stories(tmp_path):
    for name in ("ao3.epub", "fff_ao3.html", "bundle.zip"):
        shutil.copy(FIX / name, tmp_path / name)
    result = CliRunner().invoke(main, ["info", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 5
    assert lines[0] == (
        f"{tmp_path}/ao3.epub: ao3_epub | The Lighthouse Ledger | saltwrit | Tidewatch (TV) | 254 words | "
        "3 chapters, complete"
    )
    assert lines[1].startswith(f"{tmp_path}/bundle.zip!downloads/ao3_current.html: ao3_html | The Lighthouse Ledger")
    assert "bundle.zip!downloads/book.epub: epub | Notes from the Breakwater | Ines Marlow | - | 32 words" in lines[2]


def test_info_json_and_bad_files_reported_at_the_end(tmp_path):
    bad = tmp_path / "broken.epub"
    bad.write_bytes((FIX / "ao3.epub").read_bytes()[:500])
    result = CliRunner().invoke(main, ["info", "--json", str(FIX / "fff_ao3.epub"), str(bad)])
    assert result.exit_code == 1
    first, *rest = result.output.splitlines()
    row = json.loads(first)
    assert row["format"] == "fanficfare_epub" and row["fandoms"] == ["Tidewatch (TV)"] and row["chapters"] == 3
    assert rest[0].startswith("error: [FL101]") and str(bad) in rest[0]
    assert rest[-1] == "1 of 2 files failed"


def test_report_tag_section_lists_the_works_tags():
    console = Console(record=True, width=200)
    tags_section(ficlens.read(FIX / "ao3_current.html"), console)
    out = console.export_text()
    assert "Relationships: Mara Quill/Tobias Wren, Edda Quill & Mara Quill" in out
    assert "Series: Salt Roads (part 2)" in out
    assert "Source: https://archiveofourown.org/works/4242" in out


def test_report_tag_section_is_silent_for_untagged_text(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("Once upon a time.\n")
    console = Console(record=True)
    tags_section(ficlens.read(plain), console)
    assert console.export_text() == ""
