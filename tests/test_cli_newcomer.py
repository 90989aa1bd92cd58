"""What a newcomer runs into with the library and story commands: ranges, typos, empty results, bad paths."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ficlens.cli import main

EXAMPLES = Path(__file__).parents[1] / "examples"
SALT = EXAMPLES / "original_first_person_salt_in_the_tea.txt"


def run(*args, code: int = 0):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("lib") / "lib.db"
    run("add", EXAMPLES, "--library", db, "-q", "--jobs", "1")
    return db


def hits(lib: Path, *args) -> list[dict]:
    return json.loads(run("search", *args, "--library", lib, "--json", "--per-page", 100).stdout)["hits"]


def test_greater_and_less_than_are_strict_and_the_equal_forms_inclusive(lib):
    chapters = sorted(h["chapters"] for h in hits(lib))
    assert chapters[0] == 1 and chapters[-1] > 1, "the examples must mix one- and multi-chapter works"
    assert sorted(h["chapters"] for h in hits(lib, "--chapters", ">1")) == [c for c in chapters if c > 1]
    assert sorted(h["chapters"] for h in hits(lib, "--chapters", ">=2")) == [c for c in chapters if c >= 2]
    assert sorted(h["chapters"] for h in hits(lib, "--chapters", "<2")) == [c for c in chapters if c < 2]


def test_closed_filters_reject_typos_and_accept_any_case(lib):
    bad = run("search", "--tense", "future", "--library", lib, code=2)
    assert "--tense" in bad.output and "past, present" in bad.output
    assert "first, second, third" in run("search", "--not-pov", "fourth", "--library", lib, code=2).output
    first = hits(lib, "--pov", "first")
    assert first and hits(lib, "--pov", "First") == first == hits(lib, "--pov", "1st")


def test_blank_text_lists_every_work_instead_of_a_syntax_error(lib):
    assert len(hits(lib, "  ")) == len(hits(lib)) > 0


def test_no_match_and_a_page_past_the_end_say_so_on_stderr(lib):
    none = run("search", "zzqxnotaword", "--library", lib)
    assert none.stdout == "" and "no works match" in none.stderr
    past = run("search", "--page", 99, "--library", lib)
    assert past.stdout == "" and "past the last page (1)" in past.stderr
    assert "no duplicate pairs found" in run("duplicates", "--library", lib).stderr


def test_saved_searches_list_only_what_was_set(lib):
    run("search", "--pov", "first", "--save", "firsts", "--library", lib)
    listed = run("search", "--list-saved", "--library", lib).stdout.splitlines()
    line = next(x for x in listed if x.startswith("firsts"))
    assert json.loads(line.split(": ", 1)[1]) == {"include": {"pov": ["first"]}}


def test_export_into_a_file_is_one_line_error(lib, tmp_path):
    (tmp_path / "afile").write_text("x")
    out = run("export", "-o", tmp_path / "afile" / "sub", "--library", lib, code=1)
    assert out.stderr.startswith("error: [FL301]") and "--output" in out.stderr and out.stderr.count("\n") == 1


def test_a_folder_without_stories_is_an_error_not_silence(tmp_path):
    (tmp_path / "empty").mkdir()
    for cmd in (["add", tmp_path / "empty", "--library", tmp_path / "lib.db"], ["info", tmp_path / "empty"]):
        out = run(*cmd, code=1)
        assert out.stderr.startswith("error: [FL101] no story files found")


def test_unknown_stage_is_reported_once_not_per_file(tmp_path):
    out = run("add", EXAMPLES, "--stages", "structure,bogus", "--library", tmp_path / "lib.db", code=1)
    assert out.stderr.count("unknown stage 'bogus'") == 1
    assert not (tmp_path / "lib.db").exists()


def test_allow_list_file_that_is_not_utf8_is_a_read_error(lib, tmp_path):
    bad = tmp_path / "lyrics.txt"
    bad.write_bytes(b"\xff\xfe\xfa not text")
    assert run("library", "allow", bad, "--library", lib, code=1).stderr.startswith("error: [FL101]")


def test_exclude_help_and_empty_list(lib):
    assert "[FIELD] [VALUE]" in run("library", "exclude", "--help").stdout
    empty = run("library", "exclude", "--library", lib)
    assert empty.stdout == "" and "no exclusions" in empty.stderr


def test_quotes_names_the_option_with_the_unknown_character():
    out = run("quotes", SALT, "--to", "Nobody", code=2)
    assert "--to" in out.output and "no character called 'Nobody'" in out.output


def test_usage_errors_are_one_line_with_a_code_and_the_help_to_read():
    for args, what, where in (
        (["export"], "Missing option '-o' / '--output'", "ficlens export"),
        (["similar", "abc"], "'abc' is not a valid integer", "ficlens similar"),
        (["library", "exclude", "bogus", "x"], "'bogus' is not one of", "ficlens library exclude"),
        (["nosuchcommand"], "No such command", "ficlens"),
        (["search", "--author"], "Option '--author' requires an argument", "ficlens search"),
        (["eval", "quotes", "--pdnc"], "Option '--pdnc' requires an argument", "ficlens eval quotes"),
    ):
        out = CliRunner().invoke(main, args, prog_name="ficlens")
        assert out.exit_code == 2 and out.stdout == ""
        assert out.stderr.startswith("error: [FL001] ") and what in out.stderr
        assert out.stderr.endswith(f"; see `{where} --help`\n") and out.stderr.count("\n") == 1


def test_a_group_without_a_command_still_shows_its_help():
    out = CliRunner().invoke(main, ["library"])
    assert "Usage:" in out.output and "error:" not in out.output and "exclude" in out.output


def test_a_backwards_range_is_a_usage_error_not_an_empty_result(lib):
    out = run("search", "--words", "5000-1000", "--library", lib, code=2)
    assert "--words" in out.stderr and "(1000-5000)" in out.stderr


def test_sql_with_json_is_json(lib):
    shown = json.loads(run("search", "Ledger", "--pov", "third", "--sql", "--json", "--library", lib).stdout)
    assert "MATCH" in shown["sql"] and "third" in shown["params"]


def test_similar_with_nothing_alike_says_so(tmp_path):
    db = tmp_path / "one.db"
    run("add", SALT, "--library", db, "-q")
    out = run("similar", 1, "--library", db)
    assert out.stdout == "" and "no works like 1" in out.stderr


@pytest.mark.parametrize("cmd", ["add", "search", "similar", "duplicates", "export", "quotes", "info", "fandoms",
                                 "library info", "library check", "library remove", "library exclude", "library allow"])
def test_help_reads_as_prose_and_has_examples(cmd):
    text = run(*cmd.split(), "--help").stdout
    prose = text.split("Examples:")[0]
    assert "Examples:" in text and not re.search(r"\S {3,}\S", prose), prose


def test_exclusions_catch_typos(lib):
    assert "past, present" in run("library", "exclude", "tense", "future", "--library", lib, code=2).stderr
    out = run("library", "exclude", "fandom", "Nothing Here", "--remove", "--library", lib, code=1)
    assert out.stderr.startswith("error: [FL301] fandom 'Nothing Here' is not on the exclusion list")
    assert run("library", "exclude", "pov", "1st", "--library", lib).stdout == "pov\tfirst\n"
    assert run("library", "exclude", "pov", "first", "--remove", "--library", lib).stdout == ""


def test_the_same_failure_for_every_file_is_printed_once_with_a_count(tmp_path):
    out = run("add", EXAMPLES, "--stages", "quotes", "--library", tmp_path / "lib.db", "-q", "--jobs", "1", code=1)
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    n = len(list(EXAMPLES.glob("*.txt")))
    assert errors == [f"error: [FL202] stage 'quotes' needs layer 'paragraphs'; add stage 'structure' ({n} files)"]
