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
from dataclasses import dataclass, field, replace
from hashlib import blake2b
from pathlib import Path

import ficlens
from ficlens.errors import FiclensError, ReadError
from ficlens.library.store import Library, Prepared, prepare
from ficlens.readers import load_bytes, read_bytes
from ficlens.readers.archive import SafeZip, iter_inputs


@dataclass(frozen=True)
class Item:
    """One story file: a path, or a member of a zip archive.

    A member's bytes are read again from its archive just before it is analysed (``with_data``) and
    travel with it to the worker, so a batch of large zips never sits in memory at once.
    """

    source: str
    content_hash: str
    size: int
    path: str | None = None
    archive: str | None = None
    member: str | None = None
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
        if source.archive is None:
            yield Item(source.name, _hash(data), len(data), path=source.name)
        else:
            yield Item(source.name, _hash(data), len(data), archive=str(source.archive), member=source.member)


class _Archive:
    """The zip whose members are being analysed, opened once while its members' turn lasts."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.zip: SafeZip | None = None

    def with_data(self, item: Item) -> Item | Failure:
        """``item`` with its bytes when it is an archive member (the same bytes that were hashed)."""
        if item.archive is None:
            return item
        try:
            if self.path != item.archive:
                self.zip, self.path = SafeZip(load_bytes(Path(item.archive)), Path(item.archive)), item.archive
            data = self.zip.read(item.member or "")
        except FiclensError as e:
            return Failure(item.source, f"[{e.code}] {e}")
        if _hash(data) != item.content_hash:
            return Failure(item.source, f"[{ReadError.code}] {item.source}: the archive changed while being added; "
                                        "run the same command again")
        return replace(item, data=data)


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

    archive = _Archive()
    if jobs == 1:
        for item in todo:
            ready = archive.with_data(item)
            store(item, ready if isinstance(ready, Failure) else analyse(ready, stages))
    else:
        # spawned, not forked: a worker must not inherit the parent's open SQLite connection
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=spawn, initializer=_quiet_worker) as pool:
            pending: dict[Future, Item] = {}
            queue = iter(todo)
            try:
                for item in queue:
                    ready = archive.with_data(item)
                    if isinstance(ready, Failure):
                        store(item, ready)
                        continue
                    pending[pool.submit(analyse, ready, stages)] = item
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
