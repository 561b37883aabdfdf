"""Running a learner's own test suite against the provided app and against faulty versions
of it ("mutants"), for exercises where the learner writes the tests (see ``learner_suite``).

One concern per module: ``mutants`` (the faulty versions), ``records`` (a run's result),
``planner`` (which runs a grader module asks for), ``control`` (the driver process, from the
grader's side), ``feedback`` (what the learner reads), ``driver`` and ``run`` (the process
that runs the learner's suite on the engine's worker pool, and one run of it).
"""
