"""Adding files to the library: expand paths and zips, analyse in a process pool, store one story at a time.

Paths and zips are expanded by ``readers.archive.iter_inputs``, as for ``analyze`` and ``info``: the
same files are picked up and the same zip limits apply.

Workers only read and analyse (``prepare``); the parent process is the only writer, so SQLite never
sees two writers, and each story is committed on its own: after a crash or Ctrl-C, running the same
``add`` again skips what is stored (by content hash) and does the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path

import ficlens
from ficlens.errors import FiclensError
from ficlens.library.store import Library, Prepared, prepare
from ficlens.readers import load_bytes, read_bytes
from ficlens.readers.archive import iter_inputs


@dataclass(frozen=True)
class Item:
    """One story file: a path, or a member of a zip archive (whose bytes travel with it)."""

    source: str
    content_hash: str
    size: int
    path: str | None = None
    data: bytes | None = None


@dataclass
class Failure:
    source: str
    message: str


@dataclass
class AddReport:
    added: int = 0
    skipped: int = 0
    words: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


def _hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def collect(paths: list[str] | tuple[str, ...]) -> Iterator[Item | Failure]:
    """Every story file under ``paths`` (directories recursively, zips opened by ``readers.archive``), hashed."""
    for source in iter_inputs(paths):
        try:
            if source.error is not None:
                raise source.error
            data = source.data if source.data is not None else load_bytes(source.path)
        except FiclensError as e:
            yield Failure(source.name, f"[{e.code}] {e}")
            continue
        yield Item(source.name, _hash(data), len(data), path=None if source.data is not None else source.name,
                   data=source.data)


def analyse(item: Item, stages: Sequence[str] | None = None) -> Prepared | Failure:
    """Read and analyse one item (in a worker); a bad file becomes a Failure, never an exception."""
    try:
        if item.path is not None:
            story = ficlens.analyze(item.path, stages)
        else:  # an archive member, already in memory: errors name it as "archive.zip!member"
            story = ficlens.analyze(read_bytes(item.data or b"", Path(item.source)), stages)
        story.source = item.source
        return prepare(story, item.content_hash)
    except FiclensError as e:
        return Failure(item.source, f"[{e.code}] {e}")
    except Exception as e:  # a bug in a stage must not stop a batch of thousands; report it with the file
        return Failure(item.source, f"[FL300] {item.source}: analysis failed ({type(e).__name__}: {e}); please report")


def _quiet_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def add_paths(
    lib: Library,
    paths: list[str] | tuple[str, ...],
    *,
    jobs: int | None = None,
    stages: Sequence[str] | None = None,
    on_total: Callable[[int], None] | None = None,
    on_done: Callable[[str, int], None] | None = None,
) -> AddReport:
    """Add every story under ``paths``; ``jobs`` worker processes (default: one per core for 8 files or more).

    ``stages`` picks the analysis stages (default: all); search filters on what was not run find nothing.

    ``on_total(bytes)`` is called once the work is known, ``on_done(source, bytes)`` after each file.
    """
    start = time.perf_counter()
    report = AddReport()
    todo: list[Item] = []
    seen: set[str] = set()
    for it in collect(paths):
        if isinstance(it, Failure):
            report.failures.append(it)
        elif it.content_hash in seen or lib.has(it.content_hash):
            report.skipped += 1
        else:
            seen.add(it.content_hash)
            todo.append(it)
    if on_total:
        on_total(sum(i.size for i in todo))
    if jobs is None:  # starting workers costs about a second: worth it only for a batch
        jobs = (os.cpu_count() or 1) if len(todo) >= 8 else 1
    jobs = max(1, min(jobs, len(todo)))

    def store(item: Item, result: Prepared | Failure) -> None:
        if isinstance(result, Failure):
            report.failures.append(result)
        elif lib.add(result) is None:
            report.skipped += 1
        else:
            report.added += 1
            report.words += result.words
        if on_done:
            on_done(item.source, item.size)

    if jobs == 1:
        for item in todo:
            store(item, analyse(item, stages))
    else:
        # spawned, not forked: a worker must not inherit the parent's open SQLite connection
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=spawn, initializer=_quiet_worker) as pool:
            pending: dict[Future, Item] = {}
            queue = iter(todo)
            try:
                for item in queue:
                    pending[pool.submit(analyse, item, stages)] = item
                    if len(pending) >= jobs * 4:
                        done, _ = wait(pending, return_when=FIRST_COMPLETED)
                        for fut in done:
                            store(pending.pop(fut), fut.result())
                for fut in as_completed(list(pending)):
                    store(pending.pop(fut), fut.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    report.seconds = time.perf_counter() - start
    return report
