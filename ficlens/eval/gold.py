"""Gold annotations in the seeds' format (``../shared/README.md``) and helpers shared by the scorers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ficlens.errors import EvalError


@dataclass
class GoldFile:
    """One gold JSON and the story text it annotates."""

    gold: dict[str, Any]
    text_path: Path

    @property
    def name(self) -> str:
        return self.text_path.name


def load_gold(gold_dir: str | Path, texts_dir: str | Path | None = None) -> list[GoldFile]:
    """Every ``*.json`` in ``gold_dir`` with its text, found in ``texts_dir`` (default: ``../seeds``)."""
    gdir = Path(gold_dir)
    if not gdir.is_dir():
        raise EvalError(f"gold directory not found: {gdir}")
    tdir = Path(texts_dir) if texts_dir else gdir.parent / "seeds"
    out = []
    for path in sorted(gdir.glob("*.json")):
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise EvalError(f"cannot read gold file {path}: {e}") from None
        text_path = tdir / gold.get("file", path.with_suffix(".txt").name)
        if not text_path.is_file():
            raise EvalError(f"gold {path.name} names {text_path}, which does not exist; pass --texts DIR")
        out.append(GoldFile(gold, text_path))
    if not out:
        raise EvalError(f"no gold *.json files in {gdir}")
    return out


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` (lines as the gold counts them: split on newlines)."""
    return text.count("\n", 0, offset) + 1


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall, F1; an empty prediction against an empty gold scores 1."""
    p = tp / n_pred if n_pred else float(n_gold == 0)
    r = tp / n_gold if n_gold else float(n_pred == 0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def squash(s: str | None) -> str | None:
    return " ".join(s.split()) if s is not None else None
