"""Every error ficlens raises on purpose, with its code and a message that says what to do.

Codes: FL0xx command line, FL1xx reading, FL2xx analysis, FL3xx library, FL4xx evaluation. The CLI prints
``error: [FLxxx] message`` as one line and exits non-zero; anything else is a bug.
"""

from __future__ import annotations


class FiclensError(Exception):
    """Base class: a problem the user can act on, with a stable code."""

    code = "FL000"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)

    def __str__(self) -> str:  # one line, always
        return " ".join(super().__str__().split())


class CommandLineError(FiclensError):
    """Wrong options or arguments (click's usage errors, printed by the CLI in the same one-line form)."""

    code = "FL001"


class ReadError(FiclensError):
    """The file could not be read as a story (empty, binary, bad encoding, too large...)."""

    code = "FL101"


class NoStories(ReadError):
    """The paths given hold no story files at all."""

    def __init__(self, paths) -> None:
        super().__init__(f"no story files found in {', '.join(map(str, paths))}; give story files, folders or zips")


class UnsupportedFormat(ReadError):
    """No reader recognises the file's content."""

    code = "FL102"


class UnsafeInput(ReadError):
    """The file tries something a story file never needs (entity bombs, path traversal, zip bombs)."""

    code = "FL103"


class LayerError(FiclensError):
    """A span is outside the text, or overlaps in a layer that forbids overlaps."""

    code = "FL201"


class MissingLayer(FiclensError):
    """A stage needs a layer that no earlier stage produced."""

    code = "FL202"


class StageError(FiclensError):
    """A stage is unknown or was called wrongly."""

    code = "FL203"


class SchemaError(FiclensError):
    """JSON that is not a ficlens story, or from a newer schema than this version reads."""

    code = "FL204"


class FandomPackError(FiclensError):
    """A fandom pack file is unreadable or malformed."""

    code = "FL205"


class LibraryError(FiclensError):
    """The library database is missing, locked, or inconsistent."""

    code = "FL301"


class EvalError(FiclensError):
    """Gold data is missing or malformed."""

    code = "FL401"
