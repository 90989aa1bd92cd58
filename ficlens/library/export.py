"""Export the library as tables for research: works, chapters, characters, quotes and scenes.

JSON Lines and CSV need nothing extra; Parquet needs ``pip install ficlens[parquet]`` (pyarrow).
Quotes carry their text, so a table of who says what needs no second lookup.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ficlens.errors import LibraryError
from ficlens.library.store import Library

FORMATS = ["jsonl", "csv", "parquet"]
_WORKS = (
    "SELECT w.id, w.title, w.authors, w.summary, w.rating, w.language, w.words, w.chapters, w.complete,"
    " w.source_url, w.work_id, w.site, w.updated, w.pov, w.tense, w.work_key, w.current, w.source, w.format,"
    " (SELECT json_group_array(name) FROM tags t WHERE t.work = w.id AND t.kind = 'fandom') fandoms,"
    " (SELECT json_group_array(name) FROM tags t WHERE t.work = w.id AND t.kind = 'relationship') relationships,"
    " (SELECT json_group_array(name) FROM tags t WHERE t.work = w.id AND t.kind = 'warning') warnings,"
    " (SELECT json_group_array(name) FROM tags t WHERE t.work = w.id AND t.kind = 'category') categories,"
    " (SELECT json_group_array(name) FROM tags t WHERE t.work = w.id AND t.kind = 'character') tagged_characters,"
    " (SELECT json_group_array(name) FROM tags t WHERE t.work = w.id AND t.kind = 'freeform') tags"
    " FROM works w"
)
TABLES: dict[str, str] = {
    "works": _WORKS,
    "chapters": "SELECT c.* FROM chapters c JOIN works w ON w.id = c.work",
    "characters": "SELECT c.* FROM characters c JOIN works w ON w.id = c.work",
    "quotes": "SELECT q.*, substr(t.body, q.start + 1, q.\"end\" - q.start) AS text FROM quotes q"
    " JOIN works w ON w.id = q.work JOIN texts t ON t.work = q.work",
    "scenes": "SELECT s.* FROM scenes s JOIN works w ON w.id = s.work",
}
_JSON_COLUMNS = {
    "authors", "fandoms", "relationships", "warnings", "categories", "tagged_characters", "tags", "aliases",
    "addressees",
}


def rows(lib: Library, table: str, *, all_versions: bool = False) -> Iterator[dict[str, Any]]:
    """The rows of one export table, JSON list columns decoded."""
    if table not in TABLES:
        raise LibraryError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    sql = TABLES[table] + ("" if all_versions else " WHERE w.current = 1") + " ORDER BY w.id"
    cur = lib.db.execute(sql)
    names = [d[0] for d in cur.description]
    for r in cur:
        d = dict(zip(names, r, strict=True))
        for k in _JSON_COLUMNS & d.keys():
            d[k] = json.loads(d[k]) if d[k] else []
        yield d


def export(lib: Library, out: Path, fmt: str, tables: list[str], *, all_versions: bool = False) -> dict[str, int]:
    """Write each table to ``out/<table>.<fmt>`` (atomically); returns path -> rows written."""
    if fmt not in FORMATS:
        raise LibraryError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise LibraryError("parquet export needs pyarrow: pip install 'ficlens[parquet]'") from None
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for table in tables:
        path = out / f"{table}.{fmt}"
        tmp = path.with_name(f".{path.name}.tmp")
        n = _write(rows(lib, table, all_versions=all_versions), tmp, fmt)
        os.replace(tmp, path)
        written[str(path)] = n
    return written


def _write(data: Iterator[dict[str, Any]], path: Path, fmt: str) -> int:
    n = 0
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        batch = list(data)
        pq.write_table(pa.Table.from_pylist(batch), path)
        return len(batch)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = None
        for row in data:
            if fmt == "jsonl":
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                if writer is None:
                    writer = csv.DictWriter(f, fieldnames=list(row))
                    writer.writeheader()
                writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                                 for k, v in row.items()})
            n += 1
    return n
