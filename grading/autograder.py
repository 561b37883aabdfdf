"""Gradescope's entry point, run by ``run_autograder``: grade the submission, write results.json.

Gradescope's layout, under ``$AUTOGRADER_ROOT`` (default ``/autograder``, overridable so the
kit's tests can use a scratch folder): ``source/`` holds this kit (engine and every grader,
hidden ones included), ``submission/`` the learner's upload, and ``results/results.json``
is what Gradescope reads. It is written in every case: when grading cannot run, with a
score of 0 and the reason.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from grading import cli
from grading.reporters import gradescope
from grading.submissions import find_root
from grading.target import KIT_ROOT, exercise_ids


def main() -> int:
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)  # only this run's own results may be read
    try:
        known = exercise_ids(KIT_ROOT / "graders")
        found = find_root(root / "submission", known)
        if found is None:
            reason = (f"no exercise folder (such as {known[0]}/) in your submission. Upload your repository, "
                      "or its exercises/ folder, keeping the NN_slug/ folder names.")
            gradescope.write_failure(reason, results)
            return 0
        print(f"autograder: grading {found}", flush=True)
        code = cli.main(["--target", str(found), "--gradescope", str(results), "--verbose"])
        if code == 2:
            gradescope.write_failure("the grader refused the submission (see the log)", results)
    except BaseException:  # noqa: BLE001  # whatever happens, Gradescope gets a results.json
        traceback.print_exc()
        gradescope.write_failure("the autograder failed; please tell your instructor.", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
