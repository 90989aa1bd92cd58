"""The library: analysed stories in SQLite, searchable by text, metadata and analysis (docs/library.md)."""

from ficlens.library import duplicates
from ficlens.library.ingest import AddReport, add_paths
from ficlens.library.search import Query, Results, search
from ficlens.library.similar import similar
from ficlens.library.store import SCHEMA_VERSION, Library

__all__ = ["SCHEMA_VERSION", "AddReport", "Library", "Query", "Results", "add_paths", "duplicates", "search", "similar"]
