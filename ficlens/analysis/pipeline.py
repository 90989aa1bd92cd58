"""The stage registry: each analysis stage declares the layers it needs and the ones it writes.

A stage is ``func(story) -> story``, registered with ``@stage(name, requires=..., assigns=...)``
in its own module under ``ficlens/analysis/``. ``run`` orders the chosen stages by what they
need, checks every requirement before anything runs, and calls them in turn.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ficlens.errors import MissingLayer, StageError
from ficlens.story import Story

StageFunc = Callable[[Story], Story]


@dataclass(frozen=True)
class Stage:
    name: str
    func: StageFunc
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    #: Layers used when present: the stage runs after whichever chosen stage makes them.
    uses: tuple[str, ...] = ()

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0] if self.func.__doc__ else ""


class Registry:
    """Named stages; the built-in ones register themselves when ``ficlens.analysis`` modules load."""

    def __init__(self) -> None:
        self._stages: dict[str, Stage] = {}
        self._loaded = False

    def add(self, st: Stage, *, force: bool = False) -> None:
        if st.name in self._stages and not force and self._stages[st.name].func is not st.func:
            raise StageError(f"stage {st.name!r} is registered twice; pass force=True to replace it")
        self._stages[st.name] = st

    def _load_builtins(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        import ficlens.analysis as pkg

        for mod in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module(f"ficlens.analysis.{mod.name}")

    def get(self, name: str) -> Stage:
        self._load_builtins()
        try:
            return self._stages[name]
        except KeyError:
            raise StageError(f"unknown stage {name!r}; known stages: {', '.join(self.names())}") from None

    def names(self) -> list[str]:
        """All stage names, in an order where each comes after the stages it needs."""
        self._load_builtins()
        return [s.name for s in self.plan(self._stages)]

    def runnable(self, story: Story) -> list[str]:
        """Every stage whose needs can be met from the story's layers and the other runnable stages."""
        have = set(story.layers)
        chosen: list[str] = []
        for st in self.plan(self.names()):
            if all(r.split(".")[0] in have for r in st.requires):
                chosen.append(st.name)
                have.update(a.split(".")[0] for a in st.assigns)
        return chosen

    def plan(self, names: Iterable[str]) -> list[Stage]:
        """The chosen stages in dependency order (a stage runs after those assigning what it needs)."""
        chosen = [self.get(n) for n in names]
        done: list[Stage] = []
        pending = list(chosen)
        while pending:
            for st in pending:
                blockers = [
                    o for o in pending if o is not st and any(_provides(o, r) for r in st.requires + st.uses)
                ]
                if not blockers:
                    done.append(st)
                    pending.remove(st)
                    break
            else:
                raise StageError(f"stages depend on each other in a cycle: {[s.name for s in pending]}")
        return done


def _provides(st: Stage, layer: str) -> bool:
    return layer in st.assigns or layer.split(".")[0] in st.assigns


REGISTRY = Registry()


def stage(name: str, *, requires: Sequence[str] = (), assigns: Sequence[str] = (), uses: Sequence[str] = ()):
    """Register ``func`` as analysis stage ``name``."""

    def wrap(func: StageFunc) -> StageFunc:
        REGISTRY.add(Stage(name, func, tuple(requires), tuple(assigns), tuple(uses)))
        return func

    return wrap


def run(story: Story, stages: Sequence[str] | None = None) -> Story:
    """Run ``stages`` (default: every stage whose needs can be met) on ``story`` and return it."""
    plan = REGISTRY.plan(stages if stages is not None else REGISTRY.runnable(story))
    have = set(story.layers)
    for st in plan:
        for need in st.requires:
            base = need.split(".")[0]
            if base not in have:
                makers = [s.name for s in REGISTRY.plan(REGISTRY.names()) if _provides(s, base)]
                hint = f"add stage {makers[0]!r}" if makers else "no stage makes it"
                raise MissingLayer(f"stage {st.name!r} needs layer {base!r}; {hint}")
        have.update(a.split(".")[0] for a in st.assigns)
    for st in plan:
        result = st.func(story)
        if not isinstance(result, Story):
            raise StageError(f"stage {st.name!r} returned {type(result).__name__}, not the Story")
        story = result
    return story
