"""The one orchestration of a grade: every (submission, exercise) pair is its own isolated
job, run a few at a time (longest first). ``grade`` (one submission) and the instructor's
``gradebook`` (a class) both call :func:`grade_many`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from grading.isolation import DEFAULT_JOBS, EXERCISE_TIME_LIMIT, TEST_TIMEOUT, Job, run_jobs
from grading.results import ExerciseResult, GradeReport
from grading.target import KIT_ROOT, exercise_ids, select


def grade_many(submissions: dict[str, Path], exercises: list[str] | None = None, *,
               graders: Path = KIT_ROOT / "graders", parallel: int = DEFAULT_JOBS,
               time_limit: float = EXERCISE_TIME_LIMIT, test_timeout: float = TEST_TIMEOUT,
               include_hidden: bool = True, present_only: bool = False,
               on_start: Callable[[Job], None] | None = None,
               on_done: Callable[[Job, ExerciseResult], None] | None = None,
               on_tick: Callable[[], None] | None = None,
               backend: str | None = None) -> dict[str, GradeReport]:
    """Grade each labelled submission folder; one report per label, exercises in id order.

    A missing ``NN_slug/`` folder is graded too (each test then says the file is missing),
    unless ``present_only``. ``backend`` is ``fork``, ``spawn`` or None (chosen for this OS).
    """
    chosen = select(exercise_ids(graders), exercises or [])
    reports = {label: GradeReport(target=str(path)) for label, path in submissions.items()}
    jobs = [Job(ex, graders / ex, path, time_limit, test_timeout, include_hidden, label=label)
            for label, path in submissions.items() for ex in chosen
            if not present_only or (path / ex).is_dir()]
    order = {ex: i for i, ex in enumerate(chosen)}
    # A submission's duration runs from its first job's start to its last job's end: not the
    # batch's, and not the time its jobs waited in the queue before that.
    first: dict[str, float] = {}
    durations: dict[str, float] = {}

    def started(job: Job) -> None:
        first.setdefault(job.label, time.monotonic())
        if on_start:
            on_start(job)

    for job, result in run_jobs(jobs, parallel, on_start=started, on_tick=on_tick, backend=backend):
        reports[job.label].exercises.append(result)
        durations[job.label] = time.monotonic() - first.get(job.label, time.monotonic())
        if on_done:
            on_done(job, result)
    for label, report in reports.items():
        report.exercises.sort(key=lambda e: order[e.id])
        report.duration = durations.get(label, 0.0)
    return reports
