"""What the probes measured during a test, as data every reporter can draw.

Probes (the upstream mock, the blocking recorder, a loop-lag monitor) register themselves
while a test runs; at the test's end the plugin asks each for its ``evidence()`` and puts
the merged dict on ``TestResult.evidence``, streamed to the parent with the result:

- ``upstream``: ``{"calls": [{"method", "path", "start", "end", "outcome", "client",
  "thread"}], "max_in_flight"}``, times in seconds from the first call's start (``end``
  None: still running when the test ended);
- ``blocking``: ``[{"function", "where", "detail"}]``, calls on the loop thread, with the
  learner's file and line;
- ``loop_lag``: ``{"interval", "max", "points": [[t, lag], ...]}``, seconds, downsampled.
"""

from __future__ import annotations

from typing import Any

MAX_POINTS = 240
_active: list[Any] = []
_recording = False


def register(probe: Any) -> Any:
    """Called by a probe when it is made; kept only while a test is being recorded."""
    if _recording:
        _active.append(probe)
    return probe


def begin() -> None:
    global _recording
    _active.clear()
    _recording = True


def collect() -> dict:
    global _recording
    _recording = False
    out: dict = {}
    for probe in _active:
        try:
            found = probe.evidence()
        except Exception:  # noqa: BLE001  # evidence is a picture; never fail a test over it
            continue
        for key, value in (found or {}).items():
            if not value:
                continue
            if key in out and isinstance(out[key], list):
                out[key] = out[key] + list(value)
            elif key in out and key == "upstream":
                out[key]["calls"] += value["calls"]
                out[key]["max_in_flight"] = max(out[key]["max_in_flight"], value["max_in_flight"])
            else:
                out[key] = value
    _active.clear()
    return out


def downsample(points: list[list[float]], limit: int = MAX_POINTS) -> list[list[float]]:
    """At most ``limit`` points, keeping each bucket's worst lag (a spike must stay visible)."""
    if len(points) <= limit:
        return points
    size = len(points) / limit
    out = []
    for i in range(limit):
        bucket = points[int(i * size):max(int((i + 1) * size), int(i * size) + 1)]
        out.append(max(bucket, key=lambda p: p[1]))
    return out
