"""Which httpx clients the learner's code builds: when, where, with what timeout, and
whether they were closed.

``record_clients`` wraps ``httpx.AsyncClient.__init__`` and ``httpx.Client.__init__`` for
the duration of a test and records every construction whose call stack passes through the
learner's files (the graders' own clients are never counted). Each is tagged with the
stage it was built in: "import" when a module is being imported, else the recorder's
``stage`` at that moment ("start-up" until the grader moves it on, e.g. to "serving" once
the app has started). After shut-down a grader checks ``is_closed``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from grading.probes.frames import frame_place, learner_frames, resolved


@dataclass
class BuiltClient:
    kind: str  # "AsyncClient" or "Client"
    stage: str  # the recorder's stage when it was built
    where: str  # "app.py, line 12, in lifespan"
    explicit_timeout: bool  # timeout= was passed to the constructor
    timeout: httpx.Timeout | None
    instance: httpx.AsyncClient | httpx.Client

    @property
    def is_closed(self) -> bool:
        return self.instance.is_closed

    @property
    def finite_timeout(self) -> bool:
        t = self.timeout
        return t is not None and any(v is not None for v in (t.connect, t.read, t.write, t.pool))


@dataclass
class ClientRecorder:
    roots: list[Path]
    stage: str = "start-up"
    built: list[BuiltClient] = field(default_factory=list)

    def of_kind(self, kind: str = "AsyncClient", stage: str | None = None) -> list[BuiltClient]:
        return [b for b in self.built if b.kind == kind and (stage is None or b.stage == stage)]

    def __post_init__(self) -> None:
        # Resolved once, here: resolving touches the disk, and record runs on the loop thread
        # (where the blocking recorder would count it against the learner).
        self._roots = resolved(self.roots)

    def record(self, kind: str, instance, kwargs: dict) -> None:
        """Record a client built with ``kwargs`` if the learner's code built it."""
        frames = list(learner_frames(self._roots))
        if not frames:
            return
        where = frame_place(frames[0], self._roots)
        stage = "import" if any(f.f_code.co_name == "<module>" for f in frames) else self.stage
        self.built.append(BuiltClient(kind, stage, where, "timeout" in kwargs,
                                      getattr(instance, "timeout", None), instance))


@contextmanager
def record_clients(roots: list[Path]) -> Iterator[ClientRecorder]:
    """Record the httpx clients built from ``roots`` while the block runs."""
    recorder = ClientRecorder(list(roots))
    originals = {cls: cls.__init__ for cls in (httpx.AsyncClient, httpx.Client)}

    def wrap(cls, original):
        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            recorder.record(cls.__name__, self, kwargs)

        __init__.__wrapped__ = original
        return __init__

    for cls, original in originals.items():
        cls.__init__ = wrap(cls, original)
    try:
        yield recorder
    finally:
        for cls, original in originals.items():
            cls.__init__ = original
