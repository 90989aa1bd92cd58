"""Plain-text reading: encodings kept exactly, and bad input refused with one clear line."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, FIXTURES

import ficlens
from ficlens.cli import main
from ficlens.errors import ReadError

STORY = "\u201cHello,\u201d said Ana. It was caf\u00e9 time \u2014 again.\n\nShe left.\n"


@pytest.mark.parametrize(
    "encoded",
    [
        STORY.encode("utf-8"),
        "\ufeff".encode() + STORY.encode("utf-8"),
        STORY.encode("utf-16"),
        STORY.encode("cp1252"),
        STORY.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "cp1252", "crlf"],
)
def test_text_is_the_decoded_file_exactly(tmp_path, encoded):
    path = tmp_path / "story.txt"
    path.write_bytes(encoded)
    story = ficlens.analyze(path, ["structure"])
    expected = encoded.decode("utf-16") if encoded.startswith(b"\xff\xfe") else None
    if expected is None:
        expected = encoded.decode("utf-8") if encoded.isascii() or b"\xe2" in encoded else encoded.decode("cp1252")
    assert story.text.lstrip("\ufeff") == expected.lstrip("\ufeff")
    assert len(story.spans("paragraphs")) == 2
    assert "Ana" in story.normalized.text


def test_mojibake_is_repaired_on_the_copy_only(tmp_path):
    path = tmp_path / "m.txt"
    broken = "He said \u00e2\u20ac\u0153hi\u00e2\u20ac\u009d and left.\n"
    path.write_text(broken, encoding="utf-8")
    story = ficlens.read(path)
    assert story.text == broken
    assert "\u201chi\u201d" in story.normalized.text


def run_cli(*args):
    return CliRunner().invoke(main, list(args))


def bad_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "invalid.txt").write_bytes("caf\u00e9 ".encode() + b"\xff\xfe\x81 broken")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    return {
        "empty.txt": "empty",
        "picture.txt": "PNG",
        "invalid.txt": "UTF-8",
        "dangling.txt": "no such file",
    }


def test_each_bad_file_gets_one_line_naming_it_and_the_problem(tmp_path):
    for name, problem in bad_files(tmp_path).items():
        result = run_cli("analyze", str(tmp_path / name))
        assert result.exit_code == 1, name
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and problem in lines[0], result.output
        assert "Traceback" not in result.output


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: costs no disk, would cost 300 MB to read
    result = run_cli("analyze", str(path))
    assert result.exit_code == 1 and "too large" in result.output and "huge.txt" in result.output


def test_a_batch_goes_on_past_bad_files_and_reports_them_at_the_end(tmp_path):
    bad_files(tmp_path)
    (tmp_path / "good.txt").write_text(STORY, encoding="utf-8")
    if os.geteuid() != 0:
        locked = tmp_path / "locked.txt"
        locked.write_text(STORY)
        locked.chmod(0)
    result = run_cli("analyze", "--json", str(tmp_path))
    assert result.exit_code == 1
    stories = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(stories) == 1 and "She left" in stories[0]
    errors = result.stderr.strip().splitlines()
    n_bad = 5 if os.geteuid() != 0 else 4
    assert errors[-1] == f"{n_bad} of {n_bad + 1} files failed"
    assert len(errors) == n_bad + 1 and all(line.startswith("error: [FL") for line in errors[:-1])


def test_read_error_is_a_ficlens_error_with_code(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"   \n")
    with pytest.raises(ReadError) as info:
        ficlens.read(tmp_path / "e.txt")
    assert info.value.code == "FL101"


def test_examples_all_analyse_from_the_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "ficlens", "analyze", str(EXAMPLES)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("words ·") == len(list(EXAMPLES.glob("*.txt")))


def test_output_file_is_written_whole(tmp_path):
    out = tmp_path / "out.jsonl"
    result = run_cli("analyze", "--json", "-o", str(out), str(FIXTURES / "structure" / "summary_line.txt"))
    assert result.exit_code == 0
    assert out.read_text().count("\n") == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_folder_with_no_stories_is_an_error_not_silence(tmp_path):
    (tmp_path / "notes.md").write_text("# not a story\n")
    result = run_cli("analyze", str(tmp_path))
    assert result.exit_code == 1 and "no story files found" in result.output
